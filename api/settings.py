"""Server settings, read from ``DCOPT_*`` environment variables (pydantic-settings)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from optimizer.scenario.limits import MAX_PERIODS, InputLimits

API_MAX_PERIODS = 366 * 96
"""The server's default ceiling on ``site.periods``: one 366-day year of 15-minute steps."""


class Settings(InputLimits):
    """Every setting of the API server; each is ``DCOPT_<NAME>`` in the environment.

    The input limits (nesting depth, values, list items, periods) are those of
    :class:`~optimizer.scenario.limits.InputLimits`, shared with the command line; the server
    lowers the default of ``max_periods``.
    """

    model_config = SettingsConfigDict(env_prefix="DCOPT_", extra="ignore")

    max_periods: int = Field(
        default=API_MAX_PERIODS,
        ge=1,
        le=MAX_PERIODS,
        description="site.periods of a submitted scenario (larger ones get 422)",
    )

    data_dir: Path = Field(
        default=Path("dcopt-data"),
        description="folder of the job files (inputs, results) and of the default SQLite database",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the job records, e.g. postgresql+psycopg://user:pw@host/db;"
        " default sqlite:///<data_dir>/dcopt.db",
    )
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="comma-separated API keys; when set, every /v1 route needs "
        "'Authorization: Bearer KEY' and each key sees only its own runs",
    )
    max_workers: int = Field(default=2, ge=1, description="jobs solved at the same time")
    job_time_limit_seconds: float = Field(
        default=3600.0, gt=0, description="wall-clock limit of one job; the solver gets the same"
    )
    max_body_bytes: int = Field(
        default=64 * 1024 * 1024, ge=1024, description="larger request bodies get 413"
    )
    idempotency_wait_seconds: float = Field(
        default=10.0,
        ge=0,
        description="how long a retry with an Idempotency-Key waits for the first request "
        "with that key to finish being accepted before it gets 409",
    )
    interrupted_jobs: Literal["rerun", "fail"] = Field(
        default="rerun",
        description="what a restarted server does with jobs that were running when it stopped",
    )
    max_attempts: int = Field(
        default=2, ge=1, description="a job interrupted this many times is marked failed"
    )
    poll_interval_seconds: float = Field(
        default=0.2, gt=0, description="how often the dispatcher looks at the job table"
    )
    page_size_max: int = Field(default=100, ge=1, description="largest page of GET /v1/runs")

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, v: object) -> object:
        if isinstance(v, str):
            return [k.strip() for k in v.split(",") if k.strip()]
        return v

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'dcopt.db').resolve()}"

    @property
    def jobs_dir(self) -> Path:
        return self.data_dir / "jobs"

    @property
    def incoming_dir(self) -> Path:
        """Submissions being written; renamed into ``jobs_dir`` once complete."""
        return self.data_dir / "incoming"

    @property
    def incomplete_dir(self) -> Path:
        """Submissions a server stop cut off before they were complete: kept, never read."""
        return self.data_dir / "incomplete"

    @property
    def trash_dir(self) -> Path:
        """Job folders being deleted (DELETE moves them here first)."""
        return self.data_dir / "trash"

    @property
    def idempotency_dir(self) -> Path:
        """One file per ``Idempotency-Key`` (hashed with its owner): the run it created."""
        return self.data_dir / "idempotency"
