"""The numbers report.html shows are the numbers of summary.json.

Each case is solved once (``solved_case``), written with ``Result.write`` (which calls
``write_report``), then the page is parsed with the stdlib HTML parser: every element with a
``data-key`` must carry exactly the summary.json value under that key, and its visible text
must round to it. Totals are also re-added from the shown cost lines (an independent sum).
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.report.conftest import CASES
from tests.report.helpers import get_path, parse, shown_number


def _required(summary: dict[str, Any]) -> set[tuple[str, ...]]:
    keys: set[tuple[str, ...]] = {
        ("total_cost",),
        ("cost_per_mwh",),
        ("served_load_mwh",),
        ("emissions_tco2", "location_based"),
        ("emissions_tco2", "market_based"),
        ("cfe_score",),
        ("marginal_price_per_mwh", "load_weighted"),
        ("marginal_price_per_mwh", "mean"),
        ("marginal_price_per_mwh", "min"),
        ("marginal_price_per_mwh", "max"),
        ("shadow_prices", "cfe_per_mwh"),
    }
    for group in (
        "capacity_mw",
        "storage_mwh",
        "grid_import_mwh",
        "grid_peak_mw",
        "cost_breakdown",
    ):
        keys |= {(group, name) for name in summary[group]}
    return keys


@pytest.mark.parametrize("case", CASES)
def test_every_shown_number_is_the_summary_number(written, case: str) -> None:  # type: ignore[no-untyped-def]
    summary, html, _ = written[case]
    page = parse(html)
    shown_keys = {s.key for s in page.shown}
    missing = _required(summary) - shown_keys
    assert not missing, f"headline numbers missing from the report: {sorted(missing)}"
    for s in page.shown:
        expected = get_path(summary, s.key)
        if expected is None:
            assert s.value == "" and s.text == "—", s
            continue
        assert float(s.value) == float(expected), s  # exact: repr round-trips a float
        value, half = shown_number(s.text)
        assert abs(value - float(expected)) <= half + 1e-12 * abs(float(expected)), s


def test_contracts_headline_by_hand(written) -> None:  # type: ignore[no-untyped-def]
    """week-contracts: the CFE target 0.8 binds, so the page shows 80.0% and its shadow price;
    the cost lines shown add up to the total shown (re-added here from the visible text)."""
    summary, html, _ = written["week-contracts"]
    page = parse(html)
    by_key = {s.key: s.text for s in page.shown}
    assert by_key[("cfe_score",)] == "80.0%"
    assert by_key[("cfe_target",)] == "80.0%"
    assert by_key[("shadow_prices", "cfe_per_mwh")].startswith("USD ")
    lines = [shown_number(t)[0] for k, t in by_key.items() if k[0] == "cost_breakdown"]
    assert len(lines) == len(summary["cost_breakdown"]) == 6
    total, half = shown_number(by_key[("total_cost",)])
    assert abs(sum(lines) - total) <= 6 * 0.5 + half
    # the one-point estimate in the "why" list: shadow price x 1% x served MWh
    estimate = summary["shadow_prices"]["cfe_per_mwh"] * 0.01 * summary["served_load_mwh"]
    assert f"USD {estimate:,.0f}" in html


def test_no_shadow_price_shows_a_dash(written) -> None:  # type: ignore[no-untyped-def]
    """week-basic has no CFE target: its CFE shadow price is null and shown as a dash."""
    summary, html, _ = written["week-basic"]
    assert summary["shadow_prices"]["cfe_per_mwh"] is None
    shown = [s for s in parse(html).shown if s.key == ("shadow_prices", "cfe_per_mwh")]
    assert shown and all(s.text == "—" and s.value == "" for s in shown)


@pytest.mark.parametrize("case", CASES)
def test_self_contained_and_small(written, case: str) -> None:  # type: ignore[no-untyped-def]
    """No external resource; every image is an inline PNG that decodes; the page is small."""
    _, html, _ = written[case]
    page = parse(html)
    assert page.external == []
    assert len(page.images) == 4  # dispatch, monthly, heat map, prices (bars are HTML)
    for img in page.images:
        prefix = "data:image/png;base64,"
        assert img["src"].startswith(prefix)
        assert base64.b64decode(img["src"][len(prefix) :])[:8] == b"\x89PNG\r\n\x1a\n"
        assert img["alt"]
    assert len(html.encode()) < 3_000_000
    assert page.sections[:7] == [
        "Headline",
        "What to buy and build, and why",
        "Cost",
        "Dispatch of the costliest week",
        "Monthly energy by source",
        "Hourly carbon-free energy",
        "Prices and shadow prices",
    ]
    assert page.sections[-2:] == ["Inputs", "Run details"]
