"""The Jinja environment of the report: templates in ``optimizer/report/templates``, HTML
autoescaped, the number formatters of :mod:`optimizer.report.fmt` as filters."""

from __future__ import annotations

import json
import logging
import re
from functools import cache
from typing import Any

from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)
from markupsafe import Markup

from optimizer.report.fmt import FILTERS, TESTS

log = logging.getLogger(__name__)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "section"


def keyjson(key: Any) -> str:
    """A summary key path as JSON for a single-quoted ``data-key`` attribute (``'`` escaped;
    autoescape then escapes the rest)."""
    return json.dumps([str(k) for k in key]).replace("'", "\\u0027")


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    """Jinja's per-user cache directory, or none where it cannot be made safely (Jinja
    refuses a directory another user owns): the report is then compiled in memory."""
    try:
        return FileSystemBytecodeCache()
    except (OSError, RuntimeError) as exc:
        log.info("no template bytecode cache (%s): compiling in memory", exc)
        return None


@cache
def environment() -> Environment:
    """The report's Jinja environment. Compiled templates are kept in Jinja's own per-user
    bytecode cache (``FileSystemBytecodeCache()``: a private directory under the system's
    temporary directory, each entry checked against its template's source): compiling the 27
    templates took 0.32 s of CPU in every process that wrote a report."""
    env = Environment(
        loader=PackageLoader("optimizer.report", "templates"),
        bytecode_cache=_bytecode_cache(),
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
