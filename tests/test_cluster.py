"""The build on a cluster engine, at small scale: Dask runs the real per-report work.

``docs/scaling.md`` says how the same build runs for a whole country on Dask or
Spark. Here Dask's process scheduler maps :func:`analysis.build.process_batch`
(and :func:`analysis.build.process_report`) over a dozen generated reports in
worker processes, and ``dask.dataframe`` reads the partitioned Parquet the local
build wrote: both must give exactly what the local build gives.
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pandas as pd
import pytest

dask = pytest.importorskip("dask", reason="dask is not installed: pip install 'dask[dataframe]' "
                                           "to run the cluster tests")
db = pytest.importorskip("dask.bag")
dd = pytest.importorskip("dask.dataframe")

import pyarrow as pa  # noqa: E402
import pyarrow.dataset as pads  # noqa: E402

from analysis.build import ReportJob, build, process_batch, process_report  # noqa: E402
from analysis.load import load_reports  # noqa: E402
from analysis.store import SORT_ORDER, read_table, table_files, table_path, write_tables  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import make_corpus  # noqa: E402

N_REPORTS = 12
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.reset_index")


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return make_corpus.write_corpus(N_REPORTS, seed=7, out=tmp_path_factory.mktemp("c") / "raw",
                                    jobs=1, quiet=True)


@pytest.fixture(scope="module")
def local(corpus, tmp_path_factory) -> Path:
    return build(corpus, tmp_path_factory.mktemp("local") / "processed", progress=False).out


def test_dask_maps_the_real_batch_function_and_writes_the_local_tables(corpus, local, tmp_path):
    reports = load_reports(corpus).reports
    batches = [reports.iloc[i:i + 3] for i in range(0, len(reports), 3)]
    outputs = (db.from_sequence(batches, npartitions=len(batches))
               .map(process_batch)
               .compute(scheduler="processes", num_workers=2))
    facts = pd.concat([o.facts for o in outputs], ignore_index=True)
    observations = pd.concat([o.observations for o in outputs if len(o.observations)],
                             ignore_index=True)
    assert [m for o in outputs for m in o.messages] == []
    out = write_tables({"reports": reports, "facts": facts, "observations": observations},
                       tmp_path / "processed")
    assert digests(out) == digests(local)          # every file, byte for byte


def test_dask_maps_the_per_report_function_to_the_local_facts(corpus, local):
    reports = load_reports(corpus).reports
    jobs = [ReportJob(d, t, d) for d, t in zip(reports["doc_id"], reports["text"])]
    outputs = db.from_sequence(jobs, npartitions=4).map(process_report).compute(scheduler="threads")
    got = sorted((f["fact_id"], f["value"], f["indicator_id"] or "") for o in outputs for f in o.facts)
    facts = read_table("facts", local)
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
