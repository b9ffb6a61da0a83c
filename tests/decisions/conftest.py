"""Fixtures of the decision tests."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def fake_report(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, list[Any]]]:
    """Replace ``optimizer.report.write_report`` by a fast recorder of (result, sections);
    it writes the section titles to the path so the file exists."""
    import optimizer.report

    calls: list[tuple[Any, list[Any]]] = []

    def write_report(result: Any, path: Path, sections: Any = (), week: Any = None) -> Path:
        secs = list(sections)
        calls.append((result, secs))
        Path(path).write_text("".join(s.title for s in secs))
        return Path(path)

    monkeypatch.setattr(optimizer.report, "write_report", write_report, raising=False)
    return calls


@pytest.fixture
def one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """A frontier's second process needs a process with no other thread (fork); a test
    runner may have some (an earlier test's pool): count as one, as
    tests/report/test_process.py does."""
    monkeypatch.setattr(threading, "active_count", lambda: 1)


def same_frontier(a: Any, b: Any) -> None:
    """Two frontiers with the same goals, statuses, costs and best score."""
    assert [p.cfe_target for p in a.points] == [p.cfe_target for p in b.points]
    assert [p.status for p in a.points] == [p.status for p in b.points]
    for p, q in zip(a.points, b.points, strict=True):
        if p.status == "optimal":
            assert p.objective == pytest.approx(q.objective, rel=1e-7)
            assert p.total_cost == pytest.approx(q.total_cost, rel=1e-7)
            assert p.cfe_score == pytest.approx(q.cfe_score, abs=1e-6)
    assert a.max_cfe_score == pytest.approx(b.max_cfe_score, rel=1e-7)
