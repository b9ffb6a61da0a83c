"""The same sweep on a Dask ``distributed.LocalCluster`` (worker processes) and on the local
process pool gives the same results.parquet and case summaries, apart from timings."""

from __future__ import annotations

import json
from pathlib import Path

import distributed
import pandas as pd
import pytest

from optimizer.batch import run_batch

from .conftest import write_sweep

WIND = "ppa_offers[wind-a].price_per_mwh"
CFE = "carbon.cfe_target"
TIMINGS = ["build_seconds", "solve_seconds"]


def _summary(path: Path) -> dict[str, object]:
    s = json.loads(path.read_text())
    for key in ("build_seconds", "solve_seconds"):
        s.pop(key)
    return s


def test_local_cluster_equals_process_pool(inputs: Path, tmp_path: Path) -> None:
    sweep = write_sweep(
        inputs.parent,
        f"base: inputs/scenario.yaml\nzip:\n  {WIND}: [42, 58]\nproduct:\n  {CFE}: [0.75, 0.9]\n",
    )
    pool_out, dask_out = tmp_path / "pool", tmp_path / "dask"
    pool = run_batch(sweep, pool_out, workers=2)
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_port=0,
    ) as cluster:
        on_dask = run_batch(sweep, dask_out, scheduler=cluster.scheduler_address)

    assert list(pool["status"]) == ["optimal"] * 4
    pd.testing.assert_frame_equal(pool.drop(columns=TIMINGS), on_dask.drop(columns=TIMINGS))
    pd.testing.assert_frame_equal(
        pd.read_parquet(pool_out / "results.parquet").drop(columns=TIMINGS),
        pd.read_parquet(dask_out / "results.parquet").drop(columns=TIMINGS),
    )
    for case in pool["case_id"]:
        assert _summary(pool_out / "cases" / case / "summary.json") == _summary(
            dask_out / "cases" / case / "summary.json"
        )
    # the targets bind where the base mix falls short of them
    assert pool["cfe_score"].tolist()[1] == pytest.approx(0.9, abs=1e-6)
