"""Fixtures of the API tests: apps on a temporary data folder, scenarios with inline series.

The database of a test is SQLite in its temporary folder, or, for tests that take the
``database_url`` fixture, also the PostgreSQL server named by ``DCOPT_TEST_POSTGRES_URL``
(``.ci/run`` installs, starts and names one; without it those cases are skipped, saying so).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from tests.conftest import ACCEPTANCE

POSTGRES_ENV = "DCOPT_TEST_POSTGRES_URL"


def inline_case(name: str) -> dict[str, Any]:
    """An acceptance case's scenario with its profiles.csv turned into inline columns."""
    case = ACCEPTANCE / name
    raw = yaml.safe_load((case / "scenario.yaml").read_text())
    frame = pd.read_csv(case / "profiles.csv", dtype={"timestamp": str})
    raw["site"]["start"] = str(raw["site"]["start"]).replace(" ", "T")
    raw["series"] = {
        "timestamp": frame["timestamp"].tolist(),
        "columns": {c: frame[c].astype(float).tolist() for c in frame.columns if c != "timestamp"},
    }
    return raw


def tiny_scenario(
    load_mw: float = 10.0, price_per_mwh: float = 50.0, periods: int = 4
) -> dict[str, Any]:
    """A few-step scenario whose optimum is known by hand: all load bought at one price,
    so ``objective = load_mw · periods · price_per_mwh`` (hourly steps)."""
    return {
        "name": "tiny",
        "site": {
            "timezone": "UTC",
            "start": "2027-01-01T00:00",
            "periods": periods,
            "resolution_minutes": 60,
        },
        "series": {"columns": {"load": [load_mw] * periods}},
        "load": {"mw": "load"},
        "grid": {"carbon_intensity_tco2_per_mwh": 0.4, "cfe_share": 0.2},
        "grid_offers": [{"name": "utility", "energy_price_per_mwh": price_per_mwh}],
    }


@pytest.fixture(scope="session")
def week_basic() -> dict[str, Any]:
    return inline_case("week-basic")


@pytest.fixture
def scenario(week_basic: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(week_basic)


AppFactory = Callable[..., TestClient]


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[AppFactory]:
    """``make_client(**settings)`` → a started TestClient (lifespan running)."""
    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        values: dict[str, Any] = {"data_dir": tmp_path / "data", "poll_interval_seconds": 0.05}
        values.update(overrides)
        client = TestClient(create_app(Settings(**values)))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def client(make_client: AppFactory) -> TestClient:
    return make_client()


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def reset_postgres(url: str) -> None:
    """Drop the API's tables and the migration record: a test starts from an empty database."""
    from sqlalchemy import text

    from api.db import Base, make_engine

    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each persistence test runs on SQLite and on a real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'records.db'}"
    url = postgres_url()
    if url is None:
        pytest.skip(f"{POSTGRES_ENV} is not set: no PostgreSQL server to test against")
    reset_postgres(url)
    return url


def wait_for(
    client: TestClient, run_id: str, timeout_s: float = 60.0, **headers: str
) -> dict[str, Any]:
    """Poll ``GET /v1/runs/{id}`` until the run is finished; fail after ``timeout_s``."""
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        r = client.get(f"/v1/runs/{run_id}", headers=headers)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        if body["status"] not in ("queued", "running"):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"run {run_id} still {body['status']} after {timeout_s} s")
        time.sleep(0.05)
