"""Plausibility warnings: input that is valid but probably not what the buyer meant.

Not errors: the model is built and solved as given. Each warning names the field. They are
logged (the command line prints them on stderr) and listed in summary.json ``warnings``.

- **per-kWh prices**: a money-per-MWh field whose typical absolute value is below
  :data:`KWH_PRICE_BELOW` while another price of the scenario is at least
  :data:`MWH_PRICE_ABOVE` (0.09 beside 65 reads as 0.09 per kWh = 90 per MWh);
- **loads in kW**: a peak load above :data:`MAX_PLAUSIBLE_LOAD_MW` MW (the largest
  campuses planned are a few GW; 10,000 MW is beyond any single site, but a 10 MW site
  typed in kW is 10,000);
- **unreachable CFE target**: ``carbon.cfe_target`` above a cheap upper bound of what the
  offers could reach: every step's clean supply at most the load, from the grid's clean
  share, every PPA at its max_mw and every hourly certificate offer at its max_mw (a PPA or
  hourly certificate offer without max_mw, or a technology that could be built without
  bound, makes any target reachable, so there is no warning).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from optimizer.scenario.resolve import Problem

KWH_PRICE_BELOW = 1.0
MWH_PRICE_ABOVE = 10.0
MAX_PLAUSIBLE_LOAD_MW = 10_000.0


def _typical(x: np.ndarray | float) -> float:
    a = np.abs(np.asarray(x, dtype=float))
    return float(np.median(a)) if a.size else 0.0


def check(p: Problem) -> list[str]:
    """The plausibility warnings of a resolved problem, each naming its field."""
    out: list[str] = []
    sc = p.scenario
    prices: dict[str, float] = {}
    for spec, o in zip(sc.grid_offers, p.offers, strict=True):
        if spec.index_adder_per_mwh is None or spec.is_block:
            prices[f"grid_offers[{o.name}].energy_price_per_mwh"] = _typical(o.price)
    for q in p.ppas:
        prices[f"ppa_offers[{q.name}].price_per_mwh"] = abs(q.price_per_mwh)
    if p.spot_price is not None:
        prices["grid.spot_price_per_mwh"] = _typical(p.spot_price)
    if prices and max(prices.values()) >= MWH_PRICE_ABOVE:
        for field, v in prices.items():
            if 0 < v < KWH_PRICE_BELOW:
                out.append(
                    f"{field}: {v:g} per MWh looks like a price per kWh (others are tens per "
                    f"MWh); per MWh it would be {v * 1000:g}"
                )
    peak = float(np.max(p.load_mw)) if len(p.load_mw) else 0.0
    if peak > MAX_PLAUSIBLE_LOAD_MW:
        out.append(
            f"load.mw: peak {peak:,.0f} MW is above {MAX_PLAUSIBLE_LOAD_MW:,.0f} MW; "
            "is the load given in kW?"
        )
    target = p.carbon.cfe_target
    if target is not None and target > 0:
        best = _cfe_upper_bound(p)
        if best is not None and target > best + 1e-9:
            out.append(
                f"carbon.cfe_target: {target:g} is above {best:.4f}, the most the offers could "
                "reach (grid clean share + every PPA and hourly certificate offer at its max_mw, "
                "each step at most its load)"
            )
    return out


def _cfe_upper_bound(p: Problem) -> float | None:
    """An upper bound of the 24/7 CFE score; None when it is not bounded below 1 cheaply."""
    if p.flexible_share > 0 or any(getattr(t, "max_mw", 0) is None for t in p.technologies):
        return None
    if any(getattr(t, "max_mw", 0) for t in p.technologies):
        return None  # on-site clean output or storage can shift energy: no cheap bound
    load = np.asarray(p.load_mw, dtype=float)
    clean = np.asarray(p.grid_cfe_share, dtype=float) * load
    for q in p.ppas:
        if q.max_mw is None:
            return None
        clean = clean + q.max_mw * np.asarray(q.profile, dtype=float)
    for k in p.certificate_offers:  # hourly certificates count in 3.6 (CONTRACT 11)
        if k.matching != "hourly":
            continue
        if k.max_mw is None:
            return None
        clean = clean + np.asarray(k.max_mw, dtype=float)
    total = float(load.sum())
    if total <= 0:
        return None
    return float(np.minimum(clean, load).sum() / total)
