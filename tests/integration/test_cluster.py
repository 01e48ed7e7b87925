"""The build on a cluster engine: ``build --cluster`` on a real ``dask.distributed`` cluster.

A ``LocalCluster`` of two worker processes (TCP on 127.0.0.1) runs the build on
a generated corpus of a few hundred reports: its tables are byte-identical to
the local build's, also when a worker is killed mid-build; an address where no
scheduler listens, or workers importing another version of the package, give one
line naming the address before anything is written. Then Dask maps the
per-report function, and ``dask.dataframe`` reads the partitioned Parquet the
build wrote. ``docs/scaling.md`` says how this runs for a whole country.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

dask = pytest.importorskip("dask", reason="dask is not installed: pip install 'dask[dataframe]' "
                                           "to run the cluster tests")
distributed = pytest.importorskip("distributed", reason="pip install 'dask[distributed]' to run "
                                                        "the cluster tests")
db = pytest.importorskip("dask.bag")
dd = pytest.importorskip("dask.dataframe")

import pyarrow as pa  # noqa: E402
import pyarrow.dataset as pads  # noqa: E402

from analysis import cli  # noqa: E402
from analysis.build import ReportJob, build, process_report  # noqa: E402
from analysis.load import load_reports  # noqa: E402
from analysis.store import SORT_ORDER, read_table, table_files, table_path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import make_corpus  # noqa: E402

N_REPORTS = 200
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.reset_index",
                                        "ignore::ResourceWarning", "ignore::DeprecationWarning")


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def summary_text(summary) -> str:
    """The summary without its last-but-messages line naming the output folder."""
    return "\n".join(ln for ln in summary.format_table().splitlines() if "tables written to" not in ln)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return make_corpus.write_corpus(N_REPORTS, seed=7, out=tmp_path_factory.mktemp("c") / "raw",
                                    jobs=1, quiet=True)


@pytest.fixture(scope="module")
def local_build(corpus, tmp_path_factory):
    return build(corpus, tmp_path_factory.mktemp("local") / "processed", progress=False)


@pytest.fixture(scope="module")
def local(local_build) -> Path:
    return local_build.out


@pytest.fixture(scope="module")
def cluster():
    import logging

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, protocol="tcp://",
                                  host="127.0.0.1", dashboard_address=None,
                                  silence_logs=logging.CRITICAL) as c:
        yield c


def test_build_on_a_cluster_writes_the_local_tables_and_summary(corpus, local_build, cluster, tmp_path):
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    summary = build(corpus, tmp_path / "processed", progress=False, cluster=cluster.scheduler_address)
    assert summary.written
    assert digests(summary.out) == digests(local_build.out)      # every file, byte for byte
    assert summary_text(summary) == summary_text(local_build)    # same lines, totals, warnings
    assert summary.n_reports == N_REPORTS


@pytest.mark.skipif(os.name != "posix", reason="kills a worker process with SIGKILL")
def test_a_worker_killed_mid_build_has_its_batches_rerun_and_the_tables_are_the_same(
        corpus, local, cluster, tmp_path):
    client = distributed.Client(cluster.scheduler_address, set_as_default=False)
    pids = client.run(os.getpid)
    killed: list = []

    def kill_a_busy_worker():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            busy = [w for w, tasks in client.processing().items()
                    if any(str(t).startswith("analysis-process_files") for t in tasks)]
            if busy:
                os.kill(pids[busy[0]], signal.SIGKILL)
                killed.append(busy[0])
                return
            time.sleep(0.02)
    watcher = threading.Thread(target=kill_a_busy_worker, daemon=True)
    watcher.start()
    try:
        summary = build(corpus, tmp_path / "processed", progress=False, cluster=cluster.scheduler_address)
        watcher.join(5)
        assert killed, "no worker was busy with a batch to kill"
        assert digests(summary.out) == digests(local)
        # the nanny brought a new worker process in place of the one killed
        client.wait_for_workers(2, timeout=30)
        assert pids[killed[0]] not in client.run(os.getpid).values()
    finally:
        client.close()


def test_the_drivers_input_limits_apply_on_the_workers(corpus, cluster, tmp_path, monkeypatch):
    # workers of a cluster do not share the driver's environment: --limit must reach them
    raw = tmp_path / "raw"
    raw.mkdir()
    for f in sorted(corpus.glob("*.txt"))[:6]:
        shutil.copy(f, raw / f.name)
    monkeypatch.setenv("ANALYSIS_MAX_REPORT_CHARS", "1500")   # what build --limit sets
    here = build(raw, tmp_path / "here", progress=False)
    there = build(raw, tmp_path / "there", progress=False, cluster=cluster.scheduler_address)
    assert any("beyond the limit of 1,500 per report" in str(m) for m in there.messages)
    assert summary_text(there) == summary_text(here)
    assert digests(there.out) == digests(here.out)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_closed_port_gives_one_line_and_leaves_the_tables(corpus, local, tmp_path, monkeypatch, capsys):
    out = tmp_path / "processed"
    shutil.copytree(local, out)
    before = digests(out)
    address = f"tcp://127.0.0.1:{free_port()}"
    monkeypatch.setenv("ANALYSIS_CLUSTER_TIMEOUT", "1")
    code = cli.main(["build", "--raw", str(corpus), "--out", str(out), "--cluster", address, "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and address in err[0] and "cannot reach the Dask scheduler" in err[0]
    assert "dask scheduler" in err[0]                      # the fix: start one there
    assert digests(out) == before                          # the previous tables, untouched


def test_workers_with_another_version_are_refused_before_any_work(corpus, local, cluster, tmp_path,
                                                                  capsys):
    client = distributed.Client(cluster.scheduler_address, set_as_default=False)

    def set_version(v):
        import analysis
        old, analysis.__version__ = analysis.__version__, v
        return old
    out = tmp_path / "processed"
    shutil.copytree(local, out)
    before = digests(out)
    old = next(iter(client.run(set_version, "0.0.1-other").values()))
    try:
        code = cli.main(["build", "--raw", str(corpus), "--out", str(out), "--cluster",
                         cluster.scheduler_address, "--quiet"])
    finally:
        client.run(set_version, old)
        client.close()
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and cluster.scheduler_address in err[0]
    assert "another version of the analysis package" in err[0] and "0.0.1-other" in err[0]
    assert digests(out) == before


def test_dask_maps_the_per_report_function_to_the_local_facts(corpus, local):
    reports = load_reports(corpus).reports.iloc[:30]
    jobs = [ReportJob(d, t, d, lv) for d, t, lv in zip(reports["doc_id"], reports["text"],
                                                       reports["unit_level"])]
    outputs = db.from_sequence(jobs, npartitions=4).map(process_report).compute(scheduler="threads")
    got = sorted((f["fact_id"], f["value"], f["indicator_id"] or "") for o in outputs for f in o.facts)
    facts = read_table("facts", local)
    facts = facts[facts["doc_id"].isin(set(reports["doc_id"]))]
    assert got == sorted(zip(facts["fact_id"], facts["value"], facts["indicator_id"].fillna("")))


def test_dask_dataframe_reads_the_partitioned_observations(local):
    partitioning = pads.partitioning(pa.schema([("period", pa.string())]), flavor="hive")
    ddf = dd.read_parquet(str(table_path("observations", local)), dataset={"partitioning": partitioning})
    assert ddf.npartitions == len(table_files("observations", local))
    expected = read_table("observations", local)
    got = ddf.compute()
    assert set(got.columns) == set(expected.columns)
    got = (got[list(expected.columns)].sort_values(list(SORT_ORDER["observations"]))
           .reset_index(drop=True))
    cols = ["obs_id", "unit_name", "period", "indicator_id", "doc_id", "raw", "quote"]
    assert got[cols].astype(str).values.tolist() == expected[cols].astype(str).values.tolist()
    assert got["value"].tolist() == expected["value"].tolist()
    # an aggregation computed by the cluster engine equals the local one
    by_engine = (ddf.groupby(["period", "indicator_id"])["value"].count().compute()
                 .sort_index())
    by_pandas = expected.groupby(["period", "indicator_id"])["value"].count().sort_index()
    assert by_engine.to_dict() == by_pandas.to_dict()
    # and a period is read from its own files only
    one = dd.read_parquet(str(table_path("observations", local)),
                          dataset={"partitioning": partitioning},
                          filters=[("period", "==", expected["period"].iloc[0])])
    assert one.npartitions == 1
