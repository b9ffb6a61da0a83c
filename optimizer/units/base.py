"""What a unit is: one kind of on-site technology, in one module (docs/architecture.md).

A unit module holds, for its kind(s): the pydantic schema of a ``technologies:`` entry,
the resolved data (arrays over the time grid, annualised costs), ``resolve`` (schema →
data), ``declare`` (first-stage variables, once) and ``operate`` (per case: per-step
variables, rows, ledger terms and flows), its materials defaults, and its output labels.
It is registered by one line in :data:`optimizer.units.TECHNOLOGY_UNITS`.

Unit modules never import pyomo: rows and variables are made through the builder
(:mod:`optimizer.model.builder`), so the schema stays cheap to import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np
from pydantic import BaseModel

from optimizer.errors import FieldError

if TYPE_CHECKING:
    from optimizer.materials.defaults import Basis
    from optimizer.model.builder import CaseBuilder, ModelBuilder
    from optimizer.scenario.timeindex import TimeGrid


def crf(rate: float, years: float) -> float:
    """Capital recovery factor r(1+r)^n / ((1+r)^n − 1); 1/n when r = 0.

    Written as ``r / (1 − (1+r)^−n)``, which cannot overflow for a long life."""
    if rate == 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** -years)


@dataclass
class ResolveContext:
    """What a unit's ``resolve`` may use: arrays from numbers or columns, and finance."""

    array: Callable[..., np.ndarray]
    """``array(value, field, lo=None, hi=None, what="")``: a number, column or
    weather-derived profile as one value a step; problems go to ``errors``."""
    errors: list[FieldError]
    time: TimeGrid
    discount_rate: float
    spot_price: np.ndarray | None

    @property
    def horizon_fraction(self) -> float:
        return self.time.horizon_fraction

    def crf(self, years: float) -> float:
        return crf(self.discount_rate, years)

    def annual_cost_per_mw(
        self, capex_per_kw: float, fixed_om_per_kw_year: float, lifetime_years: float
    ) -> float:
        """CONTRACT 3.1: ``1000·(CRF·capex_per_kw + fixed_om_per_kw_year)·H`` per MW."""
        return (
            1000.0
            * (self.crf(lifetime_years) * capex_per_kw + fixed_om_per_kw_year)
            * self.horizon_fraction
        )


@dataclass(frozen=True)
class TechData:
    """Resolved data every technology has."""

    name: str
    kind: str
    min_mw: float
    max_mw: float | None
    lifetime_years: float
    """How long a build stands (a pathway of years, CONTRACT 10)."""


def declare_sized(b: ModelBuilder, items: list[Any], block: str) -> list[Any]:
    """The MW of each item, first stage (builds per year in a pathway), and its compare
    item; returns the capacities (first year's in a pathway)."""
    from optimizer.model.builder import Item

    blk = b.block(block)
    caps = b.declare_capacities(
        blk,
        "capacity",
        [x.name for x in items],
        [x.min_mw for x in items],
        [x.max_mw for x in items],
        lifetimes=[x.lifetime_years for x in items],
    )
    for x, P in zip(items, caps, strict=True):
        b.add_item(Item(x.name, "technology", x.kind, P, [P]))
    return caps


S = TypeVar("S", bound=BaseModel)
D = TypeVar("D", bound=TechData)


@dataclass(frozen=True)
class TechnologyUnit(Generic[S, D]):
    """One registered kind (or family of kinds) of on-site technology."""

    kinds: tuple[str, ...]
    schema: type[S]
    data: type[D]
    resolve: Callable[[S, ResolveContext], D]
    declare: Callable[[ModelBuilder, list[D]], None]
    operate: Callable[[CaseBuilder, list[D]], None]
    default_basis: Mapping[str, str] = field(default_factory=dict)
    """Kind → the materials basis a technology takes when it names none."""
    bases: tuple[Basis, ...] = ()
    """Rows this unit adds to the materials defaults table (with their sources)."""
    sources: tuple[Any, ...] = ()
    """:class:`optimizer.materials.defaults.Source` entries its bases cite."""
    sized_by_energy: bool = False
    """True when the unit also sizes MWh (materials per MWh, storage_mwh)."""
    label: str = ""
    """Words for the report and CLI tables (e.g. "long-duration storage")."""

    def items(self, technologies: list[TechData]) -> list[D]:
        return [t for t in technologies if isinstance(t, self.data)]

    def declare_all(self, b: ModelBuilder) -> None:
        items = self.items(b.problem.technologies)
        if items:
            self.declare(b, items)

    def operate_all(self, c: CaseBuilder) -> None:
        items = self.items(c.problem.technologies)
        if items:
            self.operate(c, items)
