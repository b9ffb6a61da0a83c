"""Reports of the week acceptance cases, written once per session for all report tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from optimizer.output import write_result

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
