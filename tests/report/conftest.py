"""Reports of the week acceptance cases, written once per session for all report tests."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from optimizer.output import write_result
from optimizer.report import process as rp

CASES = ["week-basic", "week-contracts"]


@pytest.fixture(scope="session")
def written(solved_case, tmp_path_factory):  # type: ignore[no-untyped-def]
    """``{case: (summary.json as dict, report.html text, report path)}`` via ``Result.write``."""
    out: dict[str, tuple[dict[str, Any], str, Path]] = {}
    for case in CASES:
        folder = tmp_path_factory.mktemp(case)
        paths = write_result(solved_case(case), folder)
        report = folder / "report.html"
        assert report in paths
        summary = json.loads((folder / "summary.json").read_text())
        out[case] = (summary, report.read_text(encoding="utf-8"), report)
    return out


@pytest.fixture
def idle_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two idle cores and no other thread, whatever the test runner's machine is doing
    (the report process of optimizer/report/process.py then forks)."""
    monkeypatch.setattr(rp, "_cores", lambda: 2)
    monkeypatch.setattr(rp, "_load", lambda: 0.0)
    monkeypatch.setattr(rp, "_imported", lambda: False)
    monkeypatch.setattr(threading, "active_count", lambda: 1)


def started_report_process() -> rp.ReportProcess:
    """A forked report process (under :func:`idle_machine`)."""
    proc = rp.ReportProcess.start()
    assert proc is not None
    return proc
