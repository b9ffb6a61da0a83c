"""Shared fixtures: paths to the acceptance cases and a cache of solved cases."""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ACCEPTANCE = TESTS / "acceptance"
ACCEPTANCE_CASES = sorted(p.name for p in ACCEPTANCE.iterdir() if (p / "scenario.yaml").is_file())


@pytest.fixture(scope="session")
def acceptance_dir() -> Path:
    return ACCEPTANCE


_SOLVED: dict[str, object] = {}


@pytest.fixture(scope="session")
def solved_case():  # type: ignore[no-untyped-def]
    """Solve an acceptance case once per session: ``solved_case("year-cfe90")``."""
    from optimizer.solve import solve

    def get(name: str):  # type: ignore[no-untyped-def]
        if name not in _SOLVED:
            _SOLVED[name] = solve(ACCEPTANCE / name / "scenario.yaml")
        return _SOLVED[name]

    return get
