"""Typed flows: what a dispatch column is, declared once by the unit that makes it.

A :class:`Flow` is a kind (:class:`FlowKind`) and the name of the asset or offer it belongs
to (empty for site-wide flows such as curtailment). Its dispatch column name is derived here
and nowhere else (:attr:`Flow.column`); results, the report, compare, materials, screening
and batch select flows by kind and asset, never by parsing a column name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum


class FlowKind(StrEnum):
    """Every kind of per-step flow a unit can declare; the value is the column prefix."""

    GRID_IMPORT = "grid_import_mw"
    PPA_DELIVERY = "ppa_delivery_mw"
    VPPA_CERTIFICATES = "vppa_certificates_mw"
    OUTPUT = "output_mw"
    CHARGE = "charge_mw"
    DISCHARGE = "discharge_mw"
    STATE_OF_CHARGE = "soc_mwh"
    CURTAILMENT = "curtailment_mw"
    EXPORT = "export_mw"
    FLEX_UP = "flex_up_mw"
    FLEX_DOWN = "flex_down_mw"
    CERTIFICATES = "certificates_mw"
    SHED = "shed_mw"
    HEAT_PUMP = "heat_pump_mw"
    HEAT_DELIVERED = "heat_delivered_mw_heat"
    """Heat sold to the offtaker (heat_reuse), MW of heat; not part of the power balance."""
    RENEWABLE_SUPPLY = "renewable_supply_mw"
    """Renewable supply counted for the renewable share (CONTRACT 11), site-wide."""
    DR_REDUCTION = "dr_reduction_mw"
    LOST_LOAD = "lost_load_mw"
    """Non-critical load shed in a grid outage, at the value of lost load (CONTRACT 12)."""
    TRAINING_DEFER = "training_defer_mw"
    """Training work moved out of a step (made up within its deadline)."""
    TRAINING_CATCH_UP = "training_catch_up_mw"
    """Deferred training work run in a step."""
    TRAINING_BACKLOG = "training_backlog_mwh"
    """Deferred training work not yet run at the end of a step."""

    @property
    def is_supply(self) -> bool:
        """Power that enters the site's balance (drawn stacked in the report)."""
        return self in _SUPPLY

    @property
    def unit(self) -> str:
        return "MWh" if self in (FlowKind.STATE_OF_CHARGE, FlowKind.TRAINING_BACKLOG) else "MW"


_SUPPLY = frozenset(
    {FlowKind.GRID_IMPORT, FlowKind.PPA_DELIVERY, FlowKind.OUTPUT, FlowKind.DISCHARGE}
)


@dataclass(frozen=True)
class Flow:
    """One per-step flow of one asset: its kind, its asset name, and its technology kind."""

    kind: FlowKind
    asset: str = ""
    asset_kind: str = ""
    """The asset's own kind (``solar``, ``battery``, ``pay_as_produced``, ...), for labels."""

    @property
    def column(self) -> str:
        """The dispatch column name: ``<kind>:<asset>``, or ``<kind>`` for a site-wide flow."""
        return f"{self.kind.value}:{self.asset}" if self.asset else self.kind.value

    @property
    def label(self) -> str:
        """A label for charts and tables."""
        words = self.kind.value.rsplit("_", 1)[0].replace("_", " ")
        return f"{self.asset} ({words})" if self.asset else words


class FlowIndex:
    """The flows of a solved model in declaration order, selectable by kind and asset."""

    def __init__(self, flows: Iterable[Flow] = ()) -> None:
        self._flows: list[Flow] = list(flows)

    def add(self, flow: Flow) -> None:
        if any(f.column == flow.column for f in self._flows):
            raise ValueError(f"flow {flow.column} declared twice")
        self._flows.append(flow)

    def __iter__(self) -> Iterator[Flow]:
        return iter(self._flows)

    def __len__(self) -> int:
        return len(self._flows)

    def of(self, *kinds: FlowKind) -> list[Flow]:
        """The flows of any of ``kinds``, in declaration order."""
        return [f for f in self._flows if f.kind in kinds]

    def get(self, kind: FlowKind, asset: str = "") -> Flow | None:
        for f in self._flows:
            if f.kind is kind and f.asset == asset:
                return f
        return None

    @classmethod
    def from_columns(cls, columns: Iterable[str]) -> FlowIndex:
        """The flows behind dispatch columns (for a dispatch table read back from a file)."""
        kinds = {k.value: k for k in FlowKind}
        out = cls()
        for col in columns:
            prefix, _, asset = str(col).partition(":")
            if prefix in kinds:
                out.add(Flow(kinds[prefix], asset))
        return out

    def column(self, kind: FlowKind, asset: str = "") -> str:
        """The column of a declared flow; KeyError when no unit declared it."""
        f = self.get(kind, asset)
        if f is None:
            raise KeyError(f"no {kind.value} flow for {asset!r}")
        return f.column
