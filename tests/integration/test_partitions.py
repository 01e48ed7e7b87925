"""Tables partitioned by period: one period's rebuild rewrites only that period.

Builds run on copies of the bundled reports in temporary folders.
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

from _files import copy_raw
from analysis import cli, paths, schema, store
from analysis.build import build, process_batch
from analysis.load import InputProblem, load_reports
from analysis.store import (
    COPIES,
    NULL_PARTITION,
    SORT_ORDER,
    partitions,
    read_table,
    table_copy,
    table_files,
    table_path,
    write_tables,
)

TABLES = ("reports", "facts", "observations")
#: the read-side copies, made again from every partition whenever a period is rewritten
COPY_FILES = {f"observations.parquet/{f}" for f in COPIES["observations"].values()}
PERIODS = {"cau-giay-2022-h1": "2022-H1", "cu-khoi-2018-fy": "2018-FY",
           "phuc-dong-2020-9m": "2020-9M", "thach-ban-2021-h1": "2021-H1",
           "thanh-xuan-2021-q4": "2021-Q4"}
NEW_REPORT = ("Kết quả thực hiện nhiệm vụ 6 tháng đầu năm 2021 của phường Cống Vị\n"
              "Ngày đăng 12/07/2021 | 08:30  | Lượt xem: 120\n\n"
              "Trong 6 tháng đầu năm 2021, Đảng ủy – UBND phường Cống Vị đã lãnh đạo thực hiện "
              "các nhiệm vụ. Có 1946/2129 hộ gia đình đạt danh hiệu gia đình văn hóa, đạt tỷ lệ 91,4%. "
              "Thu ngân sách đạt 120% kế hoạch.\n")


def files_of(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file under the tables: (inode, checksum) by relative path."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def raw(tmp_path) -> Path:
    return copy_raw(tmp_path / "raw")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build(paths.RAW, tmp_path_factory.mktemp("p") / "processed", progress=False).out


def test_tables_are_hive_partitioned_by_period(built):
    reports = read_table("reports", built)
    for name in TABLES:
        folder = table_path(name, built)
        assert folder.is_dir()
        dirs = sorted(p.name for p in folder.iterdir() if p.is_dir())
        assert dirs == [f"period={p}" for p in partitions(name, built)]
        for _period, f in table_files(name, built):
            assert f.name == "part-0.parquet"
            assert "period" not in pq.read_schema(f).names     # the folder says it
    assert partitions("reports", built) == sorted(PERIODS.values())
    # a fact sits in its report's period; an observation in its own
    by_doc = dict(zip(reports["doc_id"], reports["period"]))
    for period, f in table_files("facts", built):
        docs = set(pq.read_table(f, columns=["doc_id"])["doc_id"].to_pylist())
        assert docs and {by_doc[d] for d in docs} == {period}
    obs = read_table("observations", built)
    for period, f in table_files("observations", built):
        assert pq.read_metadata(f).num_rows == int((obs["period"] == period).sum())


def test_read_table_gives_the_whole_table_in_schema_order(built):
    for name, table in (("reports", schema.REPORTS), ("facts", schema.FACTS)):
        frame = read_table(name, built)
        assert list(frame.columns) == table.names
        pd.testing.assert_frame_equal(frame, schema.validate(frame, table))
    obs = read_table("observations", built)
    assert list(obs.columns[:len(schema.OBSERVATIONS.names)]) == schema.OBSERVATIONS.names
    ordered = obs.sort_values(["unit_name", "period", "indicator_id", "doc_id", "start", "obs_id"],
                              kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(obs, ordered)
    facts = read_table("facts", built)
    assert facts["doc_id"].is_monotonic_increasing


def test_read_table_filters_by_period_columns_and_rows(built):
    full = read_table("observations", built)
    one = read_table("observations", built, period="2018-FY")
    pd.testing.assert_frame_equal(one, full[full["period"] == "2018-FY"].reset_index(drop=True))
    two = read_table("observations", built, period=["2021-H1", "2022-H1"], columns=["unit_name", "raw"])
    expected = full.loc[full["period"].isin(["2021-H1", "2022-H1"]), ["unit_name", "raw"]]
    pd.testing.assert_frame_equal(two, expected.reset_index(drop=True))
    rows = read_table("observations", built, filters=[("unit_name", "==", "Cự Khối")])
    pd.testing.assert_frame_equal(rows, full[full["unit_name"] == "Cự Khối"].reset_index(drop=True))
    none = read_table("facts", built, period="1999-FY")
    assert len(none) == 0 and list(none.columns) == schema.FACTS.names
    facts = read_table("facts", built, period="2021-H1")
    assert set(facts["doc_id"]) == {"thach-ban-2021-h1"}


def test_reports_without_a_period_have_their_own_partition(raw, tmp_path):
    (raw / "khong-ro-ky.txt").write_text("Báo cáo của phường Thạch Bàn\nCó 36 tin tuyên truyền.",
                                         encoding="utf-8")
    out = build(raw, tmp_path / "out", progress=False).out
    assert (table_path("reports", out) / f"period={NULL_PARTITION}").is_dir()
    assert None in partitions("reports", out) and None in partitions("facts", out)
    reports = read_table("reports", out)
    assert reports.loc[reports["doc_id"] == "khong-ro-ky", "period"].isna().all()
    assert list(read_table("reports", out, period=[None])["doc_id"]) == ["khong-ro-ky"]


def test_period_rebuild_rewrites_only_that_period_and_equals_a_full_build(raw, tmp_path):
    out = build(raw, tmp_path / "processed", progress=False).out
    before = files_of(out)
    # the period's report is corrected and a new report of the period arrives
    tb = raw / "thach-ban-2021-h1.txt"
    tb.write_text(tb.read_text(encoding="utf-8") + "\nKết nạp 7 đảng viên mới.\n", encoding="utf-8")
    (raw / "cong-vi-2021-h1.txt").write_text(NEW_REPORT, encoding="utf-8")

    assert cli.main(["build", "--raw", str(raw), "--out", str(out), "--period", "2021-H1",
                     "--quiet"]) == 0
    after = files_of(out)
    for rel, (inode, digest) in before.items():
        if "period=2021-H1" in rel or rel in COPY_FILES:
            assert after[rel][1] != digest, rel              # rewritten with the new data
        else:
            assert after[rel] == (inode, digest), rel         # the very same file, untouched
    assert set(after) == set(before) and COPY_FILES <= set(after)
    reports = read_table("reports", out)
    assert sorted(reports.loc[reports["period"] == "2021-H1", "doc_id"]) == \
        ["cong-vi-2021-h1", "thach-ban-2021-h1"]

    full = build(raw, tmp_path / "full", progress=False).out
    assert {k: v[1] for k, v in files_of(full).items()} == {k: v[1] for k, v in after.items()}


def test_period_rebuild_names_changes_of_other_periods_and_leaves_them(raw, tmp_path):
    out = build(raw, tmp_path / "processed", progress=False).out
    before = files_of(out)
    ck = raw / "cu-khoi-2018-fy.txt"
    ck.write_text(ck.read_text(encoding="utf-8") + "\nKết nạp 3 đảng viên mới.\n", encoding="utf-8")
    summary = build(raw, out, progress=False, periods=["2021-H1"])
    [m] = summary.problems
    assert (m.code, m.doc) == ("other_period", "cu-khoi-2018-fy")
    assert "cu-khoi-2018-fy.txt" in str(m) and "--period 2018-FY" in str(m)
    assert [ln.doc for ln in summary.lines] == ["thach-ban-2021-h1"]
    after = files_of(out)
    assert {k: v for k, v in after.items() if "2021-H1" not in k and k not in COPY_FILES} == \
        {k: v for k, v in before.items() if "2021-H1" not in k and k not in COPY_FILES}
    # the copies are made again, from the same rows: the same bytes
    assert {k: after[k][1] for k in COPY_FILES} == {k: before[k][1] for k in COPY_FILES}
    # --strict refuses it, and writes nothing
    with pytest.raises(Exception, match="--strict: 1 warning"):
        build(raw, out, progress=False, periods=["2021-H1"], strict=True)
    assert files_of(out) == after


def test_period_rebuild_needs_tables_and_a_period_code(raw, tmp_path):
    with pytest.raises(InputProblem, match="run a full build first"):
        build(raw, tmp_path / "none", progress=False, periods=["2021-H1"])
    with pytest.raises(InputProblem, match="'2021-H3' is not a period code"):
        build(raw, tmp_path / "none", progress=False, periods=["2021-H3"])
    assert cli.main(["build", "--raw", str(raw), "--out", str(tmp_path / "none"),
                     "--period", "2021-H1", "--quiet"]) == 2


def test_partial_write_refuses_rows_of_other_periods(built, tmp_path):
    out = tmp_path / "copy"
    shutil.copytree(built, out)
    reports = read_table("reports", out)
    with pytest.raises(ValueError, match="rows of period\\(s\\) 2018-FY"):
        write_tables({"reports": reports}, out, periods=["2021-H1"])


def test_any_cut_into_batches_gives_the_same_tables():
    reports = load_reports().reports
    whole = process_batch(reports)
    parts = [process_batch(reports.iloc[i:i + 1]) for i in range(len(reports))]
    facts = pd.concat([p.facts for p in parts], ignore_index=True)
    obs = pd.concat([p.observations for p in parts if len(p.observations)], ignore_index=True)
    pd.testing.assert_frame_equal(facts, whole.facts)
    key = ["doc_id", "start", "fact_id"]
    pd.testing.assert_frame_equal(obs.sort_values(key).reset_index(drop=True),
                                  whole.observations.sort_values(key).reset_index(drop=True))


def test_the_copy_holds_every_row_sorted_by_indicator(built):
    obs = read_table("observations", built)
    path = table_copy("observations", "all_periods", built)
    everything = store.frame_from_arrow("observations", pq.read_table(path).select(list(obs.columns)),
                                        built)
    assert everything["indicator_id"].is_monotonic_increasing       # sorted by indicator first
    pd.testing.assert_frame_equal(
        everything.sort_values(list(SORT_ORDER["observations"]), kind="stable").reset_index(drop=True),
        obs)
    meta = pq.read_metadata(path)
    at = meta.schema.to_arrow_schema().get_field_index("indicator_id")
    for i in range(meta.num_row_groups):                            # a row group, one indicator
        st = meta.row_group(i).column(at).statistics
        assert st.min == st.max
    assert set(COPIES["observations"]) == {"all_periods"}           # the one copy queries read


def test_readers_of_the_partitioned_dataset_see_each_row_once(built):
    n = len(read_table("observations", built))
    folder = table_path("observations", built)
    hive = pads.partitioning(pa.schema([("period", pa.string())]), flavor="hive")
    assert pads.dataset(folder, format="parquet", partitioning=hive).count_rows() == n
    assert len(pd.read_parquet(folder)) == n
    con = duckdb.connect()
    glob = str(folder / "*" / "*.parquet")
    assert con.execute("SELECT count(*) FROM read_parquet(?, hive_partitioning = true)",
                       [glob]).fetchone()[0] == n
    # a copy is a Parquet file of its own, with the period as a column
    copy = str(table_copy("observations", "all_periods", built))
    assert con.execute("SELECT count(*), count(DISTINCT period) FROM read_parquet(?)",
                       [copy]).fetchone() == (n, len(partitions("observations", built)))


def test_copies_are_made_again_by_a_period_write_and_do_not_depend_on_memory(built, tmp_path,
                                                                          monkeypatch):
    out = tmp_path / "processed"
    shutil.copytree(built, out)
    before = files_of(out)
    for rel in COPY_FILES:                     # tables written by a version without copies
        (out / rel).unlink()
    assert table_copy("observations", "all_periods", out) is None
    obs = read_table("observations", out)
    monkeypatch.setattr(store.copies, "_COPY_CHUNK", 5)   # a few indicators read at a time
    write_tables({"observations": obs[obs["period"] == "2021-H1"]}, out, periods=["2021-H1"])
    after = files_of(out)
    assert {k: v[1] for k, v in after.items()} == {k: v[1] for k, v in before.items()}
    assert table_copy("observations", "all_periods", out) is not None


def _all_periods_copy(built, out) -> bytes:
    """The observations' copy of every period, made again in ``out`` from the built files."""
    shutil.copytree(table_path("observations", built), out)
    for f in COPIES["observations"].values():
        (out / f).unlink()
    store.copies.write_copies("observations", out)
    return (out / COPIES["observations"]["all_periods"]).read_bytes()


def test_an_indicator_cut_between_its_units_gives_the_copy_of_it_whole(built, tmp_path, monkeypatch):
    """A country's largest indicator is read a piece at a time; its row groups stay those of one piece."""
    monkeypatch.setattr(store.copies, "_COPY_GROUP", 2)          # row groups of 2 rows
    copies = {}
    for chunk in (1 << 15, 3, 1):                                  # whole indicators; cut between units
        monkeypatch.setattr(store.copies, "_COPY_CHUNK", chunk)
        copies[chunk] = _all_periods_copy(built, tmp_path / f"chunk-{chunk}")
    obs = read_table("observations", built)
    assert obs["indicator_id"].value_counts().max() > 3             # some indicator is cut
    assert copies[3] == copies[1 << 15] and copies[1] == copies[1 << 15]
    meta = pq.read_metadata(tmp_path / f"chunk-1/{COPIES['observations']['all_periods']}")
    assert meta.num_rows == len(obs) and meta.num_row_groups >= len(obs) // 2


def test_the_copy_does_not_depend_on_how_many_rows_are_read_at_once(built, tmp_path, monkeypatch):
    """Reads smaller than the chunks (of an indicator cut between its units or not) give the same bytes."""
    monkeypatch.setattr(store.copies, "_COPY_GROUP", 2)            # row groups spanning the chunks
    monkeypatch.setattr(store.copies, "_COPY_CHUNK", 3)
    copies = {}
    for read in (1 << 14, 2, 1):
        monkeypatch.setattr(store.copies, "_COPY_READ", read)
        copies[read] = _all_periods_copy(built, tmp_path / f"read-{read}")
    obs = read_table("observations", built)
    assert obs["indicator_id"].value_counts().max() > 3             # some indicator is cut
    assert copies[2] == copies[1 << 14] and copies[1] == copies[1 << 14]
