"""Read report.html back: the numbers it shows (``data-key``/``data-value``), its images."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any


@dataclass
class Shown:
    key: tuple[str, ...]
    value: str
    text: str


class ReportParser(HTMLParser):
    """Collects every ``data-key`` element with its text, the images and section titles."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[Shown] = []
        self.images: list[dict[str, str]] = []
        self.sections: list[str] = []
        self.external: list[str] = []
        self._open: list[tuple[str, dict[str, str], list[str]]] = []
        self._h2: list[str] | None = None
        self._in_section = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "data-key" in a:
            self._open.append((tag, a, []))
        if tag == "img":
            self.images.append(a)
        if tag == "section":
            self._in_section = True
        if tag == "h2" and self._in_section:
            self._h2 = []
        for attr in ("src", "href"):
            v = a.get(attr, "")
            if v and not v.startswith(("data:", "#")):
                self.external.append(v)
        if tag in ("script", "link", "iframe", "object", "embed"):
            self.external.append(f"<{tag}>")

    def handle_data(self, data: str) -> None:
        for _, _, texts in self._open:
            texts.append(data)
        if self._h2 is not None:
            self._h2.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            _, a, texts = self._open.pop()
            self.shown.append(
                Shown(tuple(json.loads(a["data-key"])), a["data-value"], "".join(texts))
            )
        if tag == "h2" and self._h2 is not None:
            self.sections.append("".join(self._h2))
            self._h2 = None


def parse(html: str) -> ReportParser:
    p = ReportParser()
    p.feed(html)
    p.close()
    return p


def get_path(data: Any, key: tuple[str, ...]) -> Any:
    """The value under ``key``; a list is indexed by the key's decimal string ("0", "1")."""
    cur = data
    for part in key:
        if isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
            continue
        assert isinstance(cur, dict) and part in cur, f"{key} not in summary"
        cur = cur[part]
    return cur


_NUM = re.compile(r"-?[\d,]*\.?\d+")


def shown_number(text: str) -> tuple[float, float]:
    """The number a cell shows and half a unit of its last digit (percent → fraction)."""
    m = _NUM.search(text.replace("\u2212", "-"))
    assert m, f"no number in {text!r}"
    raw = m.group(0).replace(",", "")
    decimals = len(raw.split(".")[1]) if "." in raw else 0
    value = float(raw)
    half = 0.5 * 10.0**-decimals
    if "%" in text:
        return value / 100.0, half / 100.0
    return value, half
