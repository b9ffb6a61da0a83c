"""Request and response bodies of the API (one model per resource and use)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from optimizer.options import SolveOptions

RunKind = Literal["run", "compare", "frontier"]
RunStatus = Literal["queued", "running", "optimal", "infeasible", "failed", "cancelled"]


class RunOptions(BaseModel):
    """How to run a job; ``overrides`` are the CLI's ``--set dotted.path=value``."""

    model_config = ConfigDict(extra="forbid")

    solve: SolveOptions = Field(default_factory=SolveOptions)
    overrides: list[str] = Field(
        default_factory=list,
        max_length=200,
        description="dotted.path=value assignments applied before validation, as --set",
        examples=[["carbon.cfe_target=0.9"]],
    )
    report: bool = Field(
        default=True, description="kind run: write report.html (the slowest part of a small run)"
    )
    decompose: bool | None = Field(
        default=None,
        description="kind run on a scenario set: solve it by scenario decomposition (true) "
        "or as one LP (false); null: decomposed when the scenarios' steps together exceed "
        "2,000, as dcopt run (docs/risk.md)",
    )
    breakeven: bool = Field(default=True, description="kind compare: find PPA breakeven strikes")
    cfe: str | list[float] | None = Field(
        default=None,
        description="kind frontier: CFE targets, START:STOP:STEP (STOP included), a,b,c or a list",
        examples=["0.5:0.9:0.1"],
    )
    emissions_tco2: str | list[float] | None = Field(
        default=None,
        description="kind frontier: emissions caps in tCO2 instead of CFE targets (same forms)",
    )
    warm_start: bool = Field(default=True, description="kind frontier: warm-start each point")
    cfe_scale: str | list[float] | None = Field(
        default=None,
        description="kind frontier on a pathway (horizon.years): factors f applied to every "
        "year's carbon.cfe_target (capped at 1), START:STOP:STEP, a,b,c or a list; one "
        "pathway solve per f (docs/pathway.md)",
        examples=["0.5:1:0.1"],
    )


class RunCreate(BaseModel):
    """``POST /v1/runs`` as JSON: the scenario's series inline (``series.columns``)."""

    model_config = ConfigDict(extra="forbid")

    kind: RunKind = "run"
    scenario: dict[str, Any] = Field(
        description="the scenario file's schema (CONTRACT section 2) with series given inline "
        "as {'columns': {name: [numbers]}, 'timestamp': [...]}; 'series.file' is refused"
    )
    options: RunOptions = Field(default_factory=RunOptions)


class RunAccepted(BaseModel):
    id: str
    status: RunStatus
    kind: RunKind


class RunError(BaseModel):
    code: str = Field(description="input | infeasible | time_limit | cancelled | interrupted | ...")
    message: str
    errors: list[dict[str, Any]] | None = None


class RunPublic(BaseModel):
    """A job: its status, progress and, when finished, its summary (CONTRACT section 5)."""

    id: str
    kind: RunKind
    status: RunStatus
    name: str = Field(description="the scenario's name")
    progress: float = Field(ge=0, le=1)
    stage: str
    attempts: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    summary: dict[str, Any] | None = Field(
        description="summary.json (CONTRACT 5); compare: of the base solve; frontier: of the "
        "first optimal point"
    )
    result: dict[str, Any] | None = Field(
        default=None,
        description="compare: {items, solves, seconds}; frontier: frontier.json",
    )
    error: RunError | None
    note: str | None = Field(default=None, description="e.g. why a job was queued again")


class RunPage(BaseModel):
    items: list[RunPublic]
    total: int
    limit: int
    offset: int


class FieldProblem(BaseModel):
    field: str
    message: str
    row: int | None = None
    timestamp: str | None = None


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer: a message and, for 422, the fields at fault."""

    detail: str
    errors: list[FieldProblem] | None = None


class ScenarioValid(BaseModel):
    valid: Literal[True] = True
    scenario: dict[str, Any] = Field(description="the scenario with every default filled in")
    periods: int
    resolution_minutes: int
    start: str
    end: str
    columns: list[str]


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    database: str
    workers: int
    running: int
    queued: int
    kinds: list[RunKind]
