"""How to solve: :class:`SolveOptions` and the HiGHS settings chosen for a problem.

None of these change the optimum; docs/performance.md has the measurements behind the choices.
This module imports neither highspy nor Pyomo (the API's schemas and the CLI import it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from optimizer.machine import available_cores as available_cores
from optimizer.machine import core_idle as core_idle
from optimizer.machine import fork_is_safe as fork_is_safe
from optimizer.machine import load_average as load_average

if TYPE_CHECKING:
    from optimizer.model.highs import HighsSettings

AlgorithmName = Literal["auto", "hipo", "ipx", "ipm", "simplex", "pdlp"]
ALGORITHMS: tuple[str, ...] = ("auto", "hipo", "ipx", "ipm", "simplex", "pdlp")
"""What ``--algorithm`` accepts (the order of the CLI's help)."""


class SolveOptions(BaseModel):
    """How to solve; none of these change the optimum."""

    model_config = ConfigDict(extra="forbid")

    algorithm: AlgorithmName = Field(
        default="auto",
        description=(
            "HiGHS algorithm: hipo (HiGHS's factorisation interior point) | ipx (its other "
            "interior point) | ipm (HiPO when installed, else IPX) | simplex (dual) | pdlp; "
            "auto picks by problem size (see docs/performance.md)"
        ),
    )
    time_limit_seconds: float | None = Field(default=None, gt=0)
    threads: int | None = Field(
        default=None,
        ge=1,
        description="HiGHS threads (HiPO uses them); default: the cores this process may "
        "run on, half of them when the machine is oversubscribed",
    )
    diagnose_infeasible: bool = True
    crossover: bool | None = Field(
        default=None,
        description=(
            "After the interior point, find a basic solution (a basis for warm starts and "
            "cost ranging, vertex duals). Default (null): on where a basis is used "
            "(compare, frontier), off for a one-off solve (run, batch, API, screening), "
            "where it costs 5-6 % of a full year's solve and 133 % of a 15-minute year's "
            "(docs/performance.md); off gives the same objective to ~1e-10."
        ),
    )


IPM_MIN_PERIODS = 2000
"""Above this many steps ``auto`` uses the interior point: on year-cfe90 cut to 1,440 steps
the dual simplex is faster (2.0 s vs HiPO 2.5–2.8 s), at 2,184 HiPO is (2.8 s vs 3.9 s),
at 4,380 by 1.8× (``benchmarks/bench_fullyear.py --sizes``; docs/performance.md)."""

IPM_MIN_ROWS = 12_000
"""The same boundary in LP rows (~6 rows a step in dcopt's LP: 8,643 rows simplex, 13,107
HiPO), for callers that know the LP's size (a multi-case LP has more rows per step)."""


OVERSUBSCRIBED = 1.5
"""Load average per core above which :func:`default_threads` halves the threads."""


def default_threads() -> int:
    """HiGHS threads when none are asked for: every core, unless the machine is already
    oversubscribed (1-minute load average > :data:`OVERSUBSCRIBED` × cores; other solves,
    an API running several jobs), then half of them.

    Measured on year-cfe90 (HiPO + crossover, 2 cores): load 1.4–2.7, 2 threads 1.5–1.6×
    faster than 1; load 3.6, equal; load 4.6–6.3, 1 thread 1.2–1.9× faster (a parallel
    factorisation waits for whichever of its threads is descheduled). The answer is the
    same either way (the objective was identical to the last digit).
    """
    cores = available_cores()
    load = load_average()
    if load is None:
        return cores
    if load > OVERSUBSCRIBED * cores:
        return max(1, cores // 2)
    return cores


def interior_point() -> Literal["hipo", "ipx"]:
    """HiPO when highspy-extras is installed (faster on every case measured), else IPX."""
    from optimizer.model.highs import hipo_available

    return "hipo" if hipo_available() else "ipx"


def choose_settings(
    options: SolveOptions,
    periods: int,
    *,
    rows: int | None = None,
    min_ipm_rows: int = IPM_MIN_ROWS,
    basis: bool = False,
) -> HighsSettings:
    """The HiGHS settings for a problem of ``periods`` steps (measured in benchmarks/).

    ``auto``: dual simplex up to :data:`IPM_MIN_PERIODS` steps (or, given the LP's
    ``rows``, up to ``min_ipm_rows`` rows, :data:`IPM_MIN_ROWS` unless the caller measured
    its own boundary), else HiPO with crossover (IPX without
    highspy-extras). IPX is never the choice when HiPO is there: above the boundary HiPO
    was faster at every size measured, 1.7–2.5× on the full years (below it IPX beats
    HiPO, but the simplex beats both).

    Crossover: ``options.crossover`` when set; else on when the caller needs a ``basis``
    (warm starts, cost ranging: compare and the frontier ask for it) or does not give the
    LP's ``rows``; off for a one-off solve (``dcopt run``, a batch case, the API,
    screening). Measured on dcopt's MPS (``benchmarks/bench_fullyear.py``, HiPO on 2
    threads, with / without crossover): year-cfe90 (52,563 rows) 10.6 / 10.0 s (stop 25)
    and 13.3 / 12.6 s (an earlier sitting); the bundled example (96,363 rows) 25.7 /
    24.3 s; year-cfe90 at 15 minutes (210,243 rows) 110.6 / 47.6 s. The objective, the
    capacities, the costs, the emissions and the CFE shadow price agree to 1e-6
    (``tests/performance/test_settings.py``); what moves is what the LP leaves free at no
    cost (curtailment, simultaneous charge and discharge, an hour's price where the
    balance is degenerate).

    Every interior point comes back as ``algorithm="ipm"`` with ``interior`` naming HiPO
    or IPX (``ipm`` picks HiPO when installed), so callers that test
    ``algorithm == "ipm"`` keep working; :attr:`HighsLp.record` says what ran.
    Threads: ``options.threads``, else :func:`default_threads` (every core unless the
    machine is oversubscribed; HiPO on two threads is ~1.5× faster than on one on a quiet
    machine; IPX and the simplex gain nothing).
    """
    from optimizer.model.highs import HighsSettings

    algorithm = options.algorithm
    interior: Literal["hipo", "ipx"] | None = None
    if algorithm == "auto":
        large = rows > min_ipm_rows if rows is not None else periods > IPM_MIN_PERIODS
        algorithm = "ipm" if large else "simplex"
    if algorithm in ("hipo", "ipx"):
        interior = "hipo" if algorithm == "hipo" else "ipx"
        algorithm = "ipm"
    elif algorithm == "ipm":
        interior = interior_point()
    return HighsSettings(
        algorithm=algorithm,
        interior=interior,
        time_limit_seconds=options.time_limit_seconds,
        threads=options.threads or default_threads(),
        crossover=(options.crossover if options.crossover is not None else basis or rows is None),
    )
