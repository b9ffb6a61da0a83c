"""Shared fixtures: paths to the acceptance cases and a cache of solved cases."""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ACCEPTANCE = TESTS / "acceptance"
SHARED_ACCEPTANCE = TESTS.parent.parent / "shared" / "acceptance"
"""The contract's reference cases beside the repository (absent in a lone clone)."""


def _cases(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {p.name: p for p in sorted(folder.iterdir()) if (p / "scenario.yaml").is_file()}


ACCEPTANCE_PATHS: dict[str, Path] = {**_cases(SHARED_ACCEPTANCE), **_cases(ACCEPTANCE)}
"""Every acceptance case: the copies in tests/acceptance and any case of
../shared/acceptance not copied yet (CI runs them all)."""
ACCEPTANCE_CASES = sorted(ACCEPTANCE_PATHS)

SLOW = (
    "tests/test_acceptance.py::test_acceptance_case[year-cfe90]",
    "tests/test_acceptance.py::test_location_emissions_where_unique",
    "tests/api/test_live.py",
    "tests/api/test_restart.py",
    "tests/api/test_recovery.py",
    "tests/api/test_docs_offline.py::test_docs_render",
    "tests/api/test_migrations.py::test_serve_refuses",
    "tests/examples/test_wheel.py",
    "tests/batch/test_interrupt.py",
    "tests/batch/test_dask.py",
    "tests/report/test_browser.py",
    "tests/contracts/test_buyer_week.py",
    "tests/api/test_hostile.py::test_fuzz_hostile_bodies",
)
"""Full-year solves, live servers, browsers and fresh venvs: left out by ``make test-fast``
(``-m "not slow"``), run by ``make test`` and CI."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.nodeid.startswith(prefix) for prefix in SLOW):
            item.add_marker(pytest.mark.slow)


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
            _SOLVED[name] = solve(ACCEPTANCE_PATHS[name] / "scenario.yaml")
        return _SOLVED[name]

    return get
