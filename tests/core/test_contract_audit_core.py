"""Contract audit of the core (CONTRACT sections 3-5): cases found by the audit.

CONTRACT 4: "3 infeasible (the message says which requirement cannot be met and, for a CFE
target or emissions cap, the best value reachable) ... Never a Python traceback".
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from tests.core.helpers import scenario, write_files


def test_cli_run_twice_in_one_process_prints_no_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``dcopt run`` invoked twice in one process (as a script or a harness using typer's
    CliRunner does), with no logging set up beforehand (pytest's own handlers removed).

    Load 10 MW in 2 steps, grid cfe_share 0 and one pay-as-produced PPA of at most 5 MW with
    profile [0.5, 1]: the most clean energy is 5·(0.5 + 1) = 7.5 MWh of 20, so the best
    reachable score is 7.5/20 = 0.375 (CONTRACT 3.6) and a 0.99 target is infeasible, exit 3.
    The model logs a warning on the way. The first run's logging handler must not write to
    the first run's (by then closed) stderr in the second run: that printed
    ``--- Logging error --- Traceback ...`` into the second run's stderr.
    """
    sc = scenario(
        [10, 10],
        columns={"wcf": [0.5, 1.0]},
        ppa_offers=[
            {
                "name": "w",
                "kind": "pay_as_produced",
                "profile": "wcf",
                "price_per_mwh": 40,
                "max_mw": 5,
            }
        ],
        carbon={"cfe_target": 0.99},
    )
    path = write_files(sc, tmp_path / "in")
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    runner = CliRunner()
    for i in range(2):
        r = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / f"out{i}")])
        assert r.exit_code == 3, r.stdout + r.stderr
        assert "0.375" in r.stderr
        assert "Traceback" not in r.stderr
        assert "Logging error" not in r.stderr
