"""Cost against a renewable-share target and its matching (CONTRACT 11; docs/compliance.md).

``dcopt frontier SCENARIO --renewable-share 0.5,1 --matching annual,hourly`` solves the
scenario at every (matching, target) pair: ``carbon.renewable_share_target`` and
``carbon.renewable_matching`` are replaced by the point's, every other goal and every rule
set of ``compliance:`` stay (a rule's own requirements are rows beside the swept one). The
matching changes the rows' structure, so every point is its own build and solve (no warm
start). For each target, ``premium_vs_<first matching>`` is the total cost of the point
minus that of the first matching listed at the same target: with ``--matching
annual,hourly`` the price of hourly matching on top of annual matching.

Answering "what is the cheapest way to be EnEfG-compliant from 2027, and what does hourly
matching cost on top": ``dcopt frontier site.yaml --set 'compliance=[enefg_2027]'
--renewable-share 1 --matching annual,hourly --out out``; the annual row's ``total_cost``
is the first number, the hourly row's ``premium_vs_annual`` the second.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from optimizer.output import write_json
from optimizer.rules import evaluate
from optimizer.scenario import Problem
from optimizer.solve import SolveOptions, solve

CSV_COLUMNS = (
    "cfe_target",
    "status",
    "objective",
    "total_cost",
    "cfe_score",
    "emissions_tco2",
    "cost_per_mwh",
    "renewable_matching",
    "renewable_share_target",
    "renewable_share_annual",
    "renewable_share_monthly_min",
    "renewable_share_hourly",
    "market_based_tco2",
    "certificates_cost",
    "premium",
    "best_reachable_share",
    "message",
)
"""frontier.csv of a renewable-share sweep: CONTRACT section 6's columns first."""


def with_renewable_target(problem: Problem, share: float, matching: str) -> Problem:
    """``problem`` with ``carbon.renewable_share_target``/``renewable_matching`` replaced
    (the rule sets re-evaluated; the series are not read again)."""
    sc = problem.scenario
    carbon = sc.carbon.model_copy(
        update={"renewable_share_target": share, "renewable_matching": matching}
    )
    scenario = sc.model_copy(update={"carbon": carbon})
    t = problem.time
    annual = float(problem.load_mw.sum() * t.dt_hours / t.horizon_fraction)
    comp = evaluate(scenario, t.index[0].date(), problem.load_mw, problem.it_load_mw, annual)
    return replace(problem, scenario=scenario, compliance=comp)


def renewable_frontier(
    problem: Problem,
    targets: Sequence[float],
    matchings: Sequence[str],
    options: SolveOptions | None = None,
) -> dict[str, Any]:
    """Solve every (matching, target) point; returns frontier.json's content."""
    t0 = time.perf_counter()
    points: list[dict[str, Any]] = []
    first_cost: dict[float, float | None] = {}
    for k, matching in enumerate(matchings):
        for x in sorted(targets):
            r = solve(with_renewable_target(problem, x, matching), options)
            s = r.summary
            pt: dict[str, Any] = {
                "cfe_target": problem.carbon.cfe_target,
                "status": r.status,
                "renewable_matching": matching,
                "renewable_share_target": x,
                "solve_seconds": s.get("solve_seconds"),
            }
            if r.status == "optimal":
                share = s.get("renewable_share", {})
                certs = s.get("certificates", {})
                pt.update(
                    objective=s["objective"],
                    total_cost=s["total_cost"],
                    cfe_score=s["cfe_score"],
                    emissions_tco2=s["emissions_tco2"]["location_based"],
                    market_based_tco2=s["emissions_tco2"]["market_based"],
                    cost_per_mwh=s["cost_per_mwh"],
                    renewable_share_annual=share.get("annual"),
                    renewable_share_monthly_min=share.get("monthly_min"),
                    renewable_share_hourly=share.get("hourly"),
                    certificates_cost=sum(v["cost"] for v in certs.values()),
                    certificates=certs,
                    compliance={
                        name: {"pass": v["pass"], "margin": v["margin"]}
                        for name, v in s.get("compliance", {}).items()
                    },
                )
            else:
                pt["message"] = r.message
                best = [
                    b["best"]
                    for b in r.diagnosis.get("compliance_best", [])
                    if b.get("key") == "carbon"
                ]
                pt["best_reachable_share"] = best[0] if best else None
            if k == 0:
                first_cost[x] = pt.get("total_cost")
            base = first_cost.get(x)
            cost = pt.get("total_cost")
            pt["premium"] = cost - base if cost is not None and base is not None else None
            points.append(pt)
    return {
        "scenario": problem.scenario.name,
        "currency": problem.scenario.currency,
        "mode": "renewable_share",
        "matchings": list(matchings),
        "premium_is_vs": matchings[0],
        "points": points,
        "seconds": time.perf_counter() - t0,
    }


def write_renewable_frontier(result: dict[str, Any], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / "frontier.csv"
    with csv_path.open("w", newline="") as fh:
        wr = csv.DictWriter(fh, fieldnames=list(CSV_COLUMNS), extrasaction="ignore")
        wr.writeheader()
        for pt in result["points"]:
            wr.writerow({k: ("" if pt.get(k) is None else pt.get(k)) for k in CSV_COLUMNS})
    json_path = out_dir / "frontier.json"
    write_json(result, json_path)
    return [csv_path, json_path]
