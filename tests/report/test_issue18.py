"""The defects a new user found in report.html (issue 18), one test each."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from optimizer.decisions.compare import CompareItem, CompareResult
from optimizer.decisions.frontier import FrontierPoint, FrontierResult
from optimizer.materials.report import footprint_section
from optimizer.report import blocks, render_report
from optimizer.report.decisions import compare_section, frontier_section
from optimizer.report.env import render
from optimizer.report.figures import CFE_CMAP, CFE_STOPS, HeatMap
from optimizer.report.fmt import money, number
from optimizer.solve import solve
from tests.core.helpers import scenario
from tests.report.conftest import CASES
from tests.report.helpers import parse

EXPONENT = re.compile(r"\d[eE][+-]?\d")

GREENSBORO_FOOTPRINT: dict[str, Any] = {
    "currency": "USD",
    "capacity_mw": {"solar-ppa": 274.97, "wind-ppa": 174.62, "battery": 92.99, "onsite-solar": 0.0},
    "materials": {
        "total_tonnes": {"copper": 202.818, "lithium": 52.68, "silicon": 0.0},
        "by_item_tonnes": {
            "onsite-solar": {"copper": 0.0, "silicon": 0.0},
            "battery": {"lithium": 52.68, "copper": 202.818},
        },
        "basis": {"onsite-solar": "solar_pv", "battery": "battery_lfp"},
    },
    "embodied_carbon": {
        "total_tco2": 42144.03,
        "annualised_tco2_per_year": 2809.6,
        "included_in_emissions": False,
        "horizon_tco2": 2809.6,
        "by_item": {
            "battery": {
                "total_tco2": 42144.03,
                "annualised_tco2_per_year": 2809.6,
                "lifetime_years": 15.0,
            }
        },
    },
    "footprint": {
        "it_energy_mwh": 1429058.6678552385,
        "it_energy_basis": "it_load",
        "site_energy_mwh": 1684959.1466584238,
        "pue": 1.1790692604574773,
        "cost_per_it_mwh": 90.3369020607223,
        "scope1_tco2_per_it_mwh": 0.0,
        "scope2_location_tco2_per_it_mwh": 0.18743853675930136,
        "scope2_market_tco2_per_it_mwh": 0.11776286698260968,
        "embodied_tco2_per_it_mwh": 0.0019660508145576848,
        "total_location_tco2_per_it_mwh": 0.18940458757385906,
        "total_market_tco2_per_it_mwh": 0.11972891779716735,
        "embodied_share_of_location_total": 0.010380164703196618,
        "cost_per_gpu_hour": 1.234,
        "gpu_hours": 876000.0,
        "scope1_kgco2_per_gpu_hour": 0.0,
        "scope2_location_kgco2_per_gpu_hour": 0.3,
        "scope2_market_kgco2_per_gpu_hour": 0.2,
        "embodied_kgco2_per_gpu_hour": 0.0000123,
        "total_location_kgco2_per_gpu_hour": 0.31,
        "total_market_kgco2_per_gpu_hour": 0.21,
    },
}


class Text(HTMLParser):
    """The visible text of a page (no attributes, so no base64 image data)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self._skip += tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    t = Text()
    t.feed(html)
    return " ".join("".join(t.parts).split())


class Tables(HTMLParser):
    """Every table as a list of rows of cell texts (header row first)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> list[list[list[str]]]:
    t = Tables()
    t.feed(html)
    return t.tables


# -- "3,643 of 8,759 hours": count steps ---------------------------------------------------
def test_clean_hours_count_the_repeated_dst_hour_twice() -> None:
    """New York repeats 01:00 on 7 Nov 2027: 25 steps, all on a clean grid → "25 of 25"."""
    sc = scenario([10.0] * 25, timezone="America/New_York", start="2027-11-07T00:00", cfe_share=1.0)
    result = solve(sc)
    assert result.status == "optimal" and len(result.dispatch) == 25
    text = visible_text(render_report(result))
    assert "25 of 25 hours are fully carbon-free" in text


# -- "1.42906e+06 MWh": no exponent anywhere -------------------------------------------------
@pytest.mark.parametrize("case", CASES)
def test_no_exponent_notation_on_the_page(written, case: str) -> None:  # type: ignore[no-untyped-def]
    _, html, _ = written[case]
    text = visible_text(html)
    assert not EXPONENT.findall(text)


def test_footprint_numbers_have_separators_and_units() -> None:
    sec = footprint_section(GREENSBORO_FOOTPRINT)
    assert sec is not None
    text = visible_text(sec.html)
    assert not EXPONENT.findall(text)
    assert "IT energy 1,429,059 MWh" in text
    assert "site energy 1,684,959 MWh" in text
    assert "0.00197 tCO2e/MWh" in text  # a small number in plain digits, with its unit
    assert "0.0000123 kgCO2e/GPU-hour" in text


@pytest.mark.parametrize("value", [1.23e-5, 4.56e-9, 1.5e7, 123456789.0, 0.000999])
def test_number_never_uses_exponents(value: float) -> None:
    assert not EXPONENT.search(number(value)) and not EXPONENT.search(money(value, "USD"))


# -- the footprint table mixed USD and tCO2e in one column ------------------------------------
def test_footprint_tables_have_one_unit_per_column() -> None:
    sec = footprint_section(GREENSBORO_FOOTPRINT)
    assert sec is not None
    found = 0
    for t in tables(sec.html):
        header, rows = t[0], t[1:]
        for j, head in enumerate(header[1:], start=1):
            assert " or " not in head, head
            unit = re.search(r"\(([^)]*)\)", head)
            if unit is None:
                continue
            unit_text = unit.group(1)
            cells = [r[j] for r in rows if len(r) > j and r[j] not in ("", "—", "no limit")]
            assert cells, head
            found += 1
            if unit_text.startswith("USD"):  # money: "USD 90.34/MWh" under "(USD/MWh)"
                _, _, per = unit_text.partition("/")
                assert all(c.startswith("USD ") and c.endswith(f"/{per}") for c in cells), cells
            else:  # "0.187 tCO2e/MWh" under "(tCO2e/MWh)", "52.68 t" under "(t)"
                assert all(c.endswith(f" {unit_text}") for c in cells), (head, cells)
    assert found >= 8  # cost per MWh and GPU-hour, emissions per MWh and GPU-hour, tonnes...


# -- "red hours" under a heat map without red -------------------------------------------------
def _cfe_text(cells: np.ndarray) -> str:
    ctx = {
        "s": {"cfe_score": 0.85},
        "chart": HeatMap("data:image/png;base64,", "heat map", [], [], "none", 0.85),
        "clean_steps": 1,
        "steps": len(cells),
        "step_words": "hours",
        "target": 0.85,
        "cells_below": int(np.count_nonzero(cells < 0.85)),
        "cells": len(cells),
        **blocks.cfe_colours(cells),
    }
    return visible_text(render("cfe.html.j2", **ctx))


def test_heat_map_text_names_only_colours_it_shows() -> None:
    no_red = _cfe_text(np.array([0.42, 0.7, 1.0]))
    assert not re.search(r"\bred\b", no_red)
    assert "pale pink (the least clean hour, 42% carbon-free)" in no_red
    with_red = _cfe_text(np.array([0.03, 0.7, 1.0]))
    assert "from red (the least clean hour, 3% carbon-free)" in with_red
    # the names are those of the colour map the chart draws with
    for value, colour, _ in CFE_STOPS:
        rgb = CFE_CMAP(value)[:3]
        assert np.allclose(rgb, [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)], atol=0.01)


# -- the inputs table needed a horizontal scrollbar ------------------------------------------
def test_input_tables_have_few_columns(written) -> None:  # type: ignore[no-untyped-def]
    """Items are columns (at most 4 a table) and fields rows: a technology with 20 fields
    makes a long table, not a wide one (the browser test checks no table overflows)."""
    _, html, _ = written["week-contracts"]
    inputs = html[html.index('id="inputs"') :]
    for t in tables(inputs):
        assert len(t[0]) <= 5, t[0]
    assert "table.inputs { table-layout:fixed; width:100%; }" in html


# -- cost bars touching the frame --------------------------------------------------------------
def test_cost_bars_keep_a_margin(written) -> None:  # type: ignore[no-untyped-def]
    _, html, _ = written["week-contracts"]
    cost = html[html.index('id="cost"') : html.index('id="dispatch"')]
    segs = re.findall(r'class="seg[^"]*" style="left:([\d.]+)%;width:([\d.]+)%', cost)
    assert len(segs) >= 4
    for left, width in segs:
        assert float(left) >= blocks.BAR_PAD - 1e-9
        assert float(left) + float(width) <= 100 - blocks.BAR_PAD + 1e-6
    # the widest net bar reaches the far margin exactly: the scale uses the track's width
    assert max(float(a) + float(b) for a, b in segs) == pytest.approx(
        100 - blocks.BAR_PAD, abs=1e-3
    )


# -- 0 t of silicon with 275 MW of solar PPA, silently ---------------------------------------
def test_materials_name_the_items_without_a_basis() -> None:
    sec = footprint_section(GREENSBORO_FOOTPRINT)
    assert sec is not None
    text = " ".join(visible_text(sec.html).split())
    assert "No materials are counted for solar-ppa (275.0 MW), wind-ppa (174.6 MW)" in text
    assert "materials_basis" in text
    assert "battery (" not in text.split("No materials are counted for")[1].split(".")[0]
    shown = {s.key: s for s in parse(sec.html).shown}
    assert float(shown[("capacity_mw", "solar-ppa")].value) == 274.97


def test_materials_without_uncounted_items_say_nothing() -> None:
    summary = json.loads(json.dumps(GREENSBORO_FOOTPRINT))
    summary["capacity_mw"] = {"battery": 92.99}
    sec = footprint_section(summary)
    assert sec is not None and "No materials are counted" not in sec.html


# -- compare: a ranked table in words ---------------------------------------------------------
def _compare() -> CompareResult:
    base: Any = SimpleNamespace(summary={"currency": "EUR"}, status="optimal")
    items = [
        CompareItem(
            "grid", "grid", "grid_offer", 80.0, 500.0, None, True, 12.5, without_status="infeasible"
        ),
        CompareItem(
            "wind",
            "pay_as_produced",
            "ppa_offer",
            120.0,
            900.0,
            45678.9,
            False,
            1234.5,
            38.2,
            "down",
        ),
        CompareItem("bess", "battery", "technology", 0.0, 0.0, 0.0, False, -250.0),
    ]
    return CompareResult(base, items)


def test_compare_section_is_a_ranked_table_in_words() -> None:
    sec = compare_section(_compare())
    assert sec.title == "Offers compared" and sec.anchor == "compare"
    text = visible_text(sec.html)
    assert "grid_offer" not in text and "False" not in text and "True" not in text
    rows = tables(sec.html)[0]
    assert rows[0][:5] == ["rank", "name", "what it is", "chosen", "value (EUR)"]
    assert [r[:3] for r in rows[1:]] == [
        ["1", "grid", "grid offer"],
        ["2", "wind", "PPA, pay-as-produced"],
        ["3", "bess", "technology: battery"],
    ]
    grid, wind, bess = rows[1:]
    assert grid[3] == "80.0 MW peak import" and grid[4] == "—"
    assert grid[-1] == "required: the scenario is infeasible without it"
    assert wind[4] == "EUR 45,679" and wind[-1] == "not required"
    assert wind[6] == "EUR 1,234/MW-year one more MW would lower the cost"
    assert wind[7] == "EUR 38.20/MWh a higher strike buys less"
    assert bess[6] == "EUR -250.00/MW-year one more MW would raise the cost"
    assert bess[7] == "—"


# -- frontier: shadow price beside the incremental cost ---------------------------------------
def _frontier(shadows: list[float | None]) -> FrontierResult:
    problem: Any = SimpleNamespace(scenario=SimpleNamespace(currency="USD"))
    points = []
    for i, (target, sp) in enumerate(zip([0.5, 0.7, 0.9], shadows, strict=True)):
        p = FrontierPoint(target, None, "optimal", total_cost=1000.0 + 500 * i * i)
        p.cfe_score = target
        p.cost_per_mwh = 50.0 + 10 * i
        p.emissions_tco2 = 100.0 - 20 * i
        p.marginal_cost_per_mwh_clean = None if i == 0 else 25.0 * i
        p.summary = {"shadow_prices": {"cfe_per_mwh": sp, "emissions_cap_per_tco2": None}}
        points.append(p)
    points.append(FrontierPoint(0.99, None, "infeasible"))
    return FrontierResult("cfe", problem, points, max_cfe_score=0.95)


def test_frontier_shows_shadow_price_beside_incremental_cost() -> None:
    sec = frontier_section(_frontier([0.0, 20.0, 40.0]))
    rows = tables(sec.html)[0]
    head = rows[0]
    inc = head.index("incremental cost from the previous point (USD/MWh clean)")
    sp = head.index("shadow price at the point (USD/MWh clean)")
    assert sp == inc + 1  # side by side
    assert [r[inc] for r in rows[1:]] == ["—", "USD 25.00/MWh clean", "USD 50.00/MWh clean", "—"]
    assert [r[sp] for r in rows[1:]] == [
        "USD 0.00/MWh clean",
        "USD 20.00/MWh clean",
        "USD 40.00/MWh clean",
        "—",
    ]
    assert rows[4][1] == "infeasible: the target cannot be reached"
    assert "95.00%" in visible_text(sec.html)
    assert sec.html.count("<img") == 1


def test_frontier_without_shadow_prices_shows_dashes() -> None:
    sec = frontier_section(_frontier([None, None, None]))
    rows = tables(sec.html)[0]
    sp = rows[0].index("shadow price at the point (USD/MWh clean)")
    assert {r[sp] for r in rows[1:]} == {"—"}


# -- CONTRACT.md is not in the repository ------------------------------------------------------
def test_footer_points_to_docs_contract(written) -> None:  # type: ignore[no-untyped-def]
    _, html, _ = written["week-basic"]
    footer = html[html.index("<footer>") :]
    assert "docs/contract.md" in footer and "CONTRACT.md" not in footer


def test_templates_are_packaged() -> None:
    import optimizer.report

    folder = Path(optimizer.report.__file__).parent / "templates"
    assert (folder / "page.html.j2").is_file() and (folder / "report.css").is_file()
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    assert '"optimizer.report" = ["templates/*.html.j2", "templates/*.css"]' in pyproject


def test_nested_inputs_are_lists_not_python_reprs(written) -> None:  # type: ignore[no-untyped-def]
    """A profile model (``{"wind": {"turbine": ...}}``) is a nested list of names and
    values, never a Python tuple on the page."""
    from optimizer.report.env import render
    from optimizer.report.inputs import _kv

    html = render(
        "inputs.html.j2", parts=[("PPA", _kv({"profile": {"wind": {"hub_m": 117.0, "t": "V126"}}}))]
    )
    text = visible_text(html)
    assert "('" not in text and "[(" not in text
    assert '<dt>wind</dt><dd><dl class="nested"><dt>hub_m</dt><dd>117</dd>' in html
    _, page, _ = written["week-contracts"]
    assert "[(" not in visible_text(page[page.index('id="inputs"') :])
