"""Bad solver flags are input refused (exit 2, the flag named) on every solving command."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from tests.conftest import ACCEPTANCE

SCENARIO = str(ACCEPTANCE / "week-basic" / "scenario.yaml")


@pytest.mark.parametrize(
    ("command", "flag", "value"),
    [
        (["run"], "--algorithm", "bogus"),
        (["compare"], "--algorithm", "bogus"),
        (["frontier", "--cfe", "0.5:1:0.5"], "--algorithm", "bogus"),
        (["run"], "--time-limit", "-1"),
        (["compare"], "--threads", "0"),
    ],
)
def test_bad_solver_flag_exits_2(command: list[str], flag: str, value: str, tmp_path: Path) -> None:
    args = [command[0], SCENARIO, *command[1:], flag, value, "--out", str(tmp_path / "o")]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2, res.output
    assert flag in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "o").exists()
