"""How to solve: :class:`SolveOptions` and the HiGHS settings chosen for a problem.

None of these change the optimum; docs/performance.md has the measurements behind the choices.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from optimizer.model.highs import HighsSettings


class SolveOptions(BaseModel):
    """How to solve; none of these change the optimum."""

    model_config = ConfigDict(extra="forbid")

    algorithm: Literal["auto", "simplex", "ipm", "pdlp"] = Field(
        default="auto",
        description="HiGHS algorithm; auto picks by problem size (see docs/performance.md)",
    )
    time_limit_seconds: float | None = Field(default=None, gt=0)
    threads: int | None = Field(default=None, ge=1)
    diagnose_infeasible: bool = True
    crossover: bool = Field(
        default=True,
        description=(
            "After the interior point, find a basic solution (a basis for warm starts and "
            "cost ranging, vertex duals). On the full-year case it costs about nothing "
            "(docs/performance.md); off gives the same objective to ~1e-11."
        ),
    )


IPM_MIN_PERIODS = 2000
"""Above this many steps ``auto`` uses the interior point (benchmarks/bench_fullyear.py)."""


def choose_settings(options: SolveOptions, periods: int) -> HighsSettings:
    """The HiGHS settings for a problem of ``periods`` steps (measured in benchmarks/).

    ``auto``: dual simplex up to :data:`IPM_MIN_PERIODS` steps, else the interior point
    with crossover: on the full-year case the fastest exact algorithm, crossover included
    (dual simplex and PDLP take about twice as long; docs/performance.md).
    """
    algorithm = options.algorithm
    crossover = options.crossover
    if algorithm == "auto":
        algorithm = "ipm" if periods > IPM_MIN_PERIODS else "simplex"
    return HighsSettings(
        algorithm=algorithm,
        time_limit_seconds=options.time_limit_seconds,
        threads=options.threads,
        crossover=crossover,
    )
