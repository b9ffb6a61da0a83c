"""The report's sections of CONTRACT 11–13: supply contracts (and the warnings box),
compliance and KPIs, resilience, demand response.

Each fixture is solved once per module and written with ``write_result``; the page is then
parsed with the standard library: every number with a ``data-key`` must be the summary.json
number under that key (list entries indexed by position) and its text must round to it;
the keys each section is about must all be shown; no visible number is in exponent notation.
"""

from __future__ import annotations

import json
import math
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from optimizer.output import write_result
from optimizer.solve import solve
from tests.core.helpers import scenario
from tests.report.browser import chromium_path, open_page
from tests.report.helpers import get_path, parse, shown_number

TESTS = Path(__file__).resolve().parents[1]
BUYER = TESTS / "contracts" / "buyer-week" / "scenario.yaml"
TIER3 = TESTS / "resilience" / "week-tier3" / "scenario.yaml"
EXPONENT = re.compile(r"\d[eE][+-]?\d")
BLOCK_SIGNED = [
    "ppa_offers[nuclear-c].price_per_mwh=0.088",  # typed per kWh: a plausibility warning
    "ppa_offers[nuclear-c].max_mw=10",
    "grid_offers[index-6].index_adder_per_mwh=40",
    "grid_offers[fixed-62].energy_price_per_mwh=90",
]
"""buyer-week changed so that the block offer is signed (with resale) and a warning is raised."""


def compliance_case() -> dict[str, Any]:
    """48 hours over two months (UTC), 10 MW load, IT 8 MW (PUE 1.25), 5 MW of free solar;
    annual GOs from another zone and hourly certificates; a 100 % annual renewable target;
    EnEfG 2027, GHG Scope 2 hourly (a check only) and EU 2024/1364; heat reuse with a heat
    pump (tests/certificates, bigger)."""
    n = 48
    solar = [max(0.0, math.sin((h % 24 - 6) / 12 * math.pi)) for h in range(n)]
    sc = scenario(
        [10.0] * n,
        start="2027-01-31T00:00",
        price=50.0,
        columns={"solar_cf": solar},
        certificate_offers=[
            {"name": "nordic-go", "price_per_mwh": 0.8, "matching": "annual", "zone": "NO2"},
            {"name": "de-hourly", "price_per_mwh": 3.0, "matching": "hourly", "max_mw": 4.0},
        ],
        technologies=[
            {
                "name": "roof-solar",
                "kind": "solar",
                "profile": "solar_cf",
                "capex_per_kw": 0.0,
                "fixed_om_per_kw_year": 0.0,
                "lifetime_years": 20,
                "min_mw": 5.0,
                "max_mw": 5.0,
            }
        ],
        carbon={"renewable_share_target": 1.0, "renewable_matching": "annual"},
        compliance=["enefg_2027", {"rule": "ghg_scope2_hourly", "enforce": False}, "eu_2024_1364"],
        heat_reuse={
            "recoverable_share": 0.5,
            "offtake_limit_mw_heat": 4.0,
            "price_per_mwh_heat": 20.0,
            "heat_pump_cop": 4.0,
        },
        finance={"discount_rate": 0.07},
    )
    sc["load"]["it_mw"] = 8.0
    sc["grid"]["residual_mix_tco2_per_mwh"] = 0.62
    sc["grid"]["zone"] = "DE-LU"
    return sc


Page = tuple[dict[str, Any], str, Path]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Page]:
    """``{name: (summary.json, report.html, path)}`` of the four fixtures, solved once."""
    runs = {
        "buyer": lambda: solve(BUYER),
        "block": lambda: solve(BUYER, overrides=BLOCK_SIGNED),
        "tier3": lambda: solve(TIER3),
        "compliance": lambda: solve(compliance_case()),
    }
    out: dict[str, Page] = {}
    for name, run in runs.items():
        result = run()
        assert result.status == "optimal", (name, result.message)
        folder = tmp_path_factory.mktemp(name)
        write_result(result, folder)
        summary = json.loads((folder / "summary.json").read_text())
        path = folder / "report.html"
        out[name] = (summary, path.read_text(encoding="utf-8"), path)
    return out


BREAKS = {"td", "th", "tr", "br", "li", "p", "div", "h2", "h3", "h4", "span", "table", "ul"}
"""Tags whose start separates words in the visible text (a cell, a line, a label)."""


class Text(HTMLParser):
    """Visible text (no attributes, no style), and the text of each section by its id."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.by_section: dict[str, list[str]] = {}
        self._section = ""
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self._section = dict(attrs).get("id") or ""
        self._style = tag == "style"
        if tag in BREAKS:
            self.handle_data(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._style = False

    def handle_data(self, data: str) -> None:
        if self._style:
            return
        self.parts.append(data)
        self.by_section.setdefault(self._section, []).append(data)


def text_of(html: str, section: str | None = None) -> str:
    t = Text()
    t.feed(html)
    parts = t.parts if section is None else t.by_section.get(section, [])
    return re.sub(r"\s+", " ", "".join(parts))


def shown_keys(html: str) -> set[tuple[str, ...]]:
    return {s.key for s in parse(html).shown}


def numeric_leaves(value: Any, prefix: tuple[str, ...]) -> set[tuple[str, ...]]:
    """Every number under ``prefix`` (list entries by position), booleans and text left out."""
    if isinstance(value, dict):
        return {k for n, v in value.items() for k in numeric_leaves(v, (*prefix, str(n)))}
    if isinstance(value, list):
        return {k for i, v in enumerate(value) for k in numeric_leaves(v, (*prefix, str(i)))}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {prefix}
    return set()


@pytest.mark.parametrize("name", ["buyer", "block", "tier3", "compliance"])
def test_every_shown_number_is_the_summary_number(pages: dict[str, Page], name: str) -> None:
    summary, html, _ = pages[name]
    shown = parse(html).shown
    assert len(shown) > 60
    for s in shown:
        expected = get_path(summary, s.key)
        if expected is None:
            assert s.value == "" and s.text == "—", s
            continue
        assert float(s.value) == float(expected), s
        value, half = shown_number(s.text)
        assert abs(value - float(expected)) <= half + 1e-12 * abs(float(expected)), s
    assert not EXPONENT.search(text_of(html)), EXPONENT.findall(text_of(html))
    assert parse(html).external == []


def test_sections_only_with_their_data(pages: dict[str, Page], written) -> None:  # type: ignore[no-untyped-def]
    def titles(html: str) -> list[str]:
        return parse(html).sections

    assert "Supply contracts" in titles(pages["buyer"][1])
    assert "Resilience" not in titles(pages["buyer"][1])
    assert "Compliance and KPIs" not in titles(pages["buyer"][1])  # no target, IT load, rules
    t3 = titles(pages["tier3"][1])
    assert t3.index("Compliance and KPIs") < t3.index("Resilience")  # PUE known: KPIs shown
    assert t3.index("Resilience") + 1 == t3.index("Demand response and flexible load")
    assert "Supply contracts" not in t3  # no group, no PPA, no network charges
    assert "Compliance and KPIs" in titles(pages["compliance"][1])
    assert "Resilience" not in titles(pages["compliance"][1])
    basic = titles(written["week-basic"][1])
    for title in ("Resilience", "Demand response and flexible load", "Compliance and KPIs"):
        assert title not in basic
    for _, html, _ in pages.values():
        assert parse(html).sections[-2:] == ["Inputs", "Run details"]


# -- supply contracts ---------------------------------------------------------------------------
def test_contracts_headline_ppas_blocks_and_network_lines(pages: dict[str, Page]) -> None:
    summary, html, _ = pages["buyer"]
    text = text_of(html, "contracts")
    assert summary["signed_offers"] == {"supply": "index-6"}
    assert "Sign: index-6 (supply) — instead of fixed-62, block-60" in text
    keys = shown_keys(html)
    for prefix in ("ppa_metrics", "block_offers"):
        assert numeric_leaves(summary[prefix], (prefix,)) <= keys, prefix
    for cat in ("network_capacity", "network_energy", "levies", "grid_resale"):
        assert ("cost_breakdown", cat) in keys
    # the PPA table in words: technology, what counts, negative-price rule
    assert "onshore wind, pay-as-produced renewable supply not paid while spot is below zero" in (
        text
    )
    assert "nuclear, baseload carbon-free, not renewable supply paid in every step" in text
    assert "certificates only (a virtual PPA delivers no energy)" in text
    unpaid = (
        summary["ppa_metrics"]["wind-a"]["energy_mwh"]
        - summary["ppa_metrics"]["wind-a"]["paid_mwh"]
    )
    assert f"{unpaid:,.0f} MWh unpaid" in text
    assert "block-60 0.00 MWh 0.00 MWh 0.00 MWh 0.00 MWh not taken: no block energy" in text
    # the network lines per MWh imported: the energy charge and the levies are their rates
    imported = sum(summary["grid_import_mwh"].values())
    assert summary["cost_breakdown"]["levies"] / imported == pytest.approx(20.0)
    assert "taxes and levies EUR 149,731 EUR 20.00/MWh" in text
    assert "network energy charge EUR 89,839 EUR 12.00/MWh" in text
    # the cost table and its bars name the categories in words, never by key
    cost = text_of(html, "cost")
    for label in ("network capacity charge", "network energy charge", "taxes and levies"):
        assert label in cost
    for raw_key in ("network_capacity", "network_energy", "grid_resale"):
        assert raw_key not in text_of(html)


def test_warnings_box_at_the_top_and_block_signed(pages: dict[str, Page]) -> None:
    summary, html, _ = pages["block"]
    assert summary["signed_offers"] == {"supply": "block-60"}
    [warning] = summary["warnings"]
    assert warning.startswith("ppa_offers[nuclear-c].price_per_mwh:")
    headline = html[html.index('<section id="headline">') :]
    box = headline.index('class="banner warn warnings"')
    assert box < headline.index('class="kpis"')  # above the headline numbers
    assert "Check these inputs (1 plausibility warning" in text_of(html, "headline")
    assert warning in text_of(html, "headline")
    text = text_of(html, "contracts")
    assert "Sign: block-60 (supply)" in text
    b = summary["block_offers"]["block-60"]
    assert b["resold_mwh"] > 100 and "part of the block is resold" in text
    assert summary["cost_breakdown"]["grid_resale"] < 0
    assert "block resale (income)" in text_of(html, "cost")
    assert "Check these inputs" not in pages["buyer"][1]  # no warnings, no box


# -- compliance and KPIs ------------------------------------------------------------------------
def test_compliance_rules_shares_certificates_emissions_kpis_heat(pages: dict[str, Page]) -> None:
    summary, html, _ = pages["compliance"]
    keys = shown_keys(html)
    comp = summary["compliance"]
    for rule, entry in comp.items():
        for i, req in enumerate(entry["requirements"]):
            assert ("compliance", rule, "requirements", str(i), "value") in keys
            if "margin" in req:
                assert ("compliance", rule, "requirements", str(i), "margin") in keys
    text = text_of(html, "compliance")
    # the rule table: pass/fail per rule, the failing hourly check named with its margin
    assert comp["enefg_2027"]["pass"] and not comp["ghg_scope2_hourly"]["pass"]
    assert "Energieeffizienzgesetz (EnEfG) §11, Germany 2027-07-01 yes yes pass" in text
    assert "no: checked and reported only fail -100.0% renewable share" in text
    assert "PUE at most 1.50 1.25 0.250 pass EnEfG §11 (1) 1 a" in text
    assert "treated as an existing site" in text
    # renewable share: annual, lowest month, hourly and every month
    share = summary["renewable_share"]
    for k in ("annual", "monthly_min", "hourly", "hourly_min", "target", "margin"):
        assert ("renewable_share", k) in keys
    assert {("renewable_share", "monthly", m) for m in share["monthly"]} <= keys
    assert len(share["monthly"]) == 2
    gap = share["annual"] - share["hourly"]
    assert f"Hourly matching is {gap * 100:.1f}% below the annual balance" in text
    # certificates and their cost line
    assert numeric_leaves(summary["certificates"], ("certificates",)) <= keys
    assert ("cost_breakdown", "certificates") in keys
    assert "nordic-go annual NO2 (another zone)" in text
    # emissions side by side, the hourly GHG figure included
    for k in ("location_based", "market_based", "market_based_ghg_scope2_hourly"):
        assert ("emissions_tco2", k) in keys
    assert summary["emissions_tco2"]["market_based"] == 0.0  # every import covered
    # every KPI with its definition, standard and inputs
    for k, d in summary["kpi_details"].items():
        assert d["definition"] in text and d["standard"] in text, k
        if summary["kpis"][k] is not None:
            assert ("kpis", k) in keys
    assert "WUE not modelled" in text
    assert ("kpis", "cue_market_based") in keys
    # heat reuse
    assert numeric_leaves(summary["heat_reuse"], ("heat_reuse",)) <= keys
    assert "192 MWh heat delivered" in text and "ERF 30.0%" in text


# -- resilience and demand response -------------------------------------------------------------
def test_resilience_headline_curve_outages_generators(pages: dict[str, Page]) -> None:
    summary, html, _ = pages["tier3"]
    r = summary["resilience"]
    keys = shown_keys(html)
    for k in (
        "critical_peak_mw",
        "firm_capacity_mw",
        "autonomy_hours",
        "fuel_autonomy_hours",
        "battery_autonomy_hours",
        "survival_probability",
        "design_outage_hours",
        "unserved_mwh",
    ):
        assert ("resilience", k) in keys, k
    for k in ("backup_cost", "survival_curve", "outages", "generators"):
        leaves = numeric_leaves(r[k], ("resilience", k))
        for i, o in enumerate(r["outages"]):  # the step count (hours are shown); by name: 1 unit
            leaves.discard(("resilience", "outages", str(i), "steps"))
            if len(o["generator_mwh_by_name"]) == 1:
                leaves -= {
                    ("resilience", "outages", str(i), "generator_mwh_by_name", g)
                    for g in o["generator_mwh_by_name"]
                }
        assert leaves <= keys, k
    text = text_of(html, "resilience")
    spare = r["firm_capacity_mw"] - r["critical_peak_mw"]
    assert (
        f"cover the critical peak of {r['critical_peak_mw']:,.1f} MW with {spare:,.1f} MW to spare."
        in text
    )
    assert "Survival of a 12-hour outage 74.4%" in text
    assert re.search(r"39 × 3.0 MW N\+ ?1 ", text)  # 39 units of 3 MW, N+1
    # the survival curve: one more image than the built-in four, inside the section
    page = parse(html)
    assert len(page.images) == 5
    section = html[html.index('<section id="resilience">') :]
    section = section[: section.index("</section>")]
    assert section.count('<img alt="survival probability curve" src="data:image/png;base64,') == 1


def test_demand_response_table_and_who_delivered(pages: dict[str, Page]) -> None:
    summary, html, _ = pages["tier3"]
    keys = shown_keys(html)
    dr = summary["demand_response"]["dr-capacity"]
    for k in ("committed_mw", "income", "capacity_payment_per_mw_year", "event_hours"):
        assert ("demand_response", "dr-capacity", k) in keys
    shown_parts = {k for k, v in dr["delivered_by"].items() if abs(v) > 0.0005}
    assert {("demand_response", "dr-capacity", "delivered_by", k) for k in shown_parts} <= keys
    assert numeric_leaves(dr["events"], ("demand_response", "dr-capacity", "events")) <= keys
    assert numeric_leaves(summary["load_flexibility"], ("load_flexibility",)) <= keys
    # the stacked bar: one segment per resource that delivered, widths in proportion
    section = html[html.index('<section id="demand-response">') :]
    section = section[: section.index("</section>")]
    segs = re.findall(
        r'<i class="seg [^"]*" style="left:([\d.]+)%;width:([\d.]+)%;[^"]*" title="([^"]+)"',
        section,
    )
    parts = {k: v for k, v in dr["delivered_by"].items() if k != "total" and abs(v) >= 1e-3}
    assert len(segs) == len(parts) == 4  # battery, flexibility, curtailment, other supply
    widths = [float(w) for _, w, _ in segs]
    total = sum(parts.values())
    assert dr["delivered_by"]["total"] == pytest.approx(total)
    for (_, w, title), v in zip(segs, parts.values(), strict=True):
        assert float(w) / sum(widths) == pytest.approx(v / total, abs=1e-4), title
    assert segs[0][2] == f"battery (discharge − charge): {parts['battery']:,.1f} MW"
    assert "generators may not deliver" in text_of(html, "demand-response")
    # the cost table words the new categories
    cost = text_of(html, "cost")
    assert "demand response payments (income)" in cost and "load curtailed" in cost


# -- in a real browser --------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("name", ["block", "tier3", "compliance"])
def test_feature_pages_in_a_browser(pages: dict[str, Page], name: str, tmp_path: Path) -> None:
    if chromium_path() is None:
        if os.environ.get("DCOPT_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed")
        pytest.skip("chromium is not installed")
    summary, _, path = pages[name]
    shot = tmp_path / f"{name}.png"
    page = open_page(path, shot)
    assert page.console_errors == [] and page.external_requests == []
    info = page.page_info
    assert info["scrollWidth"] <= 1280
    assert info["overflowing"] == []
    for img in info["images"]:
        assert img["complete"] and img["width"] > 300 and img["height"] > 100, img
    for key, value, _ in info["values"]:
        expected = get_path(summary, tuple(json.loads(key)))
        assert (value == "") if expected is None else float(value) == expected
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
