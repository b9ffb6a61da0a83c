"""Rows and columns of dcopt's LP per step, by the block that writes them (issue 12).

    .venv/bin/python benchmarks/lp_counts.py tests/acceptance/year-cfe90/scenario.yaml

Counts what the compiled matrix holds (HighsLp: empty rows and unused columns dropped),
grouped by the top Pyomo block of each row's constraint and each column's variable.
"""

from __future__ import annotations

import sys
from collections import Counter

from optimizer.model import build_model
from optimizer.model.highs import HighsLp
from optimizer.scenario import load_problem


def _block(component: object) -> str:
    name = str(getattr(component, "name", component))
    return name.split(".")[0].split("[")[0]


def main(path: str) -> None:
    problem = load_problem(path)
    built = build_model(problem)
    lp = HighsLp(built.model)
    T = sum(c.T for c in built.builder.cases)
    rows = Counter(_block(con.parent_component()) for con in lp.row_cons)
    cols = Counter(_block(v.parent_component()) for v in lp.columns)
    print(f"{path}: {lp.num_rows:,} rows, {lp.num_cols:,} columns, {T:,} steps")
    print(f"{'block':<24}{'rows':>10}{'per step':>10}{'columns':>10}{'per step':>10}")
    for name in sorted(set(rows) | set(cols)):
        r, c = rows.get(name, 0), cols.get(name, 0)
        print(f"{name:<24}{r:>10,}{r / T:>10.2f}{c:>10,}{c / T:>10.2f}")


if __name__ == "__main__":
    main(sys.argv[1])
