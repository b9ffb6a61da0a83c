"""The registry of technology units: one module per kind, registered here once.

Adding a kind = one new module in this package (schema, resolution, build, flows, labels,
materials defaults; see :mod:`optimizer.units.base`) + one line below + its tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import Field

from optimizer.scenario.fields import Sized
from optimizer.units import (
    battery,
    clean_firm,
    generator,
    long_duration_storage,
    renewable,
)
from optimizer.units.base import TechnologyUnit

TECHNOLOGY_UNITS: tuple[TechnologyUnit[Any, Any], ...] = (
    renewable.UNIT,
    battery.UNIT,
    generator.UNIT,
    long_duration_storage.UNIT,
    clean_firm.UNIT,
)
"""Every technology kind, in build order."""


def technology_unit(kind: str) -> TechnologyUnit[Any, Any]:
    for unit in TECHNOLOGY_UNITS:
        if kind in unit.kinds:
            return unit
    raise KeyError(kind)


def technology_schema() -> Any:
    """The ``technologies:`` entry type: a union discriminated by ``kind``."""
    members = tuple(u.schema for u in TECHNOLOGY_UNITS)
    return Annotated[Union[members], Field(discriminator="kind")]  # noqa: UP007


if TYPE_CHECKING:
    Technology = Sized
    """For type checkers: every kind's schema is a :class:`Sized` with its ``kind``."""
else:
    Technology = technology_schema()

__all__ = [
    "TECHNOLOGY_UNITS",
    "Technology",
    "TechnologyUnit",
    "technology_schema",
    "technology_unit",
]
