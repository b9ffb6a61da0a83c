"""Running a batch: numbers against direct solves and the acceptance answer, resume after an
interruption or a killed run, stale cases, failed and infeasible cases, the command line.

All cases are the week-long acceptance case week-contracts (~0.2 s a solve), in this
process (workers=1) so the tests stay fast; the pool and Dask are in test_dask.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from optimizer.batch import BatchInterrupted, run_batch
from optimizer.batch.worker import CaseOutcome
from optimizer.cli import app
from optimizer.solve import SolveOptions, solve

from .conftest import WEEK, write_sweep

WIND = "ppa_offers[wind-a].price_per_mwh"
CFE = "carbon.cfe_target"
EMIS = "carbon.max_emissions_tco2"


class Recorder:
    """on_case callback: records the case ids solved; optionally interrupts after ``stop``."""

    def __init__(self, stop: int | None = None) -> None:
        self.ids: list[str] = []
        self.stop = stop

    def __call__(self, outcome: CaseOutcome, done: int, total: int) -> None:
        self.ids.append(outcome.case_id)
        if self.stop is not None and done >= self.stop:
            raise KeyboardInterrupt


def test_results_match_direct_solves_and_the_acceptance_answer(
    inputs: Path, tmp_path: Path
) -> None:
    """case-0001 is the unchanged base scenario: its numbers must equal expected.json of the
    acceptance case (an independent model's answer). Every case must equal a direct
    ``solve()`` of the base with the same ``--set`` overrides (no batch machinery)."""
    sweep = write_sweep(
        inputs.parent,
        f"base: inputs/scenario.yaml\nzip:\n  {WIND}: [46, 60]\n  {CFE}: [0.8, 0.9]\n",
    )
    out = tmp_path / "out"
    frame = run_batch(sweep, out, workers=1)

    expected = json.loads((WEEK / "expected.json").read_text())
    assert list(frame.columns[:12]) == [
        "case_id",
        WIND,
        CFE,
        "status",
        "message",
        "objective",
        "total_cost",
        "cfe_score",
        "emissions_location_tco2",
        "emissions_market_tco2",
        "served_load_mwh",
        "cost_per_mwh",
    ]
    assert list(frame["case_id"]) == ["case-0001", "case-0002"]
    assert list(frame[WIND]) == [46.0, 60.0]
    assert list(frame["status"]) == ["optimal", "optimal"]
    first = frame.iloc[0]
    assert first["objective"] == pytest.approx(expected["objective"], rel=1e-6)
    assert first["cfe_score"] == pytest.approx(expected["cfe_score"], abs=1e-6)
    assert first["emissions_location_tco2"] == pytest.approx(
        expected["emissions_tco2"]["location_based"], rel=1e-6
    )
    for name, mw in expected["capacity_mw"].items():
        assert first[f"capacity_mw.{name}"] == pytest.approx(mw, rel=1e-6, abs=1e-6)

    direct = solve(
        inputs / "scenario.yaml", SolveOptions(threads=1), overrides=[f"{WIND}=60", f"{CFE}=0.9"]
    )
    second = frame.iloc[1]
    assert second["total_cost"] == pytest.approx(direct.summary["total_cost"], rel=1e-9)
    assert second["cfe_score"] == pytest.approx(0.9, abs=1e-6)
    assert second["capacity_mw.firm-block"] == pytest.approx(
        direct.summary["capacity_mw"]["firm-block"], rel=1e-6, abs=1e-6
    )
    assert second["storage_mwh.battery"] == pytest.approx(
        direct.summary["storage_mwh"]["battery"], rel=1e-6, abs=1e-6
    )

    # outputs: results.parquet equals the returned frame; each case has its own folder
    pd.testing.assert_frame_equal(pd.read_parquet(out / "results.parquet"), frame)
    case = out / "cases" / "case-0002"
    summary = json.loads((case / "summary.json").read_text())
    assert summary["batch"]["overrides"] == {WIND: 60, CFE: 0.9}
    assert summary["batch"]["scenario_hash"] == second["scenario_hash"]
    assert len(pd.read_parquet(case / "dispatch.parquet")) == 168
    assert (out / "summary.png").stat().st_size > 1000
    assert "2 cases: 2 optimal" in (out / "summary.txt").read_text()
    index = json.loads((out / "batch.json").read_text())
    assert [c["case_id"] for c in index["cases"]] == ["case-0001", "case-0002"]


def test_resume_after_interrupt_and_killed_run(inputs: Path, tmp_path: Path) -> None:
    """Interrupt after the first case; fake a run killed mid-write (a half-written temp folder
    and a truncated summary.json); the next run solves exactly the unfinished cases and
    leaves the finished one untouched. A third run solves nothing; editing the series file
    makes every case stale."""
    sweep = write_sweep(
        inputs.parent, f"base: inputs/scenario.yaml\nproduct:\n  {WIND}: [40, 50, 60]\n"
    )
    out = tmp_path / "out"
    first = Recorder(stop=1)
    with pytest.raises(BatchInterrupted) as info:
        run_batch(sweep, out, workers=1, on_case=first)
    assert (info.value.finished, info.value.total) == (1, 3)
    assert first.ids == ["case-0001"]
    partial = pd.read_parquet(out / "results.parquet")
    assert list(partial["status"]) == ["optimal", "pending", "pending"]

    done = out / "cases" / "case-0001" / "summary.json"
    stamp = done.stat().st_mtime_ns
    (out / "cases" / ".tmp-case-0003-dead").mkdir()
    (out / "cases" / ".tmp-case-0003-dead" / "summary.json").write_text("{")
    (out / "cases" / "case-0002").mkdir()
    (out / "cases" / "case-0002" / "summary.json").write_text('{"status": "opti')

    second = Recorder()
    frame = run_batch(sweep, out, workers=1, on_case=second)
    assert sorted(second.ids) == ["case-0002", "case-0003"]
    assert done.stat().st_mtime_ns == stamp
    assert list(frame["status"]) == ["optimal"] * 3
    assert sorted(p.name for p in (out / "cases").iterdir()) == [
        "case-0001",
        "case-0002",
        "case-0003",
    ]
    # a higher wind strike never lowers the cost (the same choices stay feasible)
    costs = list(frame["total_cost"])
    assert costs[0] <= costs[1] + 1e-6 <= costs[2] + 2e-6

    third = Recorder()
    again = run_batch(sweep, out, workers=1, on_case=third)
    assert third.ids == []
    pd.testing.assert_frame_equal(
        again.drop(columns=["build_seconds", "solve_seconds"]),
        frame.drop(columns=["build_seconds", "solve_seconds"]),
    )

    csv = inputs / "profiles.csv"
    csv.write_text(csv.read_text().replace("84.467", "85.467", 1))
    fourth = Recorder()
    run_batch(sweep, out, workers=1, on_case=fourth)
    assert sorted(fourth.ids) == ["case-0001", "case-0002", "case-0003"]


def test_infeasible_time_limit_failed_recorded_and_retry(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An emissions cap of 0 is infeasible (the diagnosis finds >0 tCO2 is the least
    reachable); a solve that raises is 'failed'; both are recorded and the batch goes on.
    time_limit/failed cases are rerun only with retry_failed; infeasible ones never."""
    sweep = write_sweep(
        inputs.parent, f"base: inputs/scenario.yaml\nproduct:\n  {EMIS}: [null, 0, 5000]\n"
    )
    out = tmp_path / "out"
    import optimizer.solve as solve_module

    real_solve = solve_module.solve

    def flaky(problem: Any, options: Any = None, **kw: Any) -> Any:
        if problem.scenario.carbon.max_emissions_tco2 == 5000:
            raise RuntimeError("solver crashed")
        return real_solve(problem, options, **kw)

    monkeypatch.setattr(solve_module, "solve", flaky)
    frame = run_batch(sweep, out, workers=1)
    assert list(frame["status"]) == ["optimal", "infeasible", "failed"]
    assert "max_emissions_tco2 0 cannot be met" in frame["message"][1]
    assert frame["message"][2] == "RuntimeError: solver crashed"
    assert pd.isna(frame["total_cost"][1])
    failed = json.loads((out / "cases" / "case-0003" / "summary.json").read_text())
    assert failed["status"] == "failed"

    monkeypatch.setattr(solve_module, "solve", real_solve)
    plain = Recorder()
    run_batch(sweep, out, workers=1, on_case=plain)
    assert plain.ids == []
    retry = Recorder()
    frame = run_batch(sweep, out, workers=1, retry_failed=True, on_case=retry)
    assert retry.ids == ["case-0003"]
    assert list(frame["status"]) == ["optimal", "infeasible", "optimal"]
    # the cap of 5000 tCO2 is above the base case's emissions (3760): the same optimum
    assert frame["total_cost"][2] == pytest.approx(frame["total_cost"][0], rel=1e-9)


def test_cli_runs_resumes_and_prints_plain_progress(inputs: Path, tmp_path: Path) -> None:
    sweep = write_sweep(
        inputs.parent, f"base: inputs/scenario.yaml\nproduct:\n  {WIND}: [46, 52]\n"
    )
    out = tmp_path / "out"
    runner = CliRunner()
    res = runner.invoke(app, ["batch", str(sweep), "--out", str(out), "--workers", "1"])
    assert res.exit_code == 0, res.output
    assert "2 cases; 0 finished earlier; solving 2 in this process" in res.output
    assert "[1/2] case-0001 optimal total_cost=854,673 cfe=0.800" in res.output
    assert "ETA" in res.output
    assert "2 cases: 2 optimal" in res.output
    res = runner.invoke(app, ["batch", str(sweep), "--out", str(out), "--workers", "1"])
    assert res.exit_code == 0, res.output
    assert "2 cases; 2 finished earlier; solving 0" in res.output
    assert "[1/" not in res.output


def _die_on_second(task: Any, contents: Any = None) -> CaseOutcome:
    """Stands in for run_case in a pool worker: the process dies on case-0002."""
    import os

    from optimizer.batch.worker import run_case

    if task.case_id == "case-0002":
        os._exit(9)
    return run_case(task, contents)


def test_a_dead_worker_process_stops_the_batch_and_keeps_finished_cases(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A local worker killed mid-case (as by the out-of-memory killer) breaks the pool: the
    batch stops with a DcoptError (exit 1), results.parquet lists what finished, and running
    again completes the batch."""
    from optimizer.batch import runner
    from optimizer.errors import DcoptError

    sweep = write_sweep(
        inputs.parent, f"base: inputs/scenario.yaml\nproduct:\n  {WIND}: [40, 50, 60]\n"
    )
    out = tmp_path / "out"
    monkeypatch.setattr(runner, "run_case", _die_on_second)
    with pytest.raises(DcoptError, match="worker process died"):
        run_batch(sweep, out, workers=2)
    partial = pd.read_parquet(out / "results.parquet")
    assert partial["status"][1] == "pending"
    assert set(partial["status"]) <= {"optimal", "pending"}

    monkeypatch.undo()
    frame = run_batch(sweep, out, workers=1)
    assert list(frame["status"]) == ["optimal"] * 3
