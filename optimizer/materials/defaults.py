"""The defaults table: material and embodied-carbon intensities per technology kind.

Every number is a :class:`Value` that names its :class:`Source` (publication, year, table or
figure) and says whether it is taken as published or derived (and how), with the range the
literature gives where it gives one. ``docs/materials.md`` renders this table
(:func:`markdown_table`); a test keeps the two in step.

Units: materials in kg per MW of capacity (``kg_per_mw``) or per MWh of battery energy
(``kg_per_mwh``); embodied carbon in tCO2e per MW or per MWh (1 tCO2e/MW = 1 kgCO2e/kW).
A basis is chosen per technology or PPA with ``materials_basis``; a technology without one
takes :data:`DEFAULT_BASIS_BY_KIND` of its kind; a PPA without one has no defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    key: str
    citation: str
    """Authors (year), title, publisher or journal."""
    where: str
    """The table or figure the numbers are read from."""
    url: str = ""


@dataclass(frozen=True)
class Value:
    value: float
    source: str
    """Key of a :data:`SOURCES` entry."""
    note: str = "as published"
    """"as published" or "derived: <how>"."""
    low: float | None = None
    high: float | None = None
    """The range the literature gives, where it gives one."""


@dataclass(frozen=True)
class Basis:
    """One row of the defaults table: what a MW (and a battery MWh) of a technology holds."""

    name: str
    kind: str
    """The technology kind it describes (solar | wind | battery | generator)."""
    description: str
    lifetime_years: float
    """Plant lifetime for annualising a PPA's embodied carbon when the PPA gives none
    (a technology uses its own ``lifetime_years``)."""
    lifetime_note: str
    materials_kg_per_mw: Mapping[str, Value] = field(default_factory=dict)
    materials_kg_per_mwh: Mapping[str, Value] = field(default_factory=dict)
    embodied_carbon_tco2_per_mw: Value | None = None
    embodied_carbon_tco2_per_mwh: Value | None = None


MATERIALS: tuple[str, ...] = (
    "copper",
    "lithium",
    "nickel",
    "cobalt",
    "manganese",
    "graphite",
    "rare_earths",
    "silicon",
    "zinc",
    "chromium",
    "molybdenum",
)
"""Materials the defaults cover; a scenario may name others (lower-case identifiers)."""

SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source(
            "IEA2021",
            "IEA (2021), The Role of Critical Minerals in Clean Energy Transitions, World Energy "
            "Outlook Special Report, International Energy Agency, Paris (licence CC BY 4.0)",
            "Chapter 1 'The state of play', figure 'Minerals used in selected clean energy "
            "technologies' (kg/MW for power generation); the per-mineral bar values as "
            "tabulated by Visual Capitalist for Teck (2023), 'How much metal is used in clean "
            "energy technology'",
            "https://www.iea.org/reports/the-role-of-critical-minerals-in-clean-energy-transitions",
        ),
        Source(
            "IEA2021-EV",
            "IEA (2021), The Role of Critical Minerals in Clean Energy Transitions (as IEA2021)",
            "same figure, 'Electric car' bar (kg per vehicle: graphite 66.3, copper 53.2, "
            "nickel 39.9, manganese 24.5, cobalt 13.3, lithium 8.9, rare earths 0.5), stated "
            "for a 75 kWh NMC 622 battery pack",
            "https://www.iea.org/reports/the-role-of-critical-minerals-in-clean-energy-transitions",
        ),
        Source(
            "TE2021",
            "Transport & Environment (2021), From dirty oil to clean batteries, Brussels",
            "mineral content of the average 2020 EV battery cells, 60 kWh (graphite 52 kg, "
            "aluminium 35, nickel 29, copper 20, steel 20, manganese 10, cobalt 8, lithium 6, "
            "iron 5), as tabulated by Visual Capitalist (2022), 'The key minerals in an EV "
            "battery'",
            "https://www.transportenvironment.org/discover/from-dirty-oil-to-clean-batteries/",
        ),
        Source(
            "ANL2009",
            "Gaines, L. (2009), Lithium-Ion Battery Recycling Issues, Argonne National "
            "Laboratory, presentation of 21 May 2009",
            "lithium content of Li-ion cells with graphite anodes by cathode type: "
            "113-246 g Li per kWh, as quoted by Tahil, W. (2010), How much lithium does a "
            "battery really need?, REVE/evwind (22 March 2010)",
            "",
        ),
        Source(
            "IVL2019",
            "Emilsson, E., Dahllöf, L. (2019), Lithium-Ion Vehicle Battery Production: Status "
            "2019 on Energy Use, CO2 Emissions, Use of Metals, Products Environmental Footprint, "
            "and Recycling, IVL Swedish Environmental Research Institute, Report C 444",
            "Summary: cradle-to-gate production emissions of 61-106 kgCO2e per kWh of battery "
            "capacity",
            "https://www.ivl.se/",
        ),
        Source(
            "Elementa2022",
            "Hamot, L. et al. (2022), Whole life carbon of photovoltaic installations, technical "
            "report, Elementa Consulting (February 2022)",
            "Abstract and Results: embodied carbon of crystalline-silicon PV systems of "
            "520-780 kgCO2e per kWp",
            "",
        ),
        Source(
            "DolanHeath2012",
            "Dolan, S. L., Heath, G. A. (2012), Life Cycle Greenhouse Gas Emissions of "
            "Utility-Scale Wind Power: Systematic Review and Harmonization, Journal of "
            "Industrial Ecology 16(S1), S136-S154",
            "harmonised median life-cycle emissions of wind power: 11 gCO2e/kWh "
            "(onshore and offshore)",
            "",
        ),
    )
}

_WIND_KG = 11.0 * 8760.0 / 1000.0
"""kgCO2e per kW per (capacity factor · year) at 11 gCO2e/kWh."""

BASES: dict[str, Basis] = {
    b.name: b
    for b in (
        Basis(
            "solar_pv",
            "solar",
            "crystalline-silicon solar PV (utility or rooftop)",
            30.0,
            "assumed; typical module warranty and the contract's example",
            {
                "copper": Value(2822.0, "IEA2021"),
                "silicon": Value(3948.0, "IEA2021"),
                "zinc": Value(30.0, "IEA2021"),
                "nickel": Value(1.0, "IEA2021"),
            },
            embodied_carbon_tco2_per_mw=Value(
                650.0,
                "Elementa2022",
                "derived: midpoint of the published range (kgCO2e/kWp = tCO2e/MW)",
                520.0,
                780.0,
            ),
        ),
        Basis(
            "wind_onshore",
            "wind",
            "onshore wind turbines with their foundations and cabling",
            25.0,
            "assumed; design lives are 20-30 years",
            {
                "copper": Value(
                    2900.0, "IEA2021", "as published (rounded in the tabulation; IEA ≈ 2,866)"
                ),
                "zinc": Value(5500.0, "IEA2021"),
                "manganese": Value(780.0, "IEA2021"),
                "chromium": Value(470.0, "IEA2021"),
                "nickel": Value(404.0, "IEA2021"),
                "molybdenum": Value(99.0, "IEA2021"),
                "rare_earths": Value(14.0, "IEA2021"),
            },
            embodied_carbon_tco2_per_mw=Value(
                round(_WIND_KG * 0.30 * 20.0),
                "DolanHeath2012",
                "derived: 11 gCO2e/kWh × capacity factor 0.30 × 8760 h × 20 years "
                "(life-cycle total, dominated by manufacture); range for capacity factors "
                "0.25-0.40",
                round(_WIND_KG * 0.25 * 20.0),
                round(_WIND_KG * 0.40 * 20.0),
            ),
        ),
        Basis(
            "wind_offshore",
            "wind",
            "offshore wind turbines with their foundations and export cables",
            25.0,
            "assumed; design lives are 20-30 years",
            {
                "copper": Value(8000.0, "IEA2021"),
                "zinc": Value(5500.0, "IEA2021"),
                "manganese": Value(790.0, "IEA2021"),
                "chromium": Value(525.0, "IEA2021"),
                "nickel": Value(240.0, "IEA2021"),
                "rare_earths": Value(239.0, "IEA2021"),
                "molybdenum": Value(109.0, "IEA2021"),
            },
            embodied_carbon_tco2_per_mw=Value(
                round(_WIND_KG * 0.45 * 25.0),
                "DolanHeath2012",
                "derived: 11 gCO2e/kWh × capacity factor 0.45 × 8760 h × 25 years; range for "
                "capacity factors 0.35-0.55",
                round(_WIND_KG * 0.35 * 25.0),
                round(_WIND_KG * 0.55 * 25.0),
            ),
        ),
        Basis(
            "battery_lfp",
            "battery",
            "lithium iron phosphate (LFP) cells with graphite anodes, the usual stationary "
            "chemistry; power conversion not included",
            15.0,
            "assumed; the contract's example battery lifetime",
            materials_kg_per_mwh={
                "lithium": Value(
                    100.0,
                    "ANL2009",
                    "derived: chosen below ANL2009's 113-246 g/kWh for layered-oxide cathodes, "
                    "as LFP holds less lithium per kWh; the low end, 57 g/kWh, is our "
                    "stoichiometric LiFePO4 minimum (4.4 % Li by mass, 160 mAh/g, 3.2 V)",
                    57.0,
                    246.0,
                ),
                "graphite": Value(
                    1000.0,
                    "TE2021",
                    "derived: 52 kg / 60 kWh (NMC cells, the low end) scaled by the nominal cell "
                    "voltages 3.7 V / 3.2 V (≈ 1,002)",
                    867.0,
                    1002.0,
                ),
                "copper": Value(
                    385.0,
                    "TE2021",
                    "derived: 20 kg / 60 kWh (NMC cells, the low end) scaled by 3.7 V / 3.2 V "
                    "(current collectors)",
                    333.0,
                    385.0,
                ),
            },
            embodied_carbon_tco2_per_mwh=Value(
                80.0,
                "IVL2019",
                "derived: within the published range (kgCO2e/kWh = tCO2e/MWh), cells and pack",
                61.0,
                106.0,
            ),
        ),
        Basis(
            "battery_nmc",
            "battery",
            "nickel-manganese-cobalt (NMC 622) cells with graphite anodes; power conversion "
            "not included",
            15.0,
            "assumed; the contract's example battery lifetime",
            materials_kg_per_mwh={
                "lithium": Value(
                    119.0,
                    "IEA2021-EV",
                    "derived: 8.9 kg / 75 kWh; range from TE2021 (6 kg / 60 kWh) to ANL2009's "
                    "upper value",
                    100.0,
                    246.0,
                ),
                "nickel": Value(
                    532.0,
                    "IEA2021-EV",
                    "derived: 39.9 kg / 75 kWh; low end TE2021 (29 kg / 60 kWh)",
                    483.0,
                    532.0,
                ),
                "cobalt": Value(
                    177.0,
                    "IEA2021-EV",
                    "derived: 13.3 kg / 75 kWh; low end TE2021 (8 kg / 60 kWh)",
                    133.0,
                    177.0,
                ),
                "manganese": Value(
                    165.0,
                    "IEA2021-EV",
                    "derived: cathode manganese of NMC 622 = cobalt × 54.94/58.93 (Mn:Co = 1:1 "
                    "by atoms) = 12.4 kg / 75 kWh (the car's other manganese is in its steel); "
                    "high end TE2021 (10 kg / 60 kWh)",
                    165.0,
                    167.0,
                ),
                "graphite": Value(
                    884.0,
                    "IEA2021-EV",
                    "derived: 66.3 kg / 75 kWh; low end TE2021 (52 kg / 60 kWh)",
                    867.0,
                    884.0,
                ),
                "copper": Value(
                    333.0,
                    "TE2021",
                    "derived: 20 kg / 60 kWh (the IEA car's copper includes motor and wiring)",
                ),
            },
            embodied_carbon_tco2_per_mwh=Value(
                80.0,
                "IVL2019",
                "derived: within the published range (kgCO2e/kWh = tCO2e/MWh), cells and pack",
                61.0,
                106.0,
            ),
        ),
        Basis(
            "gas_generator",
            "generator",
            "natural-gas generation (turbine or engine); no embodied-carbon default",
            25.0,
            "assumed; the contract's example generator lifetime",
            {
                "copper": Value(
                    1100.0,
                    "IEA2021",
                    "derived: the IEA puts a gas plant at 1/13 of offshore wind's 15.4 t/MW "
                    "(≈ 1.2 t/MW) and its bar is almost all copper",
                    1000.0,
                    1200.0,
                ),
            },
        ),
    )
}

DEFAULT_BASIS_BY_KIND: dict[str, str] = {
    "solar": "solar_pv",
    "wind": "wind_onshore",
    "battery": "battery_lfp",
    "generator": "gas_generator",
}
"""The basis a technology takes when it names none (kinds of the core table; a unit module
adds its own, :func:`default_basis`)."""


DEFAULT_BASIS_BY_PPA_TECHNOLOGY: dict[str, str] = {
    "solar": "solar_pv",
    "wind_onshore": "wind_onshore",
    "wind_offshore": "wind_offshore",
}
"""The basis a PPA with ``technology:`` takes when it names none (CONTRACT 13); technologies
without a row here (hydro, geothermal, nuclear, ...) have no defaults."""


def all_bases() -> dict[str, Basis]:
    """This table's rows plus those each technology unit brings (optimizer/units/)."""
    from optimizer.units import TECHNOLOGY_UNITS

    out = dict(BASES)
    for unit in TECHNOLOGY_UNITS:
        for b in unit.bases:
            out[b.name] = b
    return out


def all_sources() -> dict[str, Source]:
    from optimizer.units import TECHNOLOGY_UNITS

    out = dict(SOURCES)
    for unit in TECHNOLOGY_UNITS:
        for src in unit.sources:
            out[src.key] = src
    return out


def default_basis(kind: str) -> str | None:
    """The basis a technology of ``kind`` takes when it names none (None: no defaults)."""
    from optimizer.units import technology_unit

    if kind in DEFAULT_BASIS_BY_KIND:
        return DEFAULT_BASIS_BY_KIND[kind]
    return technology_unit(kind).default_basis.get(kind)


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x:,.0f}" if x >= 10 else f"{x:g}"


def markdown_table() -> str:
    """Every default as a Markdown table (rendered into docs/materials.md)."""
    lines = [
        "| basis | quantity | value | unit | range | source | how |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]

    def row(basis: str, qty: str, v: Value, unit: str) -> None:
        rng = f"{_fmt(v.low)}–{_fmt(v.high)}" if v.low is not None else ""
        lines.append(
            f"| {basis} | {qty} | {_fmt(v.value)} | {unit} | {rng} | {v.source} | {v.note} |"
        )

    for b in all_bases().values():
        for m, v in b.materials_kg_per_mw.items():
            row(b.name, m, v, "kg/MW")
        for m, v in b.materials_kg_per_mwh.items():
            row(b.name, m, v, "kg/MWh")
        if b.embodied_carbon_tco2_per_mw is not None:
            row(b.name, "embodied carbon", b.embodied_carbon_tco2_per_mw, "tCO2e/MW")
        if b.embodied_carbon_tco2_per_mwh is not None:
            row(b.name, "embodied carbon", b.embodied_carbon_tco2_per_mwh, "tCO2e/MWh")
        lines.append(
            f"| {b.name} | lifetime (PPAs only) | {_fmt(b.lifetime_years)} | years |  | "
            f"— | {b.lifetime_note} |"
        )
    return "\n".join(lines)


def sources_markdown() -> str:
    """The sources list of docs/materials.md."""
    out = []
    for s in all_sources().values():
        url = f" <{s.url}>" if s.url else ""
        out.append(f"- **{s.key}**: {s.citation}. Read from: {s.where}.{url}")
    return "\n".join(out)
