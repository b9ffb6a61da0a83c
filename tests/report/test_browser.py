"""report.html in a real headless browser (Debian's chromium; .ci/run installs it).

The page must load with no console error, no uncaught exception, no error-level log entry
and no request that leaves the file (it opens offline); every image must decode; the numbers
the browser renders must be summary.json's. A screenshot is taken. A control page with a
console error, an exception and an external image shows the check can fail. Skipped, with
the reason, only when chromium is not installed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.report.browser import chromium_path, open_page
from tests.report.helpers import get_path

MISSING = "chromium is not installed: apt-get install -y chromium (as .ci/run does)"


@pytest.fixture(autouse=True)
def _need_chromium() -> None:
    """Skip without chromium, except where DCOPT_REQUIRE_BROWSER is set (CI): there, fail."""
    if chromium_path() is None:
        if os.environ.get("DCOPT_REQUIRE_BROWSER"):
            pytest.fail(MISSING)
        pytest.skip(MISSING)


def test_report_loads_cleanly_and_renders(written, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    summary, _, report = written["week-contracts"]
    shot = tmp_path / "report.png"
    page = open_page(report, shot)
    assert page.console_errors == []
    assert page.external_requests == []
    assert page.failed_requests == []
    info = page.page_info
    assert info["title"].startswith("week-contracts")
    assert len(info["images"]) == 4
    for img in info["images"]:
        assert img["complete"] and img["width"] > 300 and img["height"] > 100, img
    assert info["scrollWidth"] <= 1280  # nothing wider than the window
    assert info["overflowing"] == []  # no table with its own scrollbar (issue 18: inputs)
    assert info["sections"][0] == "Headline"
    rendered = {tuple(json.loads(k)): (v, t) for k, v, t in info["values"]}
    total_value, total_text = rendered[("total_cost",)]
    assert float(total_value) == summary["total_cost"]
    assert total_text == f"USD {summary['total_cost']:,.0f}"
    for key, (value, _) in rendered.items():
        expected = get_path(summary, key)
        assert (value == "") if expected is None else float(value) == expected
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert width == 1280 and height == min(info["scrollHeight"], 16000) > 3000


def test_a_scenario_set_report_fits_the_window(tmp_path: Path) -> None:
    """week-contracts with seven spot scenarios (the base column and flat 20…120): the risk
    section's cost breakdown by category comes in two tables (6 scenarios, then 1), the
    PPA settlement table has its quantiles, and no table is wider than the page (the one
    table of scenarios × categories was 1,521 px wide with three scenarios). Every number
    the browser renders is summary.json's."""
    import yaml

    from optimizer.cli import app
    from tests.cases.test_decomposition import WEEK, week_three

    raw = week_three(0.5)
    raw["series"]["file"] = str(WEEK / raw["series"]["file"])
    flat = [20, 40, 60, 80, 100, 120]
    raw["uncertainty"]["scenarios"] = [{"name": "base", "probability": 0.3}] + [
        {"name": f"spot-{v}", "probability": 0.7 / 6, "set": {"grid.spot_price_per_mwh": v}}
        for v in flat
    ]
    path = tmp_path / "seven.yaml"
    path.write_text(yaml.safe_dump(raw))
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["run", str(path), "--no-decompose", "--out", str(out)])
    assert r.exit_code == 0, r.output
    summary = json.loads((out / "summary.json").read_text())
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count('<table class="scenario-costs">') == 2
    page = open_page(out / "report.html", tmp_path / "shot.png")
    assert page.console_errors == []
    info = page.page_info
    assert info["scrollWidth"] <= 1280
    assert info["overflowing"] == []
    rendered = {tuple(json.loads(k)): (v, t) for k, v, t in info["values"]}
    p90 = summary["ppa_metrics"]["wind-a"]["settlement"]["p90"]
    assert float(rendered[("ppa_metrics", "wind-a", "settlement", "p90")][0]) == p90
    for key, (value, _) in rendered.items():
        expected = get_path(summary, key)
        assert (value == "") if expected is None else float(value) == expected


def test_the_check_catches_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><head><title>bad</title></head><body>"
        '<img src="http://192.0.2.1/x.png">'
        "<script>console.error('boom'); undefinedFunction();</script></body></html>"
    )
    page = open_page(bad)
    text = "\n".join(page.console_errors)
    assert "console.error: boom" in text
    assert "undefinedFunction" in text
    assert page.external_requests == ["http://192.0.2.1/x.png"]
