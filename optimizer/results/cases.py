"""summary.json and dispatch of a study of many cases (CONTRACT sections 9 and 10).

Scenarios (section 9): ``objective`` is the risk objective, ``total_cost`` the expected
total cost; ``risk`` has the distribution's expected cost, CVaR and VaR at α (computed
from the scenario costs: ``VaR`` the α-quantile, ``CVaR = min_θ θ + Σ p_s·(C_s − θ)⁺/(1−α)``),
the worst cost and P50/P90/P95; ``scenarios`` has each scenario's own section 5 numbers.
Expected values (cost breakdown, emissions, CFE score, imports) are probability-weighted;
``ppa_metrics`` too, with each PPA's settlement cost distributed over the scenarios
(:func:`ppa_set_metrics`), and each scenario's own under ``scenarios.<s>.ppa_metrics``.

Years (section 10): ``objective`` is the present value; ``capacity_mw`` and ``storage_mwh``
are the most that stands in any year (what the pathway builds or signs); ``years`` has each
modelled year's
numbers scaled to a whole year (÷ H, undiscounted): ``total_cost``, ``cost_breakdown``,
``cfe_score``, ``emissions_tco2``, ``capacity_mw`` (standing), ``storage_mwh``, ``built_mw``;
``present_value`` the discounted totals and the levelised cost per MWh (present value of
cost ÷ present value of served energy).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from optimizer.model.builder import BuiltModel, CaseBuilder
from optimizer.model.highs import HighsLp
from optimizer.results.accounting import account
from optimizer.results.dispatch import case_dispatch, stack
from optimizer.results.summary import case_summary
from optimizer.scenario.cases import Study


def distribution(costs: np.ndarray, probs: np.ndarray, alpha: float) -> dict[str, float]:
    """Expected value, VaR_α, CVaR_α (Rockafellar–Uryasev), worst and quantiles of a
    discrete cost distribution."""
    order = np.argsort(costs)
    c, p = costs[order], probs[order]

    def quantile(q: float) -> float:
        return discrete_quantile(costs, probs, q)

    var = quantile(alpha)
    if alpha >= 1.0:
        cvar = float(c[-1])
    else:
        cvar = float(min(t + float((p * np.maximum(c - t, 0.0)).sum()) / (1.0 - alpha) for t in c))
    return {
        "expected_cost": float((p * c).sum()),
        "var_cost": var,
        "cvar_cost": cvar,
        "worst_cost": float(c[-1]),
        "p50_cost": quantile(0.5),
        "p90_cost": quantile(0.9),
        "p95_cost": quantile(0.95),
    }


def discrete_quantile(values: np.ndarray, probs: np.ndarray, q: float) -> float:
    """The smallest value whose cumulative probability reaches ``q`` (``values`` need not be
    sorted): the q-quantile of a discrete distribution, as VaR_α is."""
    order = np.argsort(values, kind="stable")
    v, cum = np.asarray(values, dtype=float)[order], np.cumsum(np.asarray(probs)[order])
    i = int(np.searchsorted(cum, q - 1e-12))
    return float(v[min(i, len(v) - 1)])


def _values(rows: list[dict[str, Any]], key: str) -> np.ndarray | None:
    """``key`` of every row as an array; None when some row has none."""
    vals = [r.get(key) for r in rows]
    if any(v is None for v in vals):
        return None
    return np.array(vals, dtype=float)


_PPA_MONEY = ("shape_cost", "settlement_cost")
_PPA_ENERGY = ("energy_mwh", "paid_mwh")


def _capture(rows: list[dict[str, Any]], weights: np.ndarray) -> tuple[float | None, float | None]:
    """The capture price over ``rows`` (one per scenario or year) weighted by ``weights`` ×
    each row's delivered energy, and the capture rate: that price ÷ the ``weights``-weighted
    average spot (each row's s̄ = its capture price ÷ its rate)."""
    energy, capture = _values(rows, "energy_mwh"), _values(rows, "capture_price_per_mwh")
    if energy is None or capture is None or float(weights @ energy) <= 0:
        return None, None
    price = float(weights @ (energy * capture)) / float(weights @ energy)
    rate = _values(rows, "capture_rate")
    if rate is None or not np.all(np.abs(rate) > 1e-12):
        return price, None
    spot = float(weights @ (capture / rate)) / float(weights.sum())
    return price, (price / spot if abs(spot) > 1e-9 else None)


def ppa_set_metrics(
    names: list[str], probs: list[float], parts: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """``ppa_metrics`` of a scenario set from each scenario's own (``parts``, scenarios
    ``names`` with probabilities ``probs``): the contracted MW (first stage, the same in
    every scenario); energy, paid energy, shape and settlement cost probability-weighted;
    the capture price weighted by each scenario's probability × delivered energy, and the
    capture rate that price ÷ the probability-weighted average spot; ``settlement`` the
    settlement cost's distribution over the scenarios: ``expected``, ``p10``/``p50``/``p90``
    (discrete quantiles, as ``risk``'s), ``min``, ``max`` and ``by_scenario``. A metric that
    some scenario cannot give (no spot price) is None."""
    out: dict[str, dict[str, Any]] = {}
    p = np.array(probs, dtype=float)
    for ppa in parts[0].get("ppa_metrics") or {}:
        rows = [(s.get("ppa_metrics") or {}).get(ppa) or {} for s in parts]
        m = dict(rows[0])
        for key in (*_PPA_ENERGY, *_PPA_MONEY):
            m[key] = _expected(rows, probs, key)
        m["capture_price_per_mwh"], m["capture_rate"] = _capture(rows, p)
        settle = _values(rows, "settlement_cost")
        m["settlement"] = (
            None
            if settle is None
            else {
                "expected": float(p @ settle),
                "p10": discrete_quantile(settle, p, 0.1),
                "p50": discrete_quantile(settle, p, 0.5),
                "p90": discrete_quantile(settle, p, 0.9),
                "min": float(settle.min()),
                "max": float(settle.max()),
                "by_scenario": dict(zip(names, settle.tolist(), strict=True)),
            }
        )
        out[ppa] = m
    return out


def _expected(parts: list[dict[str, Any]], weights: list[float], key: str) -> float | None:
    vals = [s.get(key) for s in parts]
    if any(v is None for v in vals):
        return None
    return sum(w * float(v) for w, v in zip(weights, vals, strict=True) if v is not None)


def _expected_map(parts: list[dict[str, Any]], weights: list[float], key: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for w, s in zip(weights, parts, strict=True):
        for k, v in (s.get(key) or {}).items():
            if isinstance(v, (int, float)):
                out[k] = out.get(k, 0.0) + w * float(v)
    return out


def extract_study(built: BuiltModel, lp: HighsLp) -> tuple[dict[str, Any], pd.DataFrame]:
    b = built.builder
    parts: list[dict[str, Any]] = []
    frames: dict[str, pd.DataFrame] = {}
    for c in b.cases:
        acc = account(c, lp.values)
        parts.append(case_summary(built, lp, c, acc))
        frames[c.name] = case_dispatch(c, acc, lp)
    if b.study.kind == "years":
        return _years(built, lp, parts), stack(frames, "year")
    return _scenarios(built, lp, parts), stack(frames, "scenario")


def _scenarios(built: BuiltModel, lp: HighsLp, parts: list[dict[str, Any]]) -> dict[str, Any]:
    b = built.builder
    return scenario_set_summary(b.study, parts, lp.objective, _study_shadow(b, lp))


def scenario_set_summary(
    study: Study,
    parts: list[dict[str, Any]],
    objective: float,
    shadow: dict[str, float | None] | None = None,
) -> dict[str, Any]:
    """The section 9 summary of a scenario set from each scenario's own section 5 numbers
    (``parts``, in ``study.cases`` order) and the risk ``objective`` (from the DE, or from
    a decomposition that solved each scenario on its own); ``shadow``: the study's goal
    rows' shadow prices (goals in expectation)."""
    probs = [c.weight for c in study.cases]
    no_shadow: dict[str, float | None] = {"cfe_per_mwh": None, "emissions_cap_per_tco2": None}
    base = dict(parts[0])
    risk = distribution(
        np.array([s["objective"] for s in parts]), np.array(probs), study.risk.alpha
    )
    summary = base
    summary.update(
        {
            "objective": objective,
            "total_cost": _expected(parts, probs, "total_cost"),
            "cost_breakdown": _expected_map(parts, probs, "cost_breakdown"),
            "carbon_cost": _expected(parts, probs, "carbon_cost"),
            "cfe_score": _expected(parts, probs, "cfe_score"),
            "served_load_mwh": _expected(parts, probs, "served_load_mwh"),
            "emissions_tco2": _expected_map(parts, probs, "emissions_tco2"),
            "grid_import_mwh": _expected_map(parts, probs, "grid_import_mwh"),
            "export_mwh": _expected(parts, probs, "export_mwh"),
            "curtailment_mwh": _expected(parts, probs, "curtailment_mwh"),
            "marginal_price_per_mwh": None,
            "shadow_prices": shadow or no_shadow,
            "risk": {
                **risk,
                "alpha": study.risk.alpha,
                "weight": study.risk.weight,
                "targets_apply": study.targets_apply,
            },
            "scenarios": {
                c.name: {
                    "probability": c.weight,
                    "objective": s["objective"],
                    "total_cost": s["total_cost"],
                    "cost_breakdown": s["cost_breakdown"],
                    "cfe_score": s["cfe_score"],
                    "emissions_tco2": s["emissions_tco2"],
                    "served_load_mwh": s["served_load_mwh"],
                    "grid_import_mwh": s["grid_import_mwh"],
                    "shadow_prices": s["shadow_prices"],
                    **({"ppa_metrics": s["ppa_metrics"]} if s.get("ppa_metrics") else {}),
                }
                for c, s in zip(study.cases, parts, strict=True)
            },
        }
    )
    if base.get("ppa_metrics"):
        summary["ppa_metrics"] = ppa_set_metrics([c.name for c in study.cases], probs, parts)
    served = summary["served_load_mwh"]
    summary["cost_per_mwh"] = summary["total_cost"] / served if served else None
    summary.pop("cost_by_item", None)
    return summary


def _study_shadow(b: Any, lp: HighsLp) -> dict[str, float | None]:
    out: dict[str, float | None] = {"cfe_per_mwh": None, "emissions_cap_per_tco2": None}
    if not lp.has_duals:
        return out
    if b.study_cfe is not None and b.problem.carbon.cfe_target is not None:
        # per unit of expected CFE score; per MWh of expected dirty energy:
        load = sum(c.weight * c.cfe.total_load_mwh for c in b.cases if c.cfe is not None)
        dual = float(-lp.duals([b.study_cfe.row])[0])
        out["cfe_per_mwh"] = dual / load if load > 0 else None
    if b.study_emissions is not None and b.problem.carbon.max_emissions_tco2 is not None:
        out["emissions_cap_per_tco2"] = float(-lp.duals([b.study_emissions.row])[0])
    return out


def _capacity_in(b: Any, c: CaseBuilder, lp: HighsLp) -> tuple[dict[str, float], dict[str, float]]:
    mw: dict[str, float] = {}
    mwh: dict[str, float] = {}
    for fs in b.first_stage.values():
        v = float(lp.values([fs.in_case(c.index)])[0])
        if fs.unit == "MWh":
            mwh[fs.name] = v
        else:
            mw[fs.name] = v
    for q in c.problem.ppas:  # a PPA outside its term contracts nothing that year
        if not c.active(q.start_year, q.term_years):
            mw[q.name] = 0.0
    return mw, mwh


def _years(built: BuiltModel, lp: HighsLp, parts: list[dict[str, Any]]) -> dict[str, Any]:
    b = built.builder
    years: dict[str, Any] = {}
    pv_cost = 0.0
    pv_energy = 0.0
    span_emis = {"location_based": 0.0, "market_based": 0.0}
    span_served = 0.0
    span_dirty = 0.0
    study_cases = b.study.cases
    for j, (c, s) in enumerate(zip(b.cases, parts, strict=True)):
        H = c.problem.time.horizon_fraction
        span = study_cases[j].weight_years
        mw, mwh = _capacity_in(b, c, lp)
        built_mw = {
            fs.name: float(lp.values([fs.builds[j]])[0])
            for fs in b.first_stage.values()
            if fs.builds and fs.unit == "MW"
        }
        emis = {k: float(v) / H for k, v in s["emissions_tco2"].items()}
        served = float(s["served_load_mwh"]) / H
        years[c.name] = {
            "year": c.year,
            "weight_years": span,
            "discount_factor": c.weight * H,
            "objective": float(s["objective"]) / H,
            "total_cost": float(s["total_cost"]) / H,
            "cost_breakdown": {k: float(v) / H for k, v in s["cost_breakdown"].items()},
            "cost_per_mwh": s["cost_per_mwh"],
            "cfe_score": s["cfe_score"],
            "cfe_target": s["cfe_target"],
            "emissions_tco2": emis,
            "served_load_mwh": served,
            "grid_import_mwh": {k: float(v) / H for k, v in s["grid_import_mwh"].items()},
            "capacity_mw": mw,
            "storage_mwh": mwh,
            "built_mw": built_mw,
            "shadow_prices": s["shadow_prices"],
        }
        if s.get("ppa_metrics"):
            years[c.name]["ppa_metrics"] = _per_year(s["ppa_metrics"], H)
        pv_cost += c.weight * float(s["total_cost"])
        pv_energy += c.weight * float(s["served_load_mwh"])
        for k in span_emis:
            span_emis[k] += span * emis.get(k, 0.0)
        span_served += span * served
        if s["cfe_score"] is not None:
            span_dirty += span * served * (1.0 - float(s["cfe_score"]))
    summary = dict(parts[0])
    summary.pop("cost_by_item", None)
    peak_mw: dict[str, float] = {}
    peak_mwh: dict[str, float] = {}
    for y in years.values():
        for k, v in y["capacity_mw"].items():
            peak_mw[k] = max(peak_mw.get(k, 0.0), v)
        for k, v in y["storage_mwh"].items():
            peak_mwh[k] = max(peak_mwh.get(k, 0.0), v)
    summary.update(
        {
            "objective": lp.objective,
            "capacity_mw": peak_mw,
            "storage_mwh": peak_mwh,
            "total_cost": pv_cost,
            "cost_breakdown": _pv_breakdown(b, parts),
            "carbon_cost": lp.objective - pv_cost,
            "cfe_score": 1.0 - span_dirty / span_served if span_served > 0 else None,
            "served_load_mwh": span_served,
            "emissions_tco2": span_emis,
            "cost_per_mwh": pv_cost / pv_energy if pv_energy > 0 else None,
            "marginal_price_per_mwh": None,
            "shadow_prices": {"cfe_per_mwh": None, "emissions_cap_per_tco2": None},
            "present_value": {
                "objective": lp.objective,
                "total_cost": pv_cost,
                "served_load_mwh": pv_energy,
                "levelised_cost_per_mwh": pv_cost / pv_energy if pv_energy > 0 else None,
                "discount_rate": (
                    b.problem.scenario.finance.discount_rate
                    if b.problem.scenario.finance is not None
                    else 0.0
                ),
            },
            "years": years,
        }
    )
    if summary.get("ppa_metrics"):
        summary["ppa_metrics"] = _ppa_span(parts, study_cases, b.cases, years, peak_mw)
    return summary


def _per_year(metrics: dict[str, Any], h: float) -> dict[str, Any]:
    """A modelled year's ``ppa_metrics`` scaled to a whole year (÷ H, as the year's other
    numbers; a PPA outside its term has 0 MW there: :func:`optimizer.model.ppa._metrics`)."""
    out: dict[str, Any] = {}
    for name, m in metrics.items():
        row = dict(m)
        for key in (*_PPA_MONEY, *_PPA_ENERGY):
            if row.get(key) is not None:
                row[key] = float(row[key]) / h
        out[name] = row
    return out


def _ppa_span(
    parts: list[dict[str, Any]],
    study_cases: Any,
    cases: Any,
    years: dict[str, Any],
    peak_mw: dict[str, float],
) -> dict[str, Any]:
    """A pathway's ``ppa_metrics`` over its span, in the conventions of its other top-level
    numbers: the most MW contracted in any year; energy over the span (each modelled year's,
    per whole year, × the years it stands for); shape and settlement cost as present values
    (each year's discount weight, as ``total_cost``); the capture price weighted by each
    year's energy over the span, and the rate that ÷ the span-weighted average spot."""
    span = [float(sc.weight_years) for sc in study_cases]
    discount = [float(c.weight) for c in cases]
    out: dict[str, Any] = {}
    for name, first in (parts[0].get("ppa_metrics") or {}).items():
        row = dict(first)
        row["contracted_mw"] = peak_mw.get(name, first.get("contracted_mw"))
        per_year = [years[c.name]["ppa_metrics"].get(name) or {} for c in cases]
        own = [(s.get("ppa_metrics") or {}).get(name) or {} for s in parts]
        for key in _PPA_ENERGY:
            row[key] = _expected(per_year, span, key)
        for key in _PPA_MONEY:
            row[key] = _expected(own, discount, key)
        row["capture_price_per_mwh"], row["capture_rate"] = _capture(per_year, np.array(span))
        out[name] = row
    return out


def _pv_breakdown(b: Any, parts: list[dict[str, Any]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for c, s in zip(b.cases, parts, strict=True):
        for k, v in s["cost_breakdown"].items():
            out[k] = out.get(k, 0.0) + c.weight * float(v)
    return out
