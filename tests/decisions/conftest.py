"""Fixtures of the decision tests."""

from __future__ import annotations

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
