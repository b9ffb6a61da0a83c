"""summary.json keys of CONTRACT 11: ``certificates``, ``renewable_share``, ``kpis`` (with
``kpi_details``), ``heat_reuse`` and ``compliance`` (docs/compliance.md).

Registered by :mod:`optimizer.model.certificates` as a summary hook of every case; every
number comes from :mod:`optimizer.results.accounting`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optimizer.model.builder import CaseBuilder
from optimizer.model.highs import HighsLp
from optimizer.results.accounting import CaseAccounts, renewable_shares

KPI_DEFINITIONS: dict[str, dict[str, Any]] = {
    "pue": {
        "definition": "power usage effectiveness: site energy of the data centre (served "
        "load) / IT energy",
        "standard": "EN 50600-4-2; EnEfG §3 Nr. 12; EU 2024/1364",
        "inputs": ["load.mw", "load.it_mw (or the load model)"],
    },
    "ref": {
        "definition": "renewable energy factor: renewable supply (on-site solar and wind + "
        "physical PPA delivery − curtailment − export, + every certificate covering imports) / "
        "site consumption (served load + heat-pump draw), over the horizon, at most 1",
        "standard": "EN 50600-4-3; EU 2024/1364",
        "inputs": ["technologies", "ppa_offers", "certificate_offers", "dispatch"],
    },
    "erf": {
        "definition": "energy reuse factor: recovered IT heat reused / site energy of the "
        "data centre (served load); the heat pump is outside the data centre's boundary",
        "standard": "EN 50600-4-6; EnEfG §3 Nr. 10; EU 2024/1364",
        "inputs": ["heat_reuse", "load.it_mw"],
    },
    "cue": {
        "definition": "carbon usage effectiveness: location-based tCO2 / IT MWh "
        "(= kg CO2 per kWh of IT energy); cue_market_based uses market-based emissions",
        "standard": "EN 50600-4-8",
        "inputs": [
            "grid.carbon_intensity_tco2_per_mwh",
            "grid.residual_mix_tco2_per_mwh",
            "load.it_mw",
        ],
    },
    "wue": {
        "definition": "water usage effectiveness: not modelled by dcopt (null)",
        "standard": "EN 50600-4-9; EU 2024/1364",
        "inputs": [],
    },
}


def _mwh(acc: CaseAccounts, x: np.ndarray) -> float:
    return acc.total_mwh(x)


def _share_value(shares: dict[str, Any], matching: str) -> float | None:
    """The value a requirement of this matching is checked against: annual share, the lowest
    month, or the lowest step."""
    if matching == "annual":
        return shares["annual"]
    if matching == "monthly":
        return shares["monthly_min"]
    return shares["hourly_min"]


def _shares(acc: CaseAccounts, zone_only: bool) -> dict[str, Any]:
    assert acc.covered_in_zone is not None
    if zone_only:
        sh = renewable_shares(acc, acc.covered_in_zone)
        cover = acc.covered_in_zone
    else:
        sh = renewable_shares(acc, acc.covered, acc.covered_monthly_mwh, acc.covered_annual_mwh)
        cover = acc.covered
    assert acc.site is not None and acc.renewable_supply is not None
    site = acc.site
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(
            site > 1e-9,
            np.minimum(
                1.0,
                (np.clip(acc.renewable_supply, 0, None) + cover) / np.where(site > 1e-9, site, 1.0),
            ),
            1.0,
        )
    sh["hourly_min"] = float(step.min()) if len(step) else None
    return sh


def summary_hook(c: CaseBuilder, lp: HighsLp, acc: CaseAccounts, summary: dict[str, Any]) -> None:
    p = c.problem
    book = c.book
    dt, w = acc.dt, acc.w
    bought = acc.certificates_bought or {}

    if p.certificate_offers:
        certs: dict[str, Any] = {}
        for k in p.certificate_offers:
            b = bought.get(k.name, 0.0)
            mwh = float((w * b).sum() * dt) if k.matching == "hourly" else float(np.sum(b))
            certs[k.name] = {
                "matching": k.matching,
                "mwh": mwh,
                "cost": mwh * k.price_per_mwh,
                "price_per_mwh": k.price_per_mwh,
                "zone": k.zone,
                "in_zone": k.in_zone,
            }
        summary["certificates"] = certs
        summary["certificate_cover_mwh"] = {
            "hourly": _mwh(acc, acc.covered),
            "monthly": float(np.sum(acc.covered_monthly_mwh))
            if acc.covered_monthly_mwh is not None
            else 0.0,
            "annual": acc.covered_annual_mwh,
            "uncovered_imports": _mwh(acc, acc.imports - acc.covered_market)
            if acc.covered_market is not None
            else None,
        }

    labels = p.time.month_labels
    sh = _shares(acc, zone_only=False)
    carbon = p.carbon
    rs_out: dict[str, Any] = {
        "annual": sh["annual"],
        "monthly_min": sh["monthly_min"],
        "hourly": sh["hourly"],
        "hourly_min": sh["hourly_min"],
        "monthly": {lab: float(v) for lab, v in zip(labels, sh["monthly"], strict=False)},
        "target": carbon.renewable_share_target,
        "matching": carbon.renewable_matching,
        "renewable_supply_mwh": max(0.0, _mwh(acc, acc.renewable_supply))
        if acc.renewable_supply is not None
        else 0.0,
        "site_consumption_mwh": _mwh(acc, acc.site) if acc.site is not None else None,
    }
    shadow_total: float | None = None
    per_req: dict[int, float | None] = {}
    if book is not None and lp.has_duals:
        for i, sr in enumerate(book.share_rows):
            duals = lp.duals(sr.rows) / c.weight
            val = float(duals @ sr.bound_per_share) / sr.total_mwh if sr.total_mwh > 0 else None
            per_req[id(sr.requirement)] = val
            if val is not None:
                shadow_total = (shadow_total or 0.0) + val
            del i
    summary.setdefault("shadow_prices", {})["renewable_share_per_mwh"] = shadow_total
    if carbon.renewable_share_target is not None:
        req_list = p.compliance.shares if p.compliance is not None else []
        mine = next((r for r in req_list if r.key == "carbon"), None)
        matching = mine.matching if mine is not None else carbon.renewable_matching
        value = _share_value(_shares(acc, mine is not None and mine.same_zone_only), matching)
        rs_out["checked_matching"] = matching
        rs_out["margin"] = _clean(None if value is None else value - carbon.renewable_share_target)
        rs_out["pass"] = value is not None and value >= carbon.renewable_share_target - 1e-6
    summary["renewable_share"] = rs_out

    served_mwh = acc.served_mwh
    it = p.it_load_mw
    it_mwh = _mwh(acc, it) if it is not None else None
    loc = acc.total(acc.emissions_location)
    mkt = acc.total(acc.emissions_market)
    heat_reused = _mwh(acc, acc.heat_reused) if acc.heat_reused is not None else 0.0
    kpis: dict[str, Any] = {
        "pue": served_mwh / it_mwh if it_mwh else None,
        "ref": sh["annual"],
        "erf": heat_reused / served_mwh if p.heat_reuse is not None and served_mwh > 0 else None,
        "cue": loc / it_mwh if it_mwh else None,
        "cue_market_based": mkt / it_mwh if it_mwh else None,
        "wue": None,
    }
    summary["kpis"] = kpis
    details = {k: dict(v, value=kpis.get(k)) for k, v in KPI_DEFINITIONS.items()}
    details["pue"].update(numerator_mwh=served_mwh, denominator_mwh=it_mwh)
    details["ref"].update(
        numerator_mwh=sh["annual"] * rs_out["site_consumption_mwh"]
        if sh["annual"] is not None and rs_out["site_consumption_mwh"]
        else None,
        denominator_mwh=rs_out["site_consumption_mwh"],
    )
    details["erf"].update(
        numerator_mwh=heat_reused if p.heat_reuse is not None else None, denominator_mwh=served_mwh
    )
    details["cue"].update(numerator_tco2=loc, numerator_market_tco2=mkt, denominator_mwh=it_mwh)
    summary["kpi_details"] = details

    if p.heat_reuse is not None:
        hr = p.heat_reuse
        delivered = _mwh(acc, acc.heat_delivered) if acc.heat_delivered is not None else 0.0
        summary["heat_reuse"] = {
            "heat_delivered_mwh": delivered,
            "heat_reused_mwh": heat_reused,
            "heat_pump_mwh": _mwh(acc, acc.heat_pump) if acc.heat_pump is not None else 0.0,
            "income": delivered * hr.price_per_mwh_heat,
            "price_per_mwh_heat": hr.price_per_mwh_heat,
            "heat_pump_cop": hr.heat_pump_cop,
            "erf": kpis["erf"],
        }

    comp = p.compliance
    if comp is None or not comp.rules:
        return
    out: dict[str, Any] = {}
    ghg_market: float | None = None
    for rule in comp.rules:
        entry: dict[str, Any] = {
            "title": rule.title,
            "source": rule.source,
            "as_of": rule.as_of,
            "applies": rule.applies,
            "enforced": rule.enforce,
            "notes": list(rule.notes),
            **rule.extra,
        }
        checks: list[dict[str, Any]] = []
        if rule.name.startswith("enefg") and rule.applies:
            for r in comp.shares:
                if r.key != rule.name:
                    continue
                value = _share_value(_shares(acc, r.same_zone_only), r.matching)
                checks.append(_share_check(r, value, per_req.get(id(r))))
            for lim in comp.limits:
                if lim.key != rule.name:
                    continue
                if lim.kpi == "pue":
                    value = kpis["pue"]
                    margin = _clean(None if value is None else lim.limit - value)
                    sense = "max"
                else:
                    value = kpis["erf"] if kpis["erf"] is not None else 0.0
                    margin = _clean(value - lim.limit)
                    sense = "min"
                checks.append(
                    {
                        "kpi": lim.kpi,
                        sense: lim.limit,
                        "required": lim.limit,
                        "value": value,
                        "margin": margin,
                        "pass": margin is not None and margin >= -1e-6,
                        "source": lim.source,
                        "enforced": lim.enforce,
                    }
                )
        elif rule.name == "ghg_scope2_hourly":
            exempt = bool(rule.extra.get("exempt"))
            sh_z = _shares(acc, zone_only=not exempt)
            for r in comp.shares:
                matching = r.matching if exempt else "hourly"
                value = _share_value(sh_z if not exempt else _shares(acc, False), matching)
                chk = _share_check(r, value, per_req.get(id(r)))
                chk["matching"] = matching
                chk["same_zone_only"] = not exempt
                chk["requirement_of"] = r.key
                checks.append(chk)
            assert acc.residual_mix is not None and acc.emissions_other is not None
            if exempt:
                ghg_market = mkt
            else:
                assert acc.covered_in_zone is not None
                ghg_market = acc.total(
                    acc.residual_mix * (acc.imports - acc.covered_in_zone) * dt
                    + acc.emissions_other
                )
            entry["market_based_tco2"] = ghg_market
            entry["hourly_matched_share"] = sh_z["hourly"]
        elif rule.name == "eu_2024_1364":
            reported = {k: kpis.get(k) for k in ("pue", "ref", "erf", "wue")}
            if reported["erf"] is None:
                reported["erf"] = 0.0  # no heat reused
            entry["reported_kpis"] = reported
            for k in rule.extra.get("required_kpis", []):
                ok = reported.get(k) is not None
                checks.append(
                    {
                        "kpi": k,
                        "value": reported.get(k),
                        "pass": ok or not rule.applies,
                        "reason": None
                        if ok
                        else "cannot be computed: "
                        + ("the IT load is unknown (give load.it_mw)" if k == "pue" else "no data"),
                        "enforced": False,
                    }
                )
        entry["requirements"] = checks
        entry["pass"] = (not rule.applies) or all(ch["pass"] for ch in checks)
        margins = [ch["margin"] for ch in checks if ch.get("margin") is not None]
        entry["margin"] = min(margins) if margins else None
        out[rule.name] = entry
    if ghg_market is not None:
        summary["emissions_tco2"]["market_based_ghg_scope2_hourly"] = ghg_market
    summary["compliance"] = out


def _clean(x: float | None) -> float | None:
    """A margin within solver tolerance of 0 is 0 (no −1e-16 in a report)."""
    return None if x is None else (0.0 if abs(x) < 1e-9 else x)


def _share_check(r: Any, value: float | None, shadow: float | None) -> dict[str, Any]:
    margin = _clean(None if value is None else value - r.share)
    out = {
        "kpi": "renewable_share",
        "matching": r.matching,
        "required": r.share,
        "min": r.share,
        "value": value,
        "margin": margin,
        "pass": margin is not None and margin >= -1e-6,
        "same_zone_only": r.same_zone_only,
        "source": r.source,
        "enforced": r.enforce,
        "shadow_price_per_mwh": shadow,
    }
    if r.asked_matching is not None:
        out["asked_matching"] = r.asked_matching
    return out
