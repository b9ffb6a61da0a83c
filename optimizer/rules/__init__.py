"""Compliance rule sets (docs/compliance.md): the dated data of :mod:`optimizer.rules.data`
turned into the requirements of one scenario.

:func:`evaluate` reads the rule list of a scenario (``compliance:``), the facility's
commissioning date and the load, and returns a :class:`ComplianceData`: the renewable-share
requirements (each one a family of LP rows, :mod:`optimizer.model.compliance`), the PUE and
ERF limits, and what each rule set reports. Nothing here builds a model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from optimizer.rules import data

Matching = Literal["annual", "monthly", "hourly"]


@dataclass(frozen=True)
class ShareRequirement:
    """Renewable supply ≥ share × site consumption in every matching period."""

    key: str
    """Who asks: ``carbon`` (carbon.renewable_share_target) or a rule set's name."""
    share: float
    matching: Matching
    same_zone_only: bool = False
    """Only certificates of the site's market boundary count (ghg_scope2_hourly)."""
    enforce: bool = True
    source: str = ""
    asked_matching: Matching | None = None
    """The matching the requirement was written with, when a rule (ghg) made it hourly."""


@dataclass(frozen=True)
class LimitRequirement:
    """A KPI limit over the horizon: ``pue ≤ limit`` or ``erf ≥ limit``."""

    key: str
    kpi: Literal["pue", "erf"]
    limit: float
    enforce: bool = True
    source: str = ""


@dataclass
class RuleStatus:
    """One rule set as evaluated for this scenario (what summary.json ``compliance`` shows)."""

    name: str
    title: str
    source: str
    as_of: str
    applies: bool = True
    enforce: bool = True
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ComplianceData:
    rules: list[RuleStatus] = field(default_factory=list)
    shares: list[ShareRequirement] = field(default_factory=list)
    limits: list[LimitRequirement] = field(default_factory=list)
    ghg_hourly: bool = False
    """ghg_scope2_hourly is listed (its market-based emissions are reported)."""

    @property
    def is_empty(self) -> bool:
        return not self.rules and not self.shares


def _date(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def _latest(entries: list[dict[str, Any]], key: str, on: dt.date) -> dict[str, Any] | None:
    """The entry with the latest ``key`` date on or before ``on``."""
    best = None
    for e in entries:
        if _date(e[key]) <= on and (best is None or _date(e[key]) > _date(best[key])):
            best = e
    return best


def evaluate(
    scenario: Any,
    start: dt.date,
    load_mw: np.ndarray,
    it_load_mw: np.ndarray | None,
    annual_mwh: float,
) -> ComplianceData:
    """The requirements of ``scenario.compliance`` and ``carbon.renewable_share_target``.

    ``start`` is the first local day of the horizon; ``annual_mwh`` the site's consumption
    scaled to a year (for exemption thresholds).
    """
    out = ComplianceData()
    carbon = scenario.carbon
    if carbon.renewable_share_target is not None:
        out.shares.append(
            ShareRequirement(
                "carbon",
                float(carbon.renewable_share_target),
                carbon.renewable_matching,
                source="carbon.renewable_share_target",
            )
        )
    facility = scenario.facility
    commissioned = facility.commissioning_date if facility is not None else None
    if facility is not None and facility.it_capacity_mw is not None:
        capacity, capacity_from = float(facility.it_capacity_mw), "facility.it_capacity_mw"
    elif it_load_mw is not None:
        capacity, capacity_from = float(np.max(it_load_mw)), "peak IT load"
    else:
        capacity, capacity_from = float(np.max(load_mw)), "peak site load (IT load unknown)"

    ghg: RuleStatus | None = None
    for item in scenario.compliance:
        name = item if isinstance(item, str) else item.rule
        opts = None if isinstance(item, str) else item
        enforce = True if opts is None else opts.enforce
        as_of_given = opts.as_of if opts is not None else None
        if name in ("enefg", "enefg_2027"):
            default = _date(data.ENEFG_2027_AS_OF) if name == "enefg_2027" else start
            _enefg(
                out,
                name,
                as_of_given or default,
                commissioned,
                capacity,
                capacity_from,
                enforce,
                it_load_mw is not None,
            )
        elif name == "ghg_scope2_hourly":
            rule = data.GHG_SCOPE2_HOURLY
            threshold = (
                opts.exemption_threshold_mwh
                if opts is not None and opts.exemption_threshold_mwh is not None
                else rule["exemption_threshold_mwh"]
            )
            exempt = annual_mwh < threshold
            ghg = RuleStatus(
                name,
                rule["title"],
                rule["source"],
                (as_of_given or start).isoformat(),
                enforce=enforce,
            )
            ghg.extra = {
                "exempt": exempt,
                "exemption_threshold_mwh": threshold,
                "exemption_threshold_options_mwh": rule["exemption_threshold_options_mwh"],
                "annual_consumption_mwh": annual_mwh,
            }
            if exempt:
                ghg.notes.append(
                    f"exempt: {annual_mwh:,.0f} MWh a year is below the threshold of "
                    f"{threshold:,.0f} MWh; annual matching stays allowed"
                )
            out.rules.append(ghg)
            out.ghg_hourly = True
        elif name == "eu_2024_1364":
            rule = data.EU_2024_1364
            st = RuleStatus(
                name,
                rule["title"],
                rule["source"],
                (as_of_given or start).isoformat(),
                enforce=False,
            )
            st.applies = capacity >= rule["applies_from_it_mw"]
            st.extra = {
                "it_capacity_mw": capacity,
                "it_capacity_from": capacity_from,
                "required_kpis": list(rule["required_kpis"]),
                "kpis": dict(rule["kpis"]),
            }
            if not st.applies:
                st.notes.append(
                    f"not applicable: installed IT power {capacity:g} MW ({capacity_from}) is "
                    f"below {rule['applies_from_it_mw']:g} MW"
                )
            out.rules.append(st)
    if ghg is not None and not ghg.extra["exempt"]:
        # Every renewable claim must be matched in the same hour with certificates of the
        # site's market boundary: the requirements written before become hourly.
        out.shares = [
            ShareRequirement(
                r.key,
                r.share,
                "hourly",
                True,
                r.enforce,
                r.source,
                r.matching if r.matching != "hourly" else None,
            )
            if ghg.enforce
            else r
            for r in out.shares
        ]
    return out


def _enefg(
    out: ComplianceData,
    name: str,
    as_of: dt.date,
    commissioned: dt.date | None,
    capacity: float,
    capacity_from: str,
    enforce: bool,
    it_known: bool,
) -> None:
    rule = data.ENEFG
    st = RuleStatus(name, rule["title"], rule["source"], as_of.isoformat(), enforce=enforce)
    out.rules.append(st)
    st.extra = {
        "it_capacity_mw": capacity,
        "it_capacity_from": capacity_from,
        "commissioning_date": commissioned.isoformat() if commissioned else None,
    }
    if capacity < rule["applies_from_it_mw"]:
        st.applies = False
        st.notes.append(
            f"not applicable: {capacity:g} MW ({capacity_from}) is below "
            f"{rule['applies_from_it_mw']:g} MW"
        )
        return
    share = _latest(rule["renewable_share"], "from", as_of)
    if share is not None:
        out.shares.append(
            ShareRequirement(
                name,
                float(share["share"]),
                share["matching"],
                enforce=enforce,
                source=f"EnEfG {share['source']}",
            )
        )
    new_from = _date(rule["new_site_from"])
    is_new = commissioned is not None and commissioned >= new_from
    if commissioned is None:
        st.notes.append(
            f"facility.commissioning_date not given: treated as an existing site (in operation "
            f"before {new_from.isoformat()})"
        )
    st.extra["new_site"] = is_new
    pue_limit: dict[str, Any] | None = None
    if is_new:
        assert commissioned is not None
        entry = rule["pue_new"][0]
        due = commissioned.replace(year=commissioned.year + int(entry["grace_years"]))
        if as_of >= due:
            pue_limit = entry
        else:
            st.notes.append(
                f"PUE {entry['max']} applies from {due.isoformat()} (2 years after "
                "the start of operation)"
            )
    else:
        pue_limit = _latest(rule["pue_existing"], "from", as_of)
    if pue_limit is not None:
        if it_known:
            out.limits.append(
                LimitRequirement(
                    name, "pue", float(pue_limit["max"]), enforce, f"EnEfG {pue_limit['source']}"
                )
            )
        else:
            st.notes.append(
                f"PUE limit {pue_limit['max']} not checked: the IT load is unknown "
                "(give load.it_mw or the load model)"
            )
    if is_new:
        assert commissioned is not None
        erf = _latest(rule["erf_new"], "commissioned_from", commissioned)
        if erf is not None:
            out.limits.append(
                LimitRequirement(name, "erf", float(erf["min"]), enforce, f"EnEfG {erf['source']}")
            )
