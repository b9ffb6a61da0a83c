"""Read a scenario into a :class:`Study`: its cases (CONTRACT sections 9 and 10).

- No ``uncertainty`` and no ``horizon``: one case, the scenario itself, weight 1.
- ``uncertainty.scenarios``: one case per scenario: the base scenario with the scenario's
  own ``series`` and/or ``set`` overrides; weight = its probability.
- ``horizon.years``: one case per modelled year: the scenario's steps re-dated to that year
  (``site.start`` with its year replaced), with the year's own ``series`` (whose timestamps
  must be that year's) and/or ``set``; a year without its own series reads the base series
  by position (step k of the base is step k of the year); weight = its discount factor summed over
  the calendar years it stands for, divided by H (each case's costs are for its horizon, so
  ``weight·C_y`` is that year's cost scaled to a whole year and discounted):
  ``w_y = Σ_{k=0}^{weight_years−1} (1+r)^−(y+k−y₀) / H``.

A case may change data only: the names and kinds of every offer and asset, the time grid
(``site.start`` other than its year, ``periods``, ``resolution_minutes``, ``timezone``) and
the outer-index blocks themselves are refused as ``set`` targets, naming the key.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from optimizer.errors import FieldError, ScenarioError
from optimizer.scenario.cases import Case, Risk, Study
from optimizer.scenario.loader import load_problem, validate_scenario
from optimizer.scenario.overrides import apply_overrides, parse_path
from optimizer.scenario.resolve import Problem, resolve_one
from optimizer.scenario.schema import CaseData, Scenario

log = logging.getLogger(__name__)

_NAMED = ("grid_offers", "ppa_offers", "technologies", "demand_response", "certificate_offers")
"""The lists of offers and assets (sections 3, 11, 12): the same names and kinds in every case."""
_STRUCTURE = ("uncertainty", "horizon", *_NAMED, "name")
"""Top-level keys a case may not replace wholesale (a field inside a named item is fine)."""
_GRID_KEYS = ("start", "periods", "resolution_minutes", "timezone")


def load_study(
    source: str | Path | Mapping[str, Any],
    overrides: Iterable[str | tuple[str, Any]] = (),
    base_dir: str | Path | None = None,
) -> Study:
    """Read, override, validate and resolve a scenario and every case it defines."""
    problem = load_problem(source, overrides=overrides, base_dir=base_dir)
    return problem.study if problem.study is not None else Study.single(problem)


def study_from_scenario(scenario: Scenario, folder: Path | None) -> Study:
    """The cases of a validated scenario with ``uncertainty:`` or ``horizon:``."""
    raw = scenario.model_dump(mode="json", exclude_unset=True)
    if scenario.uncertainty is not None:
        return _scenarios(raw, scenario, folder)
    return _years(raw, scenario, folder)


def _case_raw(
    raw: Mapping[str, Any], data: CaseData, where: str, start: str | None = None
) -> dict[str, Any]:
    """The base scenario with one case's series and overrides, without the outer blocks."""
    out = copy.deepcopy(dict(raw))
    out.pop("uncertainty", None)
    out.pop("horizon", None)
    if start is not None:
        out["site"] = {**out["site"], "start": start}
    if data.series is not None:
        out["series"] = data.series.model_dump(exclude_none=True)
    errors: list[FieldError] = []
    for path in data.set:
        try:
            parts = parse_path(path)
        except ValueError as exc:
            errors.append(FieldError(f"{where}.set.{path}", str(exc)))
            continue
        head = parts[0]
        if isinstance(head, str) and (
            (head in _STRUCTURE and len(parts) == 1)
            or head in ("uncertainty", "horizon")
            or (head == "site" and len(parts) > 1 and parts[1] in _GRID_KEYS)
            or (head in _NAMED and len(parts) > 2 and parts[2] in ("name", "kind"))
        ):
            errors.append(
                FieldError(
                    f"{where}.set.{path}",
                    "a case may change data only, not the list of offers and assets, their "
                    "names or kinds, nor the time grid",
                )
            )
    if errors:
        raise ScenarioError(errors)
    try:
        return apply_overrides(out, list(data.set.items()))
    except ScenarioError as exc:
        raise _prefixed(exc, f"{where}.set") from None


def _prefixed(exc: ScenarioError, where: str) -> ScenarioError:
    return ScenarioError(
        [FieldError(f"{where}.{e.field}", e.message, e.row, e.timestamp) for e in exc.errors]
    )


def _resolve_case(raw: dict[str, Any], base: Scenario, folder: Path | None, where: str) -> Problem:
    try:
        scenario = validate_scenario(raw)
        problem = resolve_one(scenario, folder)
    except ScenarioError as exc:
        raise _prefixed(exc, where) from None
    _same_structure(base, scenario, where)
    return problem


def _same_structure(base: Scenario, case: Scenario, where: str) -> None:
    for section in _NAMED:
        a = [(x.name, getattr(x, "kind", "")) for x in getattr(base, section)]
        b = [(x.name, getattr(x, "kind", "")) for x in getattr(case, section)]
        if a != b:
            raise ScenarioError.single(
                f"{where}.{section}", "a case may not change the list of offers and assets"
            )


def _scenarios(raw: dict[str, Any], scenario: Scenario, folder: Path | None) -> Study:
    unc = scenario.uncertainty
    assert unc is not None
    cases: list[Case] = []
    errors: list[FieldError] = []
    for s in unc.scenarios:
        where = f"uncertainty.scenarios[{s.name}]"
        try:
            problem = _resolve_case(_case_raw(raw, s, where), scenario, folder, where)
        except ScenarioError as exc:
            errors.extend(exc.errors)
            continue
        cases.append(Case(s.name, problem, s.probability, probability=s.probability))
    if errors:
        raise ScenarioError(errors)
    _same_grid(cases)
    log.info(
        "%d scenarios, risk weight %g at alpha %g", len(cases), unc.risk.weight, unc.risk.alpha
    )
    return Study(
        tuple(cases),
        "scenarios",
        Risk(alpha=unc.risk.alpha, weight=unc.risk.weight),
        unc.targets_apply,
    )


def _same_grid(cases: list[Case]) -> None:
    first = cases[0].problem
    for c in cases[1:]:
        if c.problem.periods != first.periods:
            raise ScenarioError.single(
                f"uncertainty.scenarios[{c.name}]", "has another number of steps than the base"
            )


def redate(start: str, year: int) -> str:
    """``site.start`` with its year replaced (29 February becomes 28 February)."""
    ts = dt.datetime.fromisoformat(start)
    try:
        return ts.replace(year=year).isoformat()
    except ValueError:  # 29 February in a year without one
        return ts.replace(year=year, day=28).isoformat()


def discount_factor(rate: float, offset_years: int, span_years: int) -> float:
    """``Σ_{k=0}^{span−1} (1+r)^−(offset+k)``."""
    return sum((1.0 + rate) ** -(offset_years + k) for k in range(span_years))


def _years(raw: dict[str, Any], scenario: Scenario, folder: Path | None) -> Study:
    hz = scenario.horizon
    assert hz is not None
    rate = scenario.finance.discount_rate if scenario.finance is not None else 0.0
    y0 = hz.years[0].year
    cases: list[Case] = []
    errors: list[FieldError] = []
    base_year = dt.datetime.fromisoformat(scenario.site.start).year
    positional: dict[str, Any] | None = None
    for entry in hz.years:
        where = f"horizon.years[{entry.year}]"
        try:
            start = redate(scenario.site.start, entry.year)
            case_raw = _redate_windows(_case_raw(raw, entry, where, start), entry.year)
            if entry.series is None and entry.year != base_year and scenario.series is not None:
                # the base series serves this year by position (step k is step k)
                if positional is None:
                    positional = _positional_series(scenario, folder)
                case_raw["series"] = positional
            problem = _escalate(
                _resolve_case(case_raw, scenario, folder, where), scenario, entry.year, y0
            )
        except ScenarioError as exc:
            errors.extend(exc.errors)
            continue
        H = problem.time.horizon_fraction
        weight = discount_factor(rate, entry.year - y0, entry.weight_years) / H
        cases.append(
            Case(str(entry.year), problem, weight, year=entry.year, weight_years=entry.weight_years)
        )
    if errors:
        raise ScenarioError(errors)
    _check_ppa_terms(scenario)
    return Study(tuple(cases), "years")


def _redate_windows(raw: dict[str, Any], year: int) -> dict[str, Any]:
    """Outage and demand-response windows given in the base year move to ``year`` with the
    steps (a window already dated in ``year`` stays)."""
    res = raw.get("resilience")
    if isinstance(res, dict):
        for w in res.get("outages") or []:
            if isinstance(w, dict) and isinstance(w.get("start"), str):
                w["start"] = redate(w["start"], year)
    for prog in raw.get("demand_response") or []:
        if isinstance(prog, dict):
            for w in prog.get("events") or []:
                if isinstance(w, dict) and isinstance(w.get("start"), str):
                    w["start"] = redate(w["start"], year)
    return raw


def _escalate(problem: Problem, scenario: Scenario, year: int, y0: int) -> Problem:
    """Prices that grow by a share a year (``price_escalation_per_year``): an offer's energy
    price (an index offer's adder) from the first modelled year, a PPA's strike from its
    ``start_year``; a virtual PPA's settlement moves with its strike."""
    import dataclasses

    offers = []
    for spec, o in zip(scenario.grid_offers, problem.offers, strict=True):
        e = spec.price_escalation_per_year
        if e == 0 or year == y0:
            offers.append(o)
            continue
        g = (1.0 + e) ** (year - y0)
        if o.index_adder_per_mwh is not None:
            price = o.price + o.index_adder_per_mwh * (g - 1.0)
            offers.append(
                dataclasses.replace(o, price=price, index_adder_per_mwh=o.index_adder_per_mwh * g)
            )
        else:
            offers.append(
                dataclasses.replace(
                    o,
                    price=o.price * g,
                    price_per_mwh=o.price_per_mwh * g if o.price_per_mwh is not None else None,
                )
            )
    ppas = []
    for spec_q, q in zip(scenario.ppa_offers, problem.ppas, strict=True):
        e = spec_q.price_escalation_per_year
        start = spec_q.start_year if spec_q.start_year is not None else y0
        if e == 0 or year <= start:
            ppas.append(q)
            continue
        strike = float(q.price_per_mwh * (1.0 + e) ** (year - start))
        settle = float(q.settlement_per_mw + (strike - q.price_per_mwh) * q.paid_energy_per_mw)
        ppas.append(dataclasses.replace(q, price_per_mwh=strike, settlement_per_mw=settle))
    return dataclasses.replace(problem, offers=offers, ppas=ppas)


def _positional_series(scenario: Scenario, folder: Path | None) -> dict[str, Any]:
    """The base series as inline columns without timestamps (read by position)."""
    import pandas as pd

    from optimizer.scenario.series import read_series_file

    spec = scenario.series
    assert spec is not None
    if spec.columns is not None:
        return {"columns": spec.columns}
    if folder is None or spec.file is None:
        raise ScenarioError.single("series.file", "files are not read here")
    path = (folder / spec.file).resolve()
    if not path.is_file():
        raise ScenarioError.single("series.file", f"no such file: {spec.file}")
    frame = read_series_file(path, spec.file)  # the same checked reader as read_series
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.drop(columns=[c for c in frame.columns if c == "timestamp"])
    cols = {
        str(c): [None if pd.isna(v) else float(v) for v in frame[c].tolist()]
        for c in frame.columns
        if frame[c].dtype.kind in "fiu"
    }
    return {"columns": cols}


def _check_ppa_terms(scenario: Scenario) -> None:
    hz = scenario.horizon
    assert hz is not None
    first = hz.years[0].year
    last = hz.years[-1].year + hz.years[-1].weight_years - 1
    errors: list[FieldError] = []
    for q in scenario.ppa_offers:
        if q.start_year is not None and not first <= q.start_year <= last:
            errors.append(
                FieldError(
                    f"ppa_offers[{q.name}].start_year",
                    f"{q.start_year} is outside the horizon {first}–{last}",
                )
            )
    if errors:
        raise ScenarioError(errors)
