"""Per-item material and embodied-carbon intensities of a scenario (defaults + overrides).

Called by :func:`optimizer.scenario.resolve.resolve` so that bad input is refused with the
other input errors (``dcopt validate`` sees it). Rules, per technology or PPA offer:

- the basis is ``materials_basis`` if given, else (technologies only) the default of the
  kind (:data:`~optimizer.materials.defaults.DEFAULT_BASIS_BY_KIND`); ``"none"`` means no
  defaults; a PPA takes the default of its ``technology``
  (:data:`~optimizer.materials.defaults.DEFAULT_BASIS_BY_PPA_TECHNOLOGY`) and otherwise has
  no defaults;
- ``materials_kg_per_mw`` / ``materials_kg_per_mwh`` override the basis material by material
  (set a material to 0 to drop it); ``embodied_carbon_tco2_per_mw`` / ``_per_mwh`` replace the
  basis value;
- embodied carbon is annualised over the technology's ``lifetime_years`` or, for a PPA,
  ``plant_lifetime_years`` (default: the basis's lifetime).

Nothing from :mod:`optimizer.scenario` is imported at run time (that package imports this one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from optimizer.errors import FieldError
from optimizer.materials.defaults import (
    DEFAULT_BASIS_BY_PPA_TECHNOLOGY,
    Basis,
    all_bases,
    default_basis,
)

if TYPE_CHECKING:
    from optimizer.scenario.schema import Scenario

NO_BASIS = "none"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class MaterialItem:
    """What one MW (and, for a battery, one MWh) of a technology or PPA holds."""

    name: str
    section: str
    """"technology" | "ppa_offer"."""
    kind: str
    basis: str | None
    kg_per_mw: dict[str, float]
    kg_per_mwh: dict[str, float]
    """Battery energy only; empty otherwise."""
    tco2_per_mw: float
    tco2_per_mwh: float
    lifetime_years: float | None
    """Years to annualise embodied carbon over; None only when the item has none."""
    min_mw: float
    min_mwh: float
    """Least capacity the scenario forces (min_mw; min_duration·min_mw for a battery)."""

    @property
    def has_embodied(self) -> bool:
        return self.tco2_per_mw > 0 or self.tco2_per_mwh > 0

    def tonnes(self, mw: float, mwh: float = 0.0) -> dict[str, float]:
        """Tonnes of each material for ``mw`` of capacity and ``mwh`` of storage."""
        out = {m: kg * mw / 1000.0 for m, kg in self.kg_per_mw.items()}
        for m, kg in self.kg_per_mwh.items():
            out[m] = out.get(m, 0.0) + kg * mwh / 1000.0
        return out

    def embodied_tco2(self, mw: float, mwh: float = 0.0) -> float:
        return self.tco2_per_mw * mw + self.tco2_per_mwh * mwh


@dataclass(frozen=True)
class MaterialsData:
    """Everything the LP and the summary need about materials, embodied carbon and compute."""

    items: list[MaterialItem] = field(default_factory=list)
    limits_tonnes: dict[str, float] = field(default_factory=dict)
    include_embodied: bool = False
    gpu_count: int | None = None
    gpu_power_kw: float | None = None

    @property
    def materials(self) -> list[str]:
        names = {m for it in self.items for m in (*it.kg_per_mw, *it.kg_per_mwh)}
        return sorted(names)


def _basis(
    given: str | None, default: str | None, path: str, errors: list[FieldError]
) -> Basis | None:
    name = given if given is not None else default
    if name is None or name == NO_BASIS:
        return None
    bases = all_bases()
    basis = bases.get(name)
    if basis is None:
        known = ", ".join([*bases, NO_BASIS])
        errors.append(
            FieldError(f"{path}.materials_basis", f"unknown basis {name!r}; one of: {known}")
        )
    return basis


def _merge(
    base: dict[str, float], override: dict[str, float] | None, path: str, errors: list[FieldError]
) -> dict[str, float]:
    out = dict(base)
    for key, value in (override or {}).items():
        if not _NAME.match(key):
            errors.append(
                FieldError(
                    f"{path}.{key}",
                    "a material name is a lower-case identifier such as copper or rare_earths",
                )
            )
            continue
        out[key] = float(value)
    return {k: v for k, v in out.items() if v != 0.0}


def resolve_materials(scenario: Scenario, errors: list[FieldError]) -> MaterialsData:
    """Resolve the intensities of every technology and PPA; append problems to ``errors``."""
    items: list[MaterialItem] = []
    for tech in scenario.technologies:
        path = f"technologies[{tech.name}]"
        basis = _basis(tech.materials_basis, default_basis(tech.kind), path, errors)
        if basis is not None and basis.kind != tech.kind:
            errors.append(
                FieldError(
                    f"{path}.materials_basis",
                    f"basis {basis.name!r} describes {basis.kind}, not {tech.kind}",
                )
            )
            basis = None
        from optimizer.units import technology_unit

        is_battery = technology_unit(tech.kind).sized_by_energy
        kg_mw = _merge(
            {m: v.value for m, v in basis.materials_kg_per_mw.items()} if basis else {},
            tech.materials_kg_per_mw,
            f"{path}.materials_kg_per_mw",
            errors,
        )
        kg_mwh: dict[str, float] = {}
        t_mwh = 0.0
        min_mwh = 0.0
        if is_battery:
            kg_mwh = _merge(
                {m: v.value for m, v in basis.materials_kg_per_mwh.items()} if basis else {},
                getattr(tech, "materials_kg_per_mwh", None),
                f"{path}.materials_kg_per_mwh",
                errors,
            )
            given_mwh = getattr(tech, "embodied_carbon_tco2_per_mwh", None)
            dflt = basis.embodied_carbon_tco2_per_mwh if basis else None
            t_mwh = given_mwh if given_mwh is not None else (dflt.value if dflt else 0.0)
            min_mwh = float(getattr(tech, "min_duration_hours", 0.0)) * tech.min_mw
        dflt_mw = basis.embodied_carbon_tco2_per_mw if basis else None
        t_mw = (
            tech.embodied_carbon_tco2_per_mw
            if tech.embodied_carbon_tco2_per_mw is not None
            else (dflt_mw.value if dflt_mw else 0.0)
        )
        items.append(
            MaterialItem(
                tech.name,
                "technology",
                tech.kind,
                basis.name if basis else None,
                kg_mw,
                kg_mwh,
                float(t_mw),
                float(t_mwh),
                float(tech.lifetime_years),
                tech.min_mw,
                min_mwh,
            )
        )

    for ppa in scenario.ppa_offers:
        path = f"ppa_offers[{ppa.name}]"
        basis = _basis(
            ppa.materials_basis,
            DEFAULT_BASIS_BY_PPA_TECHNOLOGY.get(ppa.technology or ""),
            path,
            errors,
        )
        if basis is not None and basis.materials_kg_per_mwh:
            errors.append(
                FieldError(
                    f"{path}.materials_basis",
                    f"basis {basis.name!r} describes storage (per MWh); a PPA contracts plant MW",
                )
            )
            basis = None
        kg_mw = _merge(
            {m: v.value for m, v in basis.materials_kg_per_mw.items()} if basis else {},
            ppa.materials_kg_per_mw,
            f"{path}.materials_kg_per_mw",
            errors,
        )
        dflt_mw = basis.embodied_carbon_tco2_per_mw if basis else None
        t_mw = (
            ppa.embodied_carbon_tco2_per_mw
            if ppa.embodied_carbon_tco2_per_mw is not None
            else (dflt_mw.value if dflt_mw else 0.0)
        )
        life = ppa.plant_lifetime_years
        if life is None and basis is not None:
            life = basis.lifetime_years
        if t_mw > 0 and life is None:
            errors.append(
                FieldError(
                    f"{path}.plant_lifetime_years",
                    "needed to annualise embodied_carbon_tco2_per_mw (or give a materials_basis, "
                    "whose lifetime is then used)",
                )
            )
        if not kg_mw and t_mw == 0.0:
            continue
        items.append(
            MaterialItem(
                ppa.name,
                "ppa_offer",
                ppa.kind,
                basis.name if basis else None,
                kg_mw,
                {},
                float(t_mw),
                0.0,
                float(life) if life is not None else None,
                ppa.min_mw,
                0.0,
            )
        )

    limits: dict[str, float] = {}
    held = {m for it in items for m in (*it.kg_per_mw, *it.kg_per_mwh)}
    for m, cap in (scenario.materials_limits or {}).items():
        fld = f"materials_limits.{m}"
        if m not in held:
            known = ", ".join(sorted(held)) or "none"
            errors.append(
                FieldError(fld, f"no technology or PPA holds {m!r} (materials held: {known})")
            )
            continue
        least = sum(it.tonnes(it.min_mw, it.min_mwh).get(m, 0.0) for it in items)
        if least > cap + 1e-9:
            errors.append(
                FieldError(
                    fld,
                    f"the capacities forced by min_mw (and min_duration_hours) already hold "
                    f"{least:g} t of {m}, above the limit of {cap:g} t",
                )
            )
        limits[m] = float(cap)

    compute = scenario.compute
    return MaterialsData(
        items=items,
        limits_tonnes=limits,
        include_embodied=scenario.carbon.include_embodied,
        gpu_count=compute.gpu_count if compute is not None else None,
        gpu_power_kw=compute.gpu_power_kw if compute is not None else None,
    )
