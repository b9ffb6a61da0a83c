"""Fixtures of the batch tests: a copy of the week-long acceptance case to sweep over."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ACCEPTANCE = Path(__file__).resolve().parents[1] / "acceptance"
WEEK = ACCEPTANCE / "week-contracts"


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """``tmp/inputs/scenario.yaml`` + ``profiles.csv``: week-contracts (168 h, ~0.2 s a solve)."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    for name in ("scenario.yaml", "profiles.csv"):
        shutil.copy(WEEK / name, folder / name)
    return folder


def write_sweep(folder: Path, body: str, name: str = "sweep.yaml") -> Path:
    """Write a sweep file next to ``inputs/`` (its base is ``inputs/scenario.yaml``)."""
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path
