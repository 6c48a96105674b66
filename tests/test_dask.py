"""The Dask path: a register as a Dask DataFrame evaluated partition by partition on a real LocalCluster with worker
processes, giving what `policyrules batch` gives for the same register."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import dask.dataframe as dd  # the test extra installs dask: a missing install is a failure, not a skip
import distributed
import pytest

from policyrules.errors import PolicyRulesError
from policyrules.registers import run_batch
from policyrules.registers.dask_batch import RESULT_COLUMNS, evaluate_dataframe
from test_batch import AS_OF, BAD_ROWS, PACK, good_documents, write_csv


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, worker_dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def test_dask_results_match_batch_on_the_same_register(tmp_path: Path, client: object) -> None:
    docs = good_documents(60)
    register = tmp_path / "register.csv"
    broken = write_csv(register, docs)
    batch_out = tmp_path / "batch.csv"
    run_batch(str(register), batch_out, PACK, as_of=AS_OF)
    with batch_out.open(encoding="utf-8-sig", newline="") as f:
        batch_rows = list(csv.DictReader(f))

    frame = dd.read_csv(str(register), dtype=str, keep_default_na=False, blocksize=4_000, encoding="utf-8-sig")
    assert frame.npartitions >= 3  # several partitions, spread over two worker processes
    lazy = evaluate_dataframe(frame, PACK, AS_OF)
    assert list(lazy.columns) == RESULT_COLUMNS
    results = lazy.compute()
    assert len(results) == len(broken)

    evaluated = results[results["error"] == ""]
    failed = results[results["error"] != ""]
    assert len(failed) == len(BAD_ROWS)
    assert all(field in err for field, err in zip(_broken_fields(broken), failed["error"], strict=True))
    columns = [c for c in RESULT_COLUMNS if c != "error"]
    assert evaluated[columns].to_dict("records") == [{c: r[c] for c in columns} for r in batch_rows]
    # two worker processes, each loading the pack at most once however many partitions it evaluated
    pids = client.run(os.getpid)  # type: ignore[attr-defined]
    assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()
    loads = client.run(_pack_loads)  # type: ignore[attr-defined]
    assert all(n <= 1 for n in loads.values()) and sum(loads.values()) >= 1


def _pack_loads() -> int:
    from policyrules.registers.dask_batch import _pack

    return _pack.cache_info().misses


def _broken_fields(broken: dict[int, str | None]) -> list[str]:
    return [f for _, f in sorted(broken.items()) if f is not None]


def test_unknown_columns_and_dates_fail_before_anything_runs(tmp_path: Path) -> None:
    import pandas as pd

    frame = dd.from_pandas(
        pd.DataFrame({"统一社会信用代码": ["91350100M000100Y43"], "在线监控": ["是"]}), npartitions=1
    )
    with pytest.raises(PolicyRulesError, match="unknown column '在线监控'"):
        evaluate_dataframe(frame, PACK, AS_OF)
    ok = dd.from_pandas(pd.DataFrame({"统一社会信用代码": ["91350100M000100Y43"], "企业名称": ["甲"]}), npartitions=1)
    with pytest.raises(PolicyRulesError, match="in force from 2021-08-06"):
        evaluate_dataframe(ok, PACK, date(2021, 1, 1))
