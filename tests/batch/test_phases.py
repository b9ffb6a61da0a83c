"""What issue 12 item 5 changed in the batch's serial part, each checked so it can fail:

- a case validated in the process that solves it is loaded and validated once, not twice,
  with the same numbers as a batch that loads it again;
- the kept problems are bounded (``KEEP_STEPS``) and dropped after the batch;
- a pool's workers are let exit after the last case, so their CPU is counted
  (``RUSAGE_CHILDREN``) and the phases of ``BatchPlan.phases`` add up;
- summary.png is drawn without importing pyplot, though Pyomo is imported first.

All on the week-long acceptance case week-contracts (168 steps)."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import optimizer.batch.worker as worker
import optimizer.scenario
from optimizer.batch import plan_batch, run_batch, run_plan
from optimizer.batch.cases import prepare_cases
from optimizer.batch.runner import _pool_context
from optimizer.batch.sweep import read_sweep
from optimizer.batch.worker import CaseOutcome

from .conftest import write_sweep

WIND = "ppa_offers[wind-a].price_per_mwh"
PRICES = [44, 52, 60]


def _sweep(inputs: Path) -> Path:
    return write_sweep(inputs.parent, f"base: inputs/scenario.yaml\nproduct:\n  {WIND}: {PRICES}\n")


def _count_loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count load_problem calls by the validation (cases.py) and the solve (worker.py)."""
    calls = [0]
    real = optimizer.scenario.load_problem

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr("optimizer.batch.cases.load_problem", counted)
    monkeypatch.setattr(optimizer.scenario, "load_problem", counted)  # run_case imports it
    return calls


def test_a_case_is_validated_once_when_solved_where_it_was_validated(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sweep = _sweep(inputs)
    calls = _count_loads(monkeypatch)
    once = run_batch(sweep, tmp_path / "once", workers=1)
    assert calls[0] == 3  # before: 6, validation and again in run_case
    assert worker._validated == {}  # nothing left kept after the batch

    monkeypatch.setattr(worker, "KEEP_STEPS", 0)  # keep nothing: every solve loads again
    calls[0] = 0
    twice = run_batch(sweep, tmp_path / "twice", workers=1)
    assert calls[0] == 6
    assert list(once["status"]) == ["optimal"] * 3
    assert list(once[WIND]) == PRICES
    # same answers either way; the strike matters (the costs differ between cases)
    for col in ("total_cost", "cfe_score", "objective"):
        assert list(once[col]) == pytest.approx(list(twice[col]), rel=1e-9)
    assert once["total_cost"].nunique() == 3


def test_kept_problems_are_bounded_and_taken_once(
    inputs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sweep = _sweep(inputs)
    monkeypatch.setattr(worker, "KEEP_STEPS", 2 * 168)  # room for two week-long cases
    worker.forget_validated()
    try:
        cases = prepare_cases(read_sweep(sweep), keep=True)
        hashes = [c.scenario_hash for c in cases]
        assert list(worker._validated) == hashes[:2]  # first come, first kept
        assert worker.kept_steps() == 336
        problem = worker.take_validated(hashes[0])
        assert problem is not None and problem.periods == 168
        assert worker.take_validated(hashes[0]) is None  # once
        assert worker.take_validated(hashes[2]) is None  # never kept
        assert worker.kept_steps() == 168
        prepare_cases(read_sweep(sweep))  # keep=False by default: nothing added
        assert list(worker._validated) == [hashes[1]]
    finally:
        worker.forget_validated()
    assert worker.kept_steps() == 0


def test_pool_workers_are_waited_for_and_phases_add_up(inputs: Path, tmp_path: Path) -> None:
    sweep = _sweep(inputs)
    outcomes: list[CaseOutcome] = []
    forked = _pool_context().get_start_method() == "fork"  # no other thread here
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    plan = plan_batch(sweep, tmp_path / "out", workers=2)
    frame = run_plan(plan, workers=2, on_case=lambda o, *_: outcomes.append(o))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    children = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime

    assert list(frame["status"]) == ["optimal"] * 3
    case_cpu = [o.cpu_seconds for o in outcomes]
    assert len(case_cpu) == 3 and min(case_cpu) > 0.005  # a solve is ~0.1 s of CPU
    if forked:  # forkserver workers are the server's children, not this process's
        # the workers exited and were waited for: their CPU (the cases' and more) counts
        assert children >= 0.99 * sum(case_cpu)
    phases = plan.phases
    for name in (
        "read sweep",
        "pool start",
        "validate",
        "resume check",
        "solve",
        "write cases",
        "pool stop",
        "results table",
        "summary.txt",
        "summary.png",
    ):
        assert name in phases and phases[name].entries >= 1, name
        assert phases[name].wall >= 0.0 and phases[name].cpu >= 0.0
    assert phases["write cases"].entries == 3
    assert phases["solve"].entries == 4  # one wait per case, one to find the end
    assert (tmp_path / "out" / "summary.png").stat().st_size > 10_000
    assert "summary.png" in phases.describe()


def test_summary_png_is_drawn_without_pyplot(inputs: Path, tmp_path: Path) -> None:
    """In a fresh process that imports Pyomo first (as dcopt does), so the hook is armed."""
    sweep = write_sweep(inputs.parent, f"base: inputs/scenario.yaml\nproduct:\n  {WIND}: [44]\n")
    code = (
        "import sys, optimizer.solve\n"
        "from optimizer.batch import run_batch\n"
        f"run_batch({str(sweep)!r}, {str(tmp_path / 'out')!r}, workers=1)\n"
        "print('matplotlib' in sys.modules, 'matplotlib.pyplot' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert proc.stdout.split() == ["True", "False"]
    assert (tmp_path / "out" / "summary.png").stat().st_size > 10_000
