"""The report process of ``dcopt run`` reads the scenario while the parent imports the solver
stack (optimizer/report/process.py, ``ReportProcess.load``): the problem it sends back is the
one this process would read, its log lines and warnings reach this process's handlers, and
anything it cannot read is read here, so the error is this process's own."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from optimizer.scenario import load_problem
from optimizer.solve import solve
from tests.conftest import ACCEPTANCE_PATHS
from tests.report.conftest import started_report_process

WEEK_CONTRACTS = ACCEPTANCE_PATHS["week-contracts"] / "scenario.yaml"
WEEK_BASIC = ACCEPTANCE_PATHS["week-basic"] / "scenario.yaml"


def test_the_child_reads_the_problem_this_process_would(
    idle_machine: None, caplog: pytest.LogCaptureFixture
) -> None:
    """week-contracts with its first PPA's price overridden, read by the child and here: the
    same objective to 1e-9, and not the objective without the override (so the override
    reached the child). The loader's INFO line was made by the child (its record's process
    id) and handled here."""
    caplog.set_level(logging.INFO, logger="optimizer.scenario.loader")
    override = "ppa_offers[0].price_per_mwh=20"
    proc = started_report_process()
    try:
        proc.load(WEEK_CONTRACTS, [override])
        theirs = proc.loaded()
    finally:
        proc.close()
    assert theirs is not None
    mine = load_problem(WEEK_CONTRACTS, overrides=[override])
    a, b = solve(theirs), solve(mine)
    assert a.status == b.status == "optimal"
    assert a.objective == pytest.approx(b.objective, rel=1e-9)
    plain = solve(load_problem(WEEK_CONTRACTS))
    assert abs(plain.objective - a.objective) > 1.0
    lines = [r for r in caplog.records if r.name == "optimizer.scenario.loader"]
    assert lines and lines[0].process != os.getpid()
    assert "week-contracts" in lines[0].getMessage()


def test_a_refused_scenario_is_read_here_and_the_child_still_draws(
    idle_machine: None, tmp_path: Path, solved_case
) -> None:  # type: ignore[no-untyped-def]
    """A scenario the child cannot read gives None (this process reads it and raises its own
    error); the child is still there for the report."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(WEEK_BASIC.read_text().replace("periods: 168", "periods: -3"))
    proc = started_report_process()
    try:
        proc.load(bad)
        assert proc.loaded() is None
        assert proc.submit(solved_case("week-basic"), tmp_path / "report.html")
        assert proc.wait() == tmp_path / "report.html"
    finally:
        proc.close()
    assert "week-basic" in (tmp_path / "report.html").read_text()


def test_the_childs_warnings_are_raised_here(
    idle_machine: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warning raised while the child reads is raised again here, under this process's
    filters."""
    import optimizer.scenario

    real = optimizer.scenario.load_problem

    def warning_load(*args, **kwargs):  # type: ignore[no-untyped-def]
        warnings.warn("a gap in the series", UserWarning, stacklevel=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(optimizer.scenario, "load_problem", warning_load)
    proc = started_report_process()  # forked after the patch: the child reads with warning_load
    try:
        proc.load(WEEK_BASIC)
        with pytest.warns(UserWarning, match="a gap in the series"):
            problem = proc.loaded()
    finally:
        proc.close()
    assert problem is not None and problem.periods == 168


def test_a_dead_child_leaves_the_reading_here(idle_machine: None) -> None:
    proc = started_report_process()
    proc._proc.kill()
    proc._proc.join()
    proc.load(WEEK_BASIC)
    assert proc.loaded() is None
    proc.close()


def _dcopt(*args: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from optimizer.launch import main; sys.argv[0] = 'dcopt'; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the report process forks")
def test_dcopt_run_reads_in_the_report_process(tmp_path: Path) -> None:
    """``dcopt -vv run`` on an idle machine: the scenario is read by the report process (its
    debug line), the loader's line reaches stderr once, and the answer is the library's."""
    out = tmp_path / "out"
    done = _dcopt("-vv", "run", str(WEEK_BASIC), "--out", str(out))
    assert done.returncode == 0, done.stderr
    if "no report process" in done.stderr or "report drawn by" not in done.stderr:
        pytest.skip("the machine was busy: no report process (core_idle)")
    assert "scenario read by the report process" in done.stderr
    assert done.stderr.count("scenario 'week-basic': 168 steps") == 1
    import json

    summary = json.loads((out / "summary.json").read_text())
    assert summary["objective"] == pytest.approx(solve(WEEK_BASIC).objective, rel=1e-9)


def test_dcopt_run_refuses_a_bad_scenario_with_its_field(tmp_path: Path) -> None:
    """Exit 2 and the field named, whoever read it first; no traceback."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(WEEK_BASIC.read_text().replace("periods: 168", "periods: -3"))
    (tmp_path / "profiles.csv").write_text((WEEK_BASIC.parent / "profiles.csv").read_text())
    done = _dcopt("run", str(bad), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert "site.periods" in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
