"""Local batches share the cores: workers × HiGHS threads ≤ cores; one pool validates and
then solves (kept on the plan between plan_batch and run_plan)."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

from optimizer.batch import plan_batch, run_plan, runner
from optimizer.options import available_cores
from tests.batch.conftest import write_sweep


def test_threads_split_the_cores() -> None:
    cores = available_cores()
    assert runner._worker_threads(1) == cores
    for workers in (2, 3, 8):
        threads = runner._worker_threads(workers)
        assert threads >= 1
        assert workers * threads <= max(cores, workers)


def test_one_pool_validates_and_solves(inputs: Path, tmp_path: Path) -> None:
    sweep = write_sweep(
        tmp_path,
        "base: inputs/scenario.yaml\nproduct:\n  ppa_offers[wind-a].price_per_mwh: [40, 60]\n",
    )
    plan = plan_batch(sweep, tmp_path / "out", workers=2)
    assert plan.pool is not None and plan.pool_workers == 2
    seen: list[int] = []
    real_task = runner._task

    def task(*args: object, **kwargs: object) -> runner.CaseTask:
        t = real_task(*args, **kwargs)  # type: ignore[arg-type]
        seen.append(t.threads)
        return t

    no_second_pool = mock.patch.object(runner, "_start_pool", side_effect=AssertionError)
    with no_second_pool, mock.patch.object(runner, "_task", side_effect=task):
        frame = run_plan(plan, workers=2)
    assert plan.pool is None
    assert list(frame["status"]) == ["optimal", "optimal"]
    assert seen == [runner._worker_threads(2)] * 2


def test_a_plan_with_nothing_to_run_keeps_no_pool(inputs: Path, tmp_path: Path) -> None:
    sweep = write_sweep(
        tmp_path,
        "base: inputs/scenario.yaml\nproduct:\n  ppa_offers[wind-a].price_per_mwh: [40, 60]\n",
    )
    run_plan(plan_batch(sweep, tmp_path / "out", workers=1), workers=1)
    again = plan_batch(sweep, tmp_path / "out", workers=2)
    assert not again.to_run and again.pool is None
