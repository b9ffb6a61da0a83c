"""Screening: solve on typical days for fast sweeps — an estimate, not the full answer.

Method (docs/performance.md, "Screening"):

1. The horizon is cut into days of ``24/Δt`` steps. In each calendar month, the peak-load
   day and the day of least on-site and PPA supply are kept as they are (weight 1; the
   demand charge and the CFE target are set by such days), and the other days of the
   whole year are clustered (hierarchical Ward, medoid representation: tsam's method,
   through scipy in :func:`ward_medoids`; ``clustering="tsam"`` calls tsam) into
   ``days_per_month`` × months typical days over the supply columns (load, grid CFE share,
   every PPA and on-site profile; ``scope``/``features`` give the earlier per-month,
   every-column clustering). A medoid is a real day, each with a weight ``w`` = the number
   of days it stands for; each of its non-negative series is scaled so that its daily total
   is its cluster's mean (capped at the cluster's maximum, :func:`reduce.represent`): every
   cluster keeps its energy, load, PPA and on-site energy included
   (``representation="medoid"``: one rescale over the horizon instead, the earlier method).
2. The LP is built by the same modules on the reduced problem (its time grid keeps the full
   horizon fraction H, the calendar months of its days and one local day per typical day).
   The reduced problem carries step weights (``Problem.step_weight``), so every per-step
   quantity that sums over the horizon is weighted where it is written (energy costs, the
   CFE and emissions rows and the CFE row's load total, the carbon price); PPA payments
   are the full year's (resolved once, ``PpaData.delivered_mwh_per_mw``).
   Capital costs, fixed fees and the demand charge's month fractions are already those of
   the full horizon. Each month's demand-charge peak is the peak over its kept days.
3. Storage, ``storage="linked"``: every real day d of the horizon is mapped
   to the typical day k(d) that stands for it (the clustering's assignments; an extreme day
   stands for itself), and the battery's state of charge is an inter-day state S[d] plus
   the typical day's intra-day swing, S[d+1] = S[d] + Δsoc[k(d)], cyclic over the year,
   with 0 ≤ S[d] + soc_intra[k(d), t] ≤ E through each typical day's max and min of
   soc_intra (Kotzur et al. 2018; ``optimizer/model/storage_periods.py``). A typical day's
   dispatch counts w times in the costs and w times in the chain, so a battery can carry
   energy from a cheap day to an expensive one, but never more often than the days occur.
   ``storage="cyclic"`` (the default, see ``DEFAULT_STORAGE`` for the measurements):
   each typical day is cyclic on its own, free to start at any state (no inter-day
   shifting, but no cost for each day's ideal starting state either).
   Chaining the typical days directly (as if consecutive) is biased: a battery charges on
   a day standing for 1 day and discharges on one standing for 10 (measured −11 %).
   When every day is kept (weights all 1) both are the full model.

The objective is the full-year-equivalent cost; ``summary["screening"]`` states the
method, the weights and the measured error to expect (``EXPECTED_OBJECTIVE_ERROR``).
"""

from optimizer.screening.days import (
    DEFAULT_DAYS_PER_MONTH,
    DEFAULT_FEATURES,
    DEFAULT_REPRESENTATION,
    DEFAULT_SCOPE,
    DEFAULT_STORAGE,
    EXPECTED_OBJECTIVE_ERROR,
    EXPECTED_OBJECTIVE_ERROR_BY_DAYS,
    EXPECTED_OBJECTIVE_ERROR_OTHER_DAYS,
    FEATURES,
    REPRESENTATIONS,
    SCOPES,
    STORAGE_MODES,
    TypicalDays,
    choose_days,
    expected_objective_error,
    ward_medoids,
)
from optimizer.screening.reduce import ReducedGrid, reduce_problem, storage_periods
from optimizer.screening.solve import ScreeningResult, screened_study, solve_screening

__all__ = [
    "DEFAULT_DAYS_PER_MONTH",
    "DEFAULT_FEATURES",
    "DEFAULT_REPRESENTATION",
    "DEFAULT_SCOPE",
    "DEFAULT_STORAGE",
    "EXPECTED_OBJECTIVE_ERROR",
    "EXPECTED_OBJECTIVE_ERROR_BY_DAYS",
    "EXPECTED_OBJECTIVE_ERROR_OTHER_DAYS",
    "FEATURES",
    "REPRESENTATIONS",
    "SCOPES",
    "STORAGE_MODES",
    "ReducedGrid",
    "ScreeningResult",
    "TypicalDays",
    "choose_days",
    "expected_objective_error",
    "reduce_problem",
    "screened_study",
    "solve_screening",
    "storage_periods",
    "ward_medoids",
]
