"""The Jinja environment of the report: templates in ``optimizer/report/templates``, HTML
autoescaped, the number formatters of :mod:`optimizer.report.fmt` as filters."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from optimizer.report.fmt import FILTERS, TESTS


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "section"


def keyjson(key: Any) -> str:
    """A summary key path as JSON for a single-quoted ``data-key`` attribute (``'`` escaped;
    autoescape then escapes the rest)."""
    return json.dumps([str(k) for k in key]).replace("'", "\\u0027")


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("optimizer.report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(FILTERS)
    env.filters["keyjson"] = keyjson
    env.filters["slug"] = slug
    env.tests.update(TESTS)
    return env


def render(template: str, **context: Any) -> Markup:
    """One template rendered to safe markup (a section body, a table, the page)."""
    return Markup(environment().get_template(template).render(**context))


def css() -> str:
    """The page's stylesheet (inlined into the page: no external resource)."""
    loader = environment().loader
    assert loader is not None
    source, _, _ = loader.get_source(environment(), "report.css")
    return source
