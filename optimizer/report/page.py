"""report.html: the context of the page and its sections, rendered by the templates in
``optimizer/report/templates`` (autoescaped Jinja; numbers formatted by the filters of
:mod:`optimizer.report.fmt`).

Sections, in order: headline, risk across scenarios / pathway by year (a study, see
:mod:`optimizer.report.study`), what to buy and build (and why), cost, dispatch of the
costliest week, monthly energy, hourly CFE heat map, prices, optional materials / embodied
carbon / footprint, extra sections given by the caller (compare, frontier), inputs, run
details. The meaning of each chart is in docs/report.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from optimizer.report import analysis, blocks, compliance, contracts, resilience, study
from optimizer.report.env import css, render, slug
from optimizer.report.fmt import get_path
from optimizer.report.inputs import inputs, nested
from optimizer.report.sections import Section, table_html
from optimizer.report.split import render_sections

if TYPE_CHECKING:
    from optimizer.solve import Result

log = logging.getLogger(__name__)

OPTIONAL_BLOCKS = (
    ("materials", "Raw materials"),
    ("embodied_carbon", "Embodied carbon"),
    ("footprint", "Carbon footprint of compute"),
)
"""Summary keys added by other features; rendered as tables when present."""

pick_week = blocks.pick_week

SECTION_BUILDERS: tuple[Callable[[Result], list[Section]], ...] = (
    contracts.sections,
    compliance.sections,
    resilience.sections,
)
"""Sections of optional features, after the built-in ones; each returns [] without its keys."""


def feature_sections(result: Result) -> list[Section]:
    out: list[Section] = []
    for build in SECTION_BUILDERS:
        try:
            out += build(result)
        except Exception:  # an optional feature must not cost the whole report
            log.warning("report section %s failed; left out", build.__module__, exc_info=True)
    return out


def footprint_sections(summary: dict[str, Any], taken: set[str]) -> list[Section]:
    """Materials, embodied carbon and footprint of compute, when the summary has them.

    The materials feature's own section (``optimizer.materials.report.footprint_section``)
    is used when the caller did not pass one; below it, and instead of it otherwise, every
    number of the three blocks as tables (each with its ``data-key``).
    """
    present = [(k, t) for k, t in OPTIONAL_BLOCKS if summary.get(k) is not None]
    if not present:
        return []
    generic = render("nested.html.j2", blocks=[(t, nested(k, summary[k])) for k, t in present])
    curated: Section | None = None
    if "footprint" not in taken:
        try:
            from optimizer.materials.report import footprint_section

            curated = footprint_section(summary)
        except Exception:  # an optional feature must not cost the whole report
            log.warning(
                "the materials section failed; showing its numbers as tables", exc_info=True
            )
    if curated is not None:
        html = render("every_number.html.j2", curated=Markup(curated.html), generic=generic)
        return [Section(curated.title, html, curated.anchor or "footprint")]
    anchor = "footprint-numbers" if "footprint" in taken else "footprint"
    return [Section("Materials and carbon footprint", generic, anchor)]


def _built_in(result: Result, week: str | None) -> list[Section]:
    s = result.summary
    has_dispatch = result.dispatch is not None
    banner = render(
        "banner.html.j2",
        status=result.status,
        has_dispatch=has_dispatch,
        message=result.message or s.get("message", ""),
        diagnosis=s.get("diagnosis") or result.diagnosis,
    ) + contracts.warnings_box(s)
    if not has_dispatch:
        return [Section("Result", banner if banner.strip() else render("none.html.j2"), "headline")]
    kinds = {t.name: t.kind for t in result.problem.scenario.technologies}
    flows = analysis.flow_index(result.flows, result.dispatch, kinds)
    drawn = analysis.drawn_flows(flows)
    cost = blocks.cost(s)

    def monthly() -> str:
        m = blocks.monthly(result, drawn)
        return render(
            "monthly.html.j2", chart=m["chart"], table=table_html(m["rows"], m["columns"])
        )

    parts: list[tuple[str, str, Callable[[], str]]] = [
        (
            "Headline",
            "headline",
            lambda: render("headline.html.j2", banner=banner, **blocks.headline(s)),
        ),
        (
            "What to buy and build, and why",
            "decision",
            lambda: render("decision.html.j2", **blocks.buy_and_build(result, flows)),
        ),
        (
            "Cost",
            "cost",
            lambda: render(
                "cost.html.j2",
                item_table=table_html(cost["item_rows"], cost["item_columns"]),
                **cost,
            ),
        ),
        (
            "Dispatch of the costliest week",
            "dispatch",
            lambda: render("dispatch.html.j2", **blocks.dispatch(result, flows, drawn, week)),
        ),
        ("Monthly energy by source", "monthly", monthly),
        ("Hourly carbon-free energy", "cfe", lambda: render("cfe.html.j2", **blocks.cfe(result))),
        (
            "Prices and shadow prices",
            "prices",
            lambda: render("prices.html.j2", **blocks.prices(result)),
        ),
    ]
    # the dispatch and CFE sections beside the others where a second core is free
    # (optimizer/report/split.py)
    html = render_sections([job for _, _, job in parts], aside=[3, 5])
    return [Section(title, h, anchor) for (title, anchor, _), h in zip(parts, html, strict=True)]


def render_page(result: Result, sections: Iterable[Section] = (), week: str | None = None) -> str:
    """The whole report as one HTML string."""
    s = result.summary
    p = result.problem
    extra = list(sections)
    body = _built_in(result, week) + feature_sections(result)
    if s.get("risk") or s.get("years"):  # a study (CONTRACT 9, 10): its sections after the headline
        body[1:1] = study.sections(result)
    body += footprint_sections(s, taken={slug(x.anchor or x.title) for x in extra})
    body += extra
    body.append(Section("Inputs", render("inputs.html.j2", parts=inputs(p)), "inputs"))
    body.append(Section("Run details", render("run.html.j2", **blocks.run_details(s)), "run"))

    used: set[str] = set()
    shown = []
    for sec in body:
        anchor = slug(sec.anchor or sec.title)
        while anchor in used:
            anchor += "-x"
        used.add(anchor)
        shown.append({"title": sec.title, "anchor": anchor, "html": Markup(sec.html)})
    hours = (s.get("horizon") or {}).get("hours", p.periods * p.dt)
    subtitle = (
        f"{hours:,.0f} hours from {p.time.index[0]:%d %b %Y %H:%M} ({p.scenario.site.timezone}), "
        f"{p.time.horizon_fraction * 100:.1f}% of a year · money in {p.scenario.currency} · "
        f"status: {s.get('status', result.status)}"
    )
    return (
        render(
            "page.html.j2",
            name=p.scenario.name,
            subtitle=subtitle,
            css=Markup(css()),
            sections=shown,
            version=(s.get("versions") or {}).get("dcopt", ""),
        )
        + "\n"
    )


__all__ = ["footprint_sections", "get_path", "pick_week", "render_page"]
