"""Grid offers, PPAs and the network charges, resolved to arrays (CONTRACT 3.2, 3.3, 13)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from optimizer.errors import FieldError, ScenarioError
from optimizer.scenario.resolver import _Resolver, tou_prices
from optimizer.scenario.schema import (
    GridOffer,
    PpaOffer,
    TouPrice,
)
from optimizer.scenario.timeindex import TimeGrid
from optimizer.units.base import crf as crf
from optimizer.units.battery import BatteryData as BatteryData
from optimizer.units.generator import GeneratorData as GeneratorData
from optimizer.units.renewable import RenewableData as RenewableData

if TYPE_CHECKING:
    from optimizer.scenario.resolve import Problem


@dataclass(frozen=True)
class GridOfferData:
    name: str
    price: np.ndarray
    """Energy price per MWh in every step (TOU, column, number or spot + adder); for a block
    offer the block's price."""
    demand_charge_per_mw_month: float
    fixed_cost: float
    """fixed_per_year · H: always paid without a group; paid only if signed with one."""
    max_mw: float | None
    group: str | None = None
    """Offers of one group exclude each other (CONTRACT 13)."""
    price_is_number: bool = False
    """The energy price is one number (compare finds its breakeven)."""
    price_per_mwh: float | None = None
    """That number."""
    index_adder_per_mwh: float | None = None
    """An index offer's adder (price = spot + adder; not for a block's rest)."""
    block_mw: np.ndarray | None = None
    """Block offers: the block's MW in every step (None: not a block offer)."""
    swing_share: float = 0.0
    take_or_pay_share: float = 0.0
    block_mwh: float = 0.0
    """Σ_t block[t]·Δt over the horizon (the take-or-pay base, kept for screening)."""
    rest_price: np.ndarray | None = None
    """Block offers: price of the rest of the offer's supply, spot + index_adder (default 0)."""
    resale_price: np.ndarray | None = None
    """Block offers: revenue per MWh of unused block energy, spot − resale_spread."""

    @property
    def is_block(self) -> bool:
        return self.block_mw is not None


RENEWABLE_TECHNOLOGIES = frozenset(
    {"solar", "wind_onshore", "wind_offshore", "hydro", "geothermal", "biomass", "other_renewable"}
)
"""PPA technologies whose delivery counts as renewable supply (CONTRACT 11, 13)."""


@dataclass(frozen=True)
class PpaData:
    name: str
    kind: str
    profile: np.ndarray
    """MW delivered (or certified) per MW contracted; ones for baseload. With
    ``negative_price_rule: curtail`` zero in steps with spot < 0."""
    price_per_mwh: float
    min_mw: float
    max_mw: float | None
    delivered_mwh_per_mw: float = 0.0
    """Σ_t profile[t]·Δt over the horizon: MWh delivered (or certified) per MW contracted."""
    settlement_per_mw: float = 0.0
    """Virtual PPAs: Σ_t paid[t]·(price − spot[t])·profile[t]·Δt, money per MW contracted."""
    start_year: int | None = None
    term_years: int | None = None
    """A pathway of years: delivery from ``start_year`` for ``term_years`` (CONTRACT 10)."""
    technology: str | None = None
    renewable: bool = True
    """Its delivery counts as renewable supply (technology renewable, or not given)."""
    negative_price_rule: str = "pay"
    paid_mwh_per_mw: float | None = None
    """MWh paid per MW contracted (Σ_t paid[t]·profile[t]·Δt); None: all delivered MWh."""
    paid: np.ndarray | None = None
    """paid[t] under ``negative_price_rule`` (bool: a screening slices it to its typical
    days' steps without rescaling it); None: paid in every step."""

    @property
    def paid_energy_per_mw(self) -> float:
        return self.delivered_mwh_per_mw if self.paid_mwh_per_mw is None else self.paid_mwh_per_mw


def network_charges(problem: Problem) -> NetworkData:
    """Section 13's network charges and levies of a resolved problem (numbers only)."""
    site = problem.scenario.site
    net = site.network
    return NetworkData(
        capacity_per_mw_year=net.capacity_charge_per_mw_year if net is not None else 0.0,
        capacity_basis=net.capacity_charge_basis if net is not None else "horizon_peak",
        energy_per_mwh=net.energy_charge_per_mwh if net is not None else 0.0,
        levies_per_mwh=site.levies_per_mwh,
    )


@dataclass(frozen=True)
class NetworkData:
    capacity_per_mw_year: float
    capacity_basis: str
    """"horizon_peak" | "monthly_peak"."""
    energy_per_mwh: float
    levies_per_mwh: float

    @property
    def any(self) -> bool:
        return bool(self.capacity_per_mw_year or self.energy_per_mwh or self.levies_per_mwh)


def _offer(
    o: GridOffer, i: int, r: _Resolver, time: TimeGrid, spot: np.ndarray | None, H: float
) -> GridOfferData:
    path = f"grid_offers[{o.name}]"
    block: np.ndarray | None = None
    rest = resale = None
    if o.is_block:
        if o.block_profile is not None:
            block = r.array(o.block_profile, f"{path}.block_profile", lo=0.0, what="block MW")
        else:
            assert o.block_mw is not None
            block = np.full(time.periods, float(o.block_mw))
        if spot is None:
            r.errors.append(
                FieldError(
                    f"{path}.block_mw" if o.block_mw is not None else f"{path}.block_profile",
                    "a block offer settles its deviations at grid.spot_price_per_mwh, "
                    "which is not given",
                )
            )
        else:
            rest = spot + (o.index_adder_per_mwh or 0.0)
            resale = spot - o.resale_spread_per_mwh
    if o.index_adder_per_mwh is not None and not o.is_block:
        if spot is None:
            r.errors.append(
                FieldError(
                    f"{path}.index_adder_per_mwh",
                    "an index offer needs grid.spot_price_per_mwh (price = spot + adder)",
                )
            )
            price = np.zeros(time.periods)
        else:
            price = spot + o.index_adder_per_mwh
    elif isinstance(o.energy_price_per_mwh, TouPrice):
        try:
            price = tou_prices(o.energy_price_per_mwh, time, f"{path}.energy_price_per_mwh")
        except ScenarioError as exc:
            r.errors.extend(exc.errors)
            price = np.zeros(time.periods)
    else:
        assert o.energy_price_per_mwh is not None
        price = r.array(o.energy_price_per_mwh, f"{path}.energy_price_per_mwh")
    number = isinstance(o.energy_price_per_mwh, (int, float)) and o.index_adder_per_mwh is None
    if o.is_block:
        number = isinstance(o.energy_price_per_mwh, (int, float))
    return GridOfferData(
        o.name,
        price,
        o.demand_charge_per_mw_month,
        o.fixed_per_year * H,
        o.max_mw,
        group=o.group,
        price_is_number=number,
        price_per_mwh=float(o.energy_price_per_mwh) if number else None,  # type: ignore[arg-type]
        index_adder_per_mwh=o.index_adder_per_mwh if not o.is_block else None,
        block_mw=block,
        swing_share=o.swing_share,
        take_or_pay_share=o.take_or_pay_share,
        block_mwh=float(block.sum() * r.dt) if block is not None else 0.0,
        rest_price=rest,
        resale_price=resale,
    )


def _ppa(p: PpaOffer, r: _Resolver, spot: np.ndarray | None) -> PpaData:
    path = f"ppa_offers[{p.name}]"
    if p.kind == "baseload":
        profile = np.ones(r.periods)
    else:
        assert p.profile is not None
        profile = r.array(p.profile, f"{path}.profile", lo=0.0, hi=1.0, what="per-unit output")
    if p.kind == "virtual" and spot is None:
        r.errors.append(
            FieldError(
                f"{path}.kind",
                "a virtual PPA settles against grid.spot_price_per_mwh, which is not given",
            )
        )
    rule = p.negative_price_rule
    paid = np.ones(r.periods)
    if rule != "pay":
        if spot is None:
            r.errors.append(
                FieldError(
                    f"{path}.negative_price_rule",
                    f"{rule} looks at grid.spot_price_per_mwh, which is not given",
                )
            )
        else:
            negative = spot < 0
            paid = np.where(negative, 0.0, 1.0)
            if rule == "curtail":
                profile = np.where(negative, 0.0, profile)
    dt = r.dt
    settle = (
        float((paid * (p.price_per_mwh - spot) * profile).sum() * dt)
        if p.kind == "virtual" and spot is not None
        else 0.0
    )
    renewable = p.technology is None or p.technology in RENEWABLE_TECHNOLOGIES
    return PpaData(
        p.name,
        p.kind,
        profile,
        p.price_per_mwh,
        p.min_mw,
        p.max_mw,
        delivered_mwh_per_mw=float(profile.sum() * dt),
        settlement_per_mw=settle,
        start_year=p.start_year,
        term_years=p.term_years,
        technology=p.technology,
        renewable=renewable,
        negative_price_rule=rule,
        paid_mwh_per_mw=float((paid * profile).sum() * dt) if rule != "pay" else None,
        paid=paid > 0.5 if rule != "pay" else None,
    )
