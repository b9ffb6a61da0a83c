"""Numbers out of a solved model: ``summary.json`` and ``dispatch.parquet``.

Split by concern: :mod:`accounting` (energy and carbon per step, the one CFE/emissions
definition), :mod:`summary` (section 5 numbers of a case), :mod:`dispatch` (the table),
:mod:`cases` (a study of many cases: scenarios or years). Writing files is
:mod:`optimizer.output`'s job.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from optimizer.model.builder import BuiltModel
from optimizer.model.highs import HighsLp
from optimizer.output import write_dispatch, write_summary
from optimizer.results.dispatch import case_dispatch, cfe_score_from_dispatch
from optimizer.results.summary import TOTAL_COST_CATEGORIES, extract_case, versions


def extract(built: BuiltModel, lp: HighsLp) -> tuple[dict[str, Any], pd.DataFrame]:
    """Summary numbers and the dispatch table of an optimal (or feasible) solution."""
    b = built.builder
    if b.study.kind == "single":
        summary, acc = extract_case(built, lp, 0)
        summary["objective"] = lp.objective
        return summary, case_dispatch(b.cases[0], acc, lp)
    from optimizer.results.cases import extract_study

    return extract_study(built, lp)


__all__ = [
    "TOTAL_COST_CATEGORIES",
    "cfe_score_from_dispatch",
    "extract",
    "versions",
    "write_dispatch",
    "write_summary",
]
