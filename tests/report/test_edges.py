"""Report edge cases: hostile names, no solution, optional summary blocks, extra sections."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from optimizer.report import Section, render_report, write_report
from optimizer.report.page import footprint_sections, pick_week
from optimizer.solve import solve
from tests.core.helpers import scenario
from tests.report.helpers import get_path, parse, shown_number

HOSTILE = '<script>alert("x")</script> & $\\frac$ "co"'


def test_names_are_escaped_everywhere(tmp_path: Path) -> None:
    """A scenario, offer and technology named with markup and mathtext: the page holds them
    only escaped, and the charts (matplotlib would read $...$ as math) still draw."""
    sc = scenario(
        [10.0, 12.0, 14.0, 12.0] * 6,
        price=[40.0, 60.0, 90.0, 60.0] * 6,
        columns={"sun": [0.0, 0.5, 1.0, 0.5] * 6},
        finance={"discount_rate": 0.05},
        technologies=[
            {
                "name": f"solar {HOSTILE}",
                "kind": "solar",
                "profile": "sun",
                "capex_per_kw": 100.0,
                "lifetime_years": 20,
            }
        ],
    )
    sc["name"] = HOSTILE
    sc["grid_offers"][0]["name"] = f"grid {HOSTILE}"
    result = solve(sc)
    assert result.status == "optimal"
    path = write_report(result, tmp_path / "deep" / "report.html")
    assert path == tmp_path / "deep" / "report.html"
    html = path.read_text(encoding="utf-8")
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp;" in html  # markupsafe's escape
    page = parse(html)
    assert page.external == []
    assert len(page.images) == 4
    key = ("capacity_mw", f"solar {HOSTILE}")
    shown = [s for s in page.shown if s.key == key]
    assert shown and float(shown[0].value) == result.summary["capacity_mw"][key[1]]


def test_infeasible_result_still_gives_a_page() -> None:
    """CFE target 1 with a grid that is half clean and nothing else: infeasible; the page
    shows the status and the diagnosis message, and the inputs."""
    sc = scenario([10.0] * 4, cfe_share=0.5, carbon={"cfe_target": 1.0})
    result = solve(sc)
    assert result.status == "infeasible"
    html = render_report(result)
    page = parse(html)
    assert page.sections == ["Result", "Inputs", "Run details"]
    assert "infeasible" in html
    assert "0.5000" in html  # the best reachable CFE score, from the diagnosis message
    assert page.images == []


NESTED = {
    "materials": {
        "total_tonnes": {"copper": 12.5, "silicon": 3.25},
        "by_item_tonnes": {"solar": {"copper": 10.0, "silicon": 3.25}, "bess": {"copper": 2.5}},
        "basis": {"solar": "default", "bess": None},
    },
    "embodied_carbon": {"total_tco2": 1234.5, "included_in_emissions": False},
    "footprint": {"it_energy_mwh": 9000.0, "emissions_tco2": {"scope1": 0.0, "scope2": 7.5}},
}


def test_optional_blocks_are_tables_of_every_number() -> None:
    """Each number of materials / embodied_carbon / footprint appears with its data-key."""
    summary = {"currency": "USD", **copy.deepcopy(NESTED)}
    sections = footprint_sections(summary, taken={"footprint"})  # generic tables only
    assert [s.title for s in sections] == ["Materials and carbon footprint"]
    page = parse(sections[0].html)
    got = {s.key: s for s in page.shown}
    expected_keys = {
        ("materials", "total_tonnes", "copper"),
        ("materials", "total_tonnes", "silicon"),
        ("materials", "by_item_tonnes", "solar", "copper"),
        ("materials", "by_item_tonnes", "solar", "silicon"),
        ("materials", "by_item_tonnes", "bess", "copper"),
        ("embodied_carbon", "total_tco2"),
        ("footprint", "it_energy_mwh"),
        ("footprint", "emissions_tco2", "scope1"),
        ("footprint", "emissions_tco2", "scope2"),
    }
    assert set(got) == expected_keys
    for key, s in got.items():
        assert float(s.value) == get_path(summary, key)
        value, half = shown_number(s.text)
        assert abs(value - get_path(summary, key)) <= half
    assert "default" in sections[0].html  # text leaves are shown too


def test_optional_blocks_absent_means_no_section() -> None:
    assert footprint_sections({"currency": "USD"}, taken=set()) == []


def test_extra_sections_come_before_the_inputs(solved_case) -> None:  # type: ignore[no-untyped-def]
    """Sections passed by compare/frontier are appended, titles escaped, anchors unique."""
    result = copy.copy(solved_case("week-basic"))
    result.summary = {k: v for k, v in result.summary.items() if k not in NESTED}
    extra = [
        Section("Compare <offers>", "<p>compare body</p>", "compare"),
        Section("Frontier", "<p>frontier body</p>", "cost"),  # anchor clash with "Cost"
    ]
    html = render_report(result, extra)
    page = parse(html)
    assert page.sections[-4:] == ["Compare <offers>", "Frontier", "Inputs", "Run details"]
    assert "Compare &lt;offers&gt;" in html
    assert 'id="cost"' in html and 'id="cost-x"' in html
    assert html.index("compare body") < html.index("frontier body") < html.index('id="inputs"')


def test_week_argument_picks_seven_local_days(solved_case) -> None:  # type: ignore[no-untyped-def]
    r = solved_case("week-contracts")
    wk = pick_week(r, "2027-07-01")
    assert r.problem.time.index[wk.start].strftime("%Y-%m-%d %H:%M") == "2027-07-01 00:00"
    assert wk.stop == len(r.dispatch)  # the horizon ends before 7 more days
    assert pick_week(r, "2030-01-01").basis == "whole_horizon"  # outside: the default


@pytest.mark.parametrize("value", [-1e-12, -0.0])
def test_no_negative_zero_on_the_page(value: float) -> None:
    from optimizer.report.fmt import money, mw, per_mwh

    assert per_mwh(value, "USD") == "USD 0.00/MWh"
    assert money(value, "EUR") == "EUR 0.00"
    assert mw(value) == "0.0 MW"
