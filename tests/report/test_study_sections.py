"""The report's risk and pathway sections (CONTRACT 9, 10): every number they show is the
summary.json number under its key, the words say what the numbers say, the page stays
self-contained. Two small studies are solved once (tests/report/study_cases.py); the hedge
and value-of-information sentences are checked on a hand-made summary."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pytest import approx

from optimizer.output import write_result
from optimizer.report import study
from optimizer.report.fmt import get_path as fmt_get_path
from optimizer.solve import solve
from tests.report.helpers import ReportParser, Shown, get_path, shown_number
from tests.report.study_cases import pathway_study, risk_study


class _Parser(ReportParser):
    """Also records which ``data-key`` elements carry the class ``mag`` (text = |value|)."""

    def __init__(self) -> None:
        super().__init__()
        self.mag: set[int] = set()
        self._classes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "data-key" in a:
            self._classes.append(a.get("class", ""))
        super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        n = len(self.shown)
        super().handle_endtag(tag)
        if len(self.shown) > n and "mag" in self._classes.pop().split():
            self.mag.add(n)


def parse(html: str) -> _Parser:
    p = _Parser()
    p.feed(html)
    p.close()
    return p


def text(html: str) -> str:
    """The page's visible text, one space between words."""
    plain = re.sub(r"<[^>]+>", "", html)
    return re.sub(r"\s+", " ", plain.replace("&#39;", "'").replace("&amp;", "&"))


STUDY_KEYS = ("risk", "scenarios", "years", "present_value", "hedges", "stochastic")


def check_shown(summary: dict[str, Any], page: _Parser) -> None:
    """Every shown number is the summary's; a key of the study sections must exist (the
    built-in sections show a study's null ``marginal_price_per_mwh`` as a dash)."""
    for i, s in enumerate(page.shown):
        if s.key[0] in STUDY_KEYS:
            expected = get_path(summary, s.key)
        else:
            expected = fmt_get_path(summary, s.key)
        if expected is None:
            assert s.value == "" and s.text == "—", s
            continue
        assert float(s.value) == float(expected), s
        value, half = shown_number(s.text)
        want = abs(float(expected)) if i in page.mag else float(expected)
        assert abs(value - want) <= half + 1e-12 * abs(want), s


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, Any], str]]:
    out: dict[str, tuple[dict[str, Any], str]] = {}
    for name, case in (("risk", risk_study), ("pathway", pathway_study)):
        result = solve(case())
        assert result.status == "optimal", result.message
        folder: Path = tmp_path_factory.mktemp(name)
        write_result(result, folder)
        summary = json.loads((folder / "summary.json").read_text())
        out[name] = (summary, (folder / "report.html").read_text(encoding="utf-8"))
    return out


# --- risk ------------------------------------------------------------------------------


def test_risk_numbers_are_the_summary_numbers(written) -> None:  # type: ignore[no-untyped-def]
    summary, html = written["risk"]
    page = parse(html)
    check_shown(summary, page)
    keys = {s.key for s in page.shown}
    required: set[tuple[str, ...]] = {
        ("risk", k) for k in ("expected_cost", "var_cost", "cvar_cost", "worst_cost")
    }
    required |= {("risk", "alpha"), ("risk", "weight"), ("objective",)}
    for name, sc in summary["scenarios"].items():
        for k in ("probability", "objective", "total_cost", "cfe_score"):
            required.add(("scenarios", name, k))
        for k in ("location_based", "market_based"):
            required.add(("scenarios", name, "emissions_tco2", k))
        for c in sc["cost_breakdown"]:
            required.add(("scenarios", name, "cost_breakdown", c))
    assert not required - keys, sorted(required - keys)


def test_risk_numbers_by_hand(written) -> None:  # type: ignore[no-untyped-def]
    """α = 0.75: sorted costs mild (0.3), base (0.4), tight (0.2), gas-shock (0.1). The worst
    25 % are all of gas-shock and 0.15 of tight: CVaR = (0.1·C_gas + 0.15·C_tight)/0.25;
    VaR is tight's cost (the cumulative probability reaches 0.75 there); the objective is
    0.6·E + 0.4·CVaR."""
    summary, html = written["risk"]
    sc = summary["scenarios"]
    c = {n: v["objective"] for n, v in sc.items()}
    assert sorted(c, key=c.__getitem__) == ["mild", "base", "tight", "gas-shock"]
    cvar = (0.1 * c["gas-shock"] + 0.15 * c["tight"]) / 0.25
    expected = sum(v["probability"] * v["objective"] for v in sc.values())
    rk = summary["risk"]
    assert rk["cvar_cost"] == approx(cvar)
    assert rk["var_cost"] == approx(c["tight"])
    assert rk["expected_cost"] == approx(expected)
    assert summary["objective"] == approx(0.6 * expected + 0.4 * cvar, rel=1e-7)
    words = text(html)
    assert f"The 25 % worst cases cost EUR {cvar:,.0f} on average (CVaR at α = 0.75)" in words
    assert f"The expected cost is EUR {expected:,.0f}." in words
    assert f"stays at or below EUR {c['tight']:,.0f} (VaR)" in words
    assert f"The costliest scenario, gas-shock, costs EUR {c['gas-shock']:,.0f}" in words
    assert "The portfolio weighs CVaR with ω = 0.4: it minimises 0.6 × expected cost" in words
    assert (
        "the per-step charts (dispatch, monthly energy, heat map, prices) show scenario 'base'"
        in words
    )
    # the carbon price is 10/tCO2: a scenario's cost C_s is its total cost plus it
    for v in sc.values():
        assert v["objective"] - v["total_cost"] == approx(
            10 * v["emissions_tco2"]["location_based"]
        )


def test_risk_page_is_self_contained(written) -> None:  # type: ignore[no-untyped-def]
    _, html = written["risk"]
    page = parse(html)
    assert page.external == []
    assert page.sections[:3] == [
        "Headline",
        "Risk across scenarios",
        "What to buy and build, and why",
    ]
    assert len(page.images) == 5  # the distribution and the four per-step charts
    assert all(i["src"].startswith("data:image/png;base64,") and i["alt"] for i in page.images)


def _hand_summary(**extra: Any) -> dict[str, Any]:
    def scen(p: float, cost: float) -> dict[str, Any]:
        return {
            "probability": p,
            "objective": cost,
            "total_cost": cost,
            "cost_breakdown": {"grid_energy": cost},
            "cfe_score": 0.5,
            "emissions_tco2": {"location_based": 100.0, "market_based": 90.0},
        }

    s: dict[str, Any] = {
        "currency": "EUR",
        "objective": 11_000_000.0,
        "risk": {
            "expected_cost": 11_000_000.0,
            "var_cost": 10_000_000.0,
            "cvar_cost": 20_000_000.0,
            "worst_cost": 20_000_000.0,
            "alpha": 0.9,
            "weight": 0.0,
            "targets_apply": "expectation",
        },
        "scenarios": {"calm": scen(0.9, 10_000_000.0), "crisis": scen(0.1, 20_000_000.0)},
    }
    s.update(extra)
    return s


def test_hedge_sentences_from_a_hand_made_summary() -> None:
    """``summary["hedges"]``: with the offer − without it. wind-a: CVaR −2.1 M at +0.3 M
    expected (a hedge); solar-b: both lower (worth signing); gas-c: both higher."""
    s = _hand_summary(
        hedges={
            "wind-a": {"expected_cost_change": 300_000.0, "cvar_change": -2_100_000.0},
            "solar-b": {"expected_cost_change": -50_000.0, "cvar_change": -10_000.0},
            "gas-c": {"expected_cost_change": 20_000.0, "cvar_change": 40_000.0},
            "broken": {"expected_cost_change": None, "cvar_change": 1.0},
        },
        stochastic={"vss": 120_000.0, "evpi": 450_000.0, "eev": 11_120_000.0, "ws": 10_550_000.0},
    )
    html = study.risk_section(s).html
    words = text(html)
    assert (
        "Signing wind-a lowers the 10 % worst-case cost by EUR 2,100,000 at an expected cost "
        "of EUR 300,000: a hedge that costs on average." in words
    )
    assert (
        "Signing solar-b lowers the 10 % worst-case cost by EUR 10,000 and lowers the expected "
        "cost by EUR 50,000: worth signing." in words
    )
    assert (
        "Signing gas-c raises the 10 % worst-case cost by EUR 40,000 and raises the expected"
        in words
    )
    assert "broken: no comparison." in words
    assert "The portfolio is risk-neutral (ω = 0)" in words
    assert "hold in expectation (probability-weighted)" in words
    page = parse(html)
    check_shown(s, page)
    keys = {x.key for x in page.shown}
    assert ("hedges", "wind-a", "cvar_change") in keys
    assert {("stochastic", k) for k in ("vss", "evpi", "eev", "ws")} <= keys
    mags = [page.shown[i] for i in page.mag]
    assert Shown(("hedges", "wind-a", "cvar_change"), "-2100000.0", "EUR 2,100,000") in mags


def test_same_cost_in_every_scenario_says_so() -> None:
    s = _hand_summary()
    for v in s["scenarios"].values():
        v["objective"] = 10_000_000.0
    words = text(study.risk_section(s).html)
    assert "Every scenario costs the same, EUR 10,000,000" in words
    assert "costliest" not in words


def test_tail_words() -> None:
    assert study.tail_words(0.9) == "10 %"
    assert study.tail_words(0.95) == "5 %"
    assert study.tail_words(0.975) == "2.5 %"


# --- pathway ---------------------------------------------------------------------------


def test_pathway_numbers_are_the_summary_numbers(written) -> None:  # type: ignore[no-untyped-def]
    summary, html = written["pathway"]
    page = parse(html)
    check_shown(summary, page)
    keys = {s.key for s in page.shown}
    required: set[tuple[str, ...]] = {("present_value", k) for k in summary["present_value"]}
    for y, v in summary["years"].items():
        for k in (
            "total_cost",
            "objective",
            "cost_per_mwh",
            "cfe_score",
            "cfe_target",
            "served_load_mwh",
            "discount_factor",
            "weight_years",
        ):
            required.add(("years", y, k))
        for k in ("location_based", "market_based"):
            required.add(("years", y, "emissions_tco2", k))
        for k in ("cfe_per_mwh", "emissions_cap_per_tco2"):
            required.add(("years", y, "shadow_prices", k))
        for group in ("capacity_mw", "built_mw", "storage_mwh", "cost_breakdown"):
            required |= {("years", y, group, n) for n in v[group]}
    assert not required - keys, sorted(required - keys)


def test_pathway_plan_by_hand(written) -> None:  # type: ignore[no-untyped-def]
    """Standing capacity is the sum of the builds so far (every lifetime outlasts 2030);
    wind-a runs 2028–2029 (start 2028, two-year term); the present value is Σ factor ×
    the year's cost, the levelised cost that ÷ Σ factor × the year's served energy."""
    summary, html = written["pathway"]
    years = summary["years"]
    assert list(years) == ["2027", "2028", "2030"]
    standing = 0.0
    for v in years.values():
        standing += v["built_mw"]["onsite-solar"]
        assert v["capacity_mw"]["onsite-solar"] == approx(standing, abs=1e-6)
    assert [years[y]["capacity_mw"]["wind-a"] for y in years] == approx([0.0, 4.0, 0.0], abs=1e-7)
    assert years["2028"]["discount_factor"] == approx(1 / 1.06 + 1 / 1.06**2)
    pv = sum(v["discount_factor"] * v["total_cost"] for v in years.values())
    energy = sum(v["discount_factor"] * v["served_load_mwh"] for v in years.values())
    assert summary["present_value"]["total_cost"] == approx(pv)
    assert summary["present_value"]["levelised_cost_per_mwh"] == approx(pv / energy)
    words = text(html)
    y27 = years["2027"]["built_mw"]
    assert (
        f"In 2027: build {y27['onsite-solar']:,.1f} MW of onsite-solar and "
        f"{y27['battery']:,.1f} MW of battery." in words
    )
    assert "Sign wind-a (PPA, baseload) for 4.0 MW from 2028 to 2029." in words
    assert f"The present value of the cost is USD {pv:,.0f} at a discount rate of 6.0%" in words
    assert f"a levelised USD {pv / energy:,.2f}/MWh" in words
    assert "show year 2027" in words
    assert "2028–2029" in words  # the entry standing for two years


def test_pathway_page_is_self_contained(written) -> None:  # type: ignore[no-untyped-def]
    _, html = written["pathway"]
    page = parse(html)
    assert page.external == []
    assert page.sections[:2] == ["Headline", "Pathway by year"]
    assert len(page.images) == 7  # capacity, cost, CFE by year and the four per-step charts


def test_plan_sentences_retirement_and_never_chosen() -> None:
    """A 1-year solar built in 2027 retires before 2028; a PPA never signed says so."""
    years = {
        "2027": {
            "year": 2027,
            "weight_years": 1,
            "built_mw": {"pv": 10.0},
            "capacity_mw": {"pv": 10.0, "ppa": 0.0},
        },
        "2028": {
            "year": 2028,
            "weight_years": 3,
            "built_mw": {"pv": 0.0},
            "capacity_mw": {"pv": 0.0, "ppa": 0.0},
        },
    }
    items = [study.Item("pv", "solar", False), study.Item("ppa", "PPA, baseload", True)]
    out = study.plan_sentences(items, years)
    flat = ["".join(p if isinstance(p, str) else p.text for p in s) for s in out]
    assert flat == [
        "In 2027: build 10.0 MW of pv.",
        "10.0 MW of pv reaches the end of its life before 2028 (standing 0.0 MW).",
        "ppa (PPA, baseload) is not signed.",
    ]
    assert study.span_label(years["2028"], "2028") == "2028–2030"
