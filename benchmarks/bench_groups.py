"""Benchmark: exclusive supply (CONTRACT 13) as one MILP against enumerating the choices.

The case is tests/acceptance/week-contracts (one week, PPAs, a battery, CFE target 0.8)
with its two grid offers replaced by two groups of three offers each:

- ``supply``: the TOU tariff with its demand charge, spot + 6 with a fee, a fixed 78;
- ``tranche``: at most 40 MW each: a fixed 49 with a fee, spot + 2, a 30 MW baseload block
  at 50 (swing 10 %, take-or-pay 90 %, the rest at spot).

MILP: one HiGHS MILP (a binary per grouped offer, imports ≤ M·y), then the LP with the
binaries fixed for duals (``HighsLp.choice_method = "milp"``). Enumeration: the 3 × 3 = 9
choices, each an LP with the binaries' bounds fixed, warm-started from the previous basis,
then the best one re-solved for its duals (``"enumerate"``; what ``"auto"``, the default,
does up to 64 choices). Both give the same objective; the times are printed with the
machine's load average (shared machine: compare the two, not absolute numbers). Results:
docs/decisions.md, "Exclusive supply".

    .venv/bin/python benchmarks/bench_groups.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import yaml

from optimizer.model import build_model
from optimizer.model.grid import groups, signing_var
from optimizer.model.highs import HighsLp
from optimizer.options import SolveOptions
from optimizer.scenario import load_problem
from optimizer.solve import choose_settings

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "tests" / "acceptance" / "week-contracts"


def scenario() -> dict[str, Any]:
    sc = yaml.safe_load((CASE / "scenario.yaml").read_text())
    tou = sc["grid_offers"][0]
    tou["group"] = "supply"
    sc["grid_offers"] = [
        tou,
        {"name": "index-6", "group": "supply", "index_adder_per_mwh": 6, "fixed_per_year": 120000},
        {"name": "fixed-78", "group": "supply", "energy_price_per_mwh": 78},
        {
            "name": "tranche-fixed-49",
            "group": "tranche",
            "energy_price_per_mwh": 49,
            "fixed_per_year": 60000,
            "max_mw": 40,
        },
        {"name": "tranche-index-2", "group": "tranche", "index_adder_per_mwh": 2, "max_mw": 40},
        {
            "name": "tranche-block-30",
            "group": "tranche",
            "energy_price_per_mwh": 50,
            "block_mw": 30,
            "swing_share": 0.1,
            "take_or_pay_share": 0.9,
            "max_mw": 40,
        },
    ]
    return sc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    problem = load_problem(scenario(), base_dir=CASE)
    settings = choose_settings(SolveOptions(), problem.periods)
    print(f"load average before: {os.getloadavg()}")

    times: dict[str, list[float]] = {"milp": [], "enumerate": []}
    for method in ("milp", "enumerate"):
        for _ in range(args.repeat):
            built = build_model(problem)
            lp = HighsLp(built.model)
            lp.choice_method = method  # type: ignore[assignment]
            t0 = time.perf_counter()
            status = lp.solve(settings)
            times[method].append(time.perf_counter() - t0)
            b = built.builder
            chosen = {
                g: next(n for n in names if lp.values([signing_var(b, n)])[0] > 0.5)
                for g, names in groups(b).items()
            }
        extra = (
            f"(MILP part {lp.mip_seconds:.3f} s of the last)"
            if method == "milp"
            else f"({lp.choices_solved} LPs + 1 re-solve of the best)"
        )
        print(f"{method}: {status}, objective {lp.objective:,.2f}, signed {chosen}")
        print(f"  times {[round(t, 3) for t in times[method]]} s {extra}")
    milp_t, enum_t = times["milp"], times["enumerate"]
    print(f"load average after: {os.getloadavg()}")
    print(f"RATIO enumeration / MILP (best of each) = {min(enum_t) / min(milp_t):.2f}")


if __name__ == "__main__":
    main()
