"""The command line's fixed costs: help and light commands import no heavy library.

Not timed (speed goals are ratios in benchmarks/); this checks what gets imported, in a fresh
interpreter, so that a top-level import added to any command module is caught.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from optimizer.cli import app

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pyomo", "matplotlib", "pandas", "scipy", "highspy")

_PROBE = """
import json, sys
args, watch = json.loads(sys.argv[1]), set(json.loads(sys.argv[2]))
from optimizer.cli import app
sys.argv = ["dcopt", *args]
try:
    app()
except SystemExit:
    pass
heavy = sorted({m.split(".")[0] for m in sys.modules} & watch)
print("IMPORTED", json.dumps(heavy))
"""


def _probe(code: str, *args: str, tag: str) -> str:
    """Run ``code`` in a fresh interpreter with ``args``; its last stdout line starting with
    ``tag``, without the tag."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    line = [x for x in proc.stdout.splitlines() if x.startswith(tag)]
    assert line, proc.stdout + proc.stderr
    return line[-1].removeprefix(tag)


def _imported(args: list[str]) -> list[str]:
    return list(json.loads(_probe(_PROBE, json.dumps(args), json.dumps(HEAVY), tag="IMPORTED ")))


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["run", "--help"],
        ["compare", "--help"],
        ["frontier", "--help"],
        ["batch", "--help"],
    ],
)
def test_help_imports_nothing_heavy(args: list[str]) -> None:
    assert _imported(args) == []


def test_set_example_shows_its_brackets() -> None:
    """Rich markup would eat ``[wind-a]`` (a style tag) unless it is escaped."""
    res = CliRunner().invoke(app, ["run", "--help"], terminal_width=300, env={"COLUMNS": "300"})
    assert res.exit_code == 0
    assert "ppa_offers[wind-a].price_per_mwh=52" in res.output


_SCREENING_PROBE = """
import sys
import optimizer.solve  # Pyomo first, as in `dcopt run --screening`
from optimizer.scenario import load_problem
from optimizer.screening import solve_screening
r = solve_screening(load_problem(sys.argv[1]), days_per_month=2)
import optimizer.report  # matplotlib after Pyomo: no pyplot either
print("STATS", r.status, "scipy" in sys.modules, "scipy.stats" in sys.modules,
      "matplotlib.pyplot" in sys.modules)
"""


def test_screening_imports_scipy_without_pyomos_stats_hook() -> None:
    """The clustering imports scipy.cluster after Pyomo, whose import hook would also import
    scipy.stats (1.5 s; optimizer.pyomo_imports), and the report matplotlib, whose hook
    would import pyplot: both hooks are dropped as the model imports Pyomo."""
    scenario = ROOT / "tests" / "acceptance" / "week-basic" / "scenario.yaml"
    assert _probe(_SCREENING_PROBE, str(scenario), tag="STATS ") == "optimal True False False"


_LEVELS_PROBE = """
import json, logging, sys
from optimizer.cli import app
sys.argv = ["dcopt", *json.loads(sys.argv[1]), "schema"]
try:
    app()
except SystemExit:
    pass
names = ("optimizer.model.builder", "api.jobs", "pyomo.core", "h5py")
print("LEVELS", json.dumps({n: logging.getLogger(n).getEffectiveLevel() for n in names}))
"""


@pytest.mark.parametrize(
    ("flags", "ours", "theirs"),
    [
        ([], logging.WARNING, logging.WARNING),
        (["-v"], logging.INFO, logging.INFO),
        (["-vv"], logging.DEBUG, logging.INFO),
        (["-vvv"], logging.DEBUG, logging.DEBUG),
        (["-q", "-vv"], logging.WARNING, logging.WARNING),
        (["-q", "-vvv"], logging.WARNING, logging.WARNING),
    ],
)
def test_verbosity_keeps_libraries_quiet_until_asked(
    flags: list[str], ours: int, theirs: int
) -> None:
    """``-vv`` is dcopt's debug lines only: Pyomo at DEBUG prints every component it
    constructs (a 10-year pathway's build took 14.9 s instead of 2.8 s); ``-vvv`` opens
    every library's."""
    levels = json.loads(_probe(_LEVELS_PROBE, json.dumps(flags), tag="LEVELS "))
    assert levels["optimizer.model.builder"] == ours
    assert levels["api.jobs"] == ours
    assert levels["pyomo.core"] == theirs
    assert levels["h5py"] == theirs


_UNPICKLE_PROBE = """
import pickle, sys
pickle.loads(open(sys.argv[1], "rb").read())
print("IMPORTED", sorted({m.split(".")[0] for m in sys.modules} & {"pyomo", "highspy"}))
"""


def test_a_portable_result_unpickles_without_the_solver_stack(tmp_path: Path) -> None:
    """The report process gets :meth:`Result.portable`; its class lives in
    ``optimizer.result``, so unpickling it imports neither Pyomo nor HiGHS (on week-basic
    the parent then waited 0.46 s for the report instead of 1.14 s)."""
    import pickle

    from optimizer.solve import solve

    r = solve(ROOT / "tests" / "acceptance" / "week-basic" / "scenario.yaml")
    path = tmp_path / "result.pkl"
    path.write_bytes(pickle.dumps(r.portable()))
    assert _probe(_UNPICKLE_PROBE, str(path), tag="IMPORTED ") == "[]"


def test_importing_freezes_only_what_it_imported(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """optimizer.gcpause.importing: ``gc.freeze`` after a block that imported a module, not
    after one that imported nothing (a second command in the same process)."""
    import gc
    import sys

    from optimizer import gcpause

    frozen: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(1))
    with gcpause.importing():
        import json  # noqa: F401  (already imported: nothing new)
    assert frozen == []
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    with gcpause.importing():
        import colorsys  # noqa: F401
    assert frozen == [1]
