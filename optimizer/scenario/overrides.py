"""``--set dotted.path=value`` overrides (CONTRACT section 4), applied to the raw scenario
before validation. A list item is addressed by its name: ``ppa_offers[wind-a].price_per_mwh``;
``[0]`` addresses by position. Values are read as YAML scalars (numbers, null, true, lists).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from optimizer.errors import FieldError, ScenarioError

_TOKEN = re.compile(r"([^.\[\]]+)|\[([^\]]*)\]")


def parse_path(path: str) -> list[str | tuple[str]]:
    """Split ``a.b[name].c`` into ``["a", "b", ("name",), "c"]`` (bracketed parts are tuples)."""
    parts: list[str | tuple[str]] = []
    pos = 0
    path = path.strip()
    if not path:
        raise ValueError("empty path")
    while pos < len(path):
        if path[pos] == ".":
            pos += 1
            continue
        m = _TOKEN.match(path, pos)
        if m is None:
            raise ValueError(f"cannot read path {path!r} at position {pos}")
        if m.group(1) is not None:
            parts.append(m.group(1).strip())
        else:
            parts.append((m.group(2).strip(),))
        pos = m.end()
    return parts


def parse_assignment(text: str) -> tuple[str, Any]:
    """``"path=value"`` → (path, value read as YAML)."""
    if "=" not in text:
        raise ScenarioError.single("--set", f"expected dotted.path=value, got {text!r}")
    path, raw = text.split("=", 1)
    try:
        value = yaml.safe_load(raw) if raw.strip() != "" else None
    except yaml.YAMLError as exc:
        raise ScenarioError.single(path.strip(), f"cannot read value {raw!r}: {exc}") from exc
    return path.strip(), value


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set one value in place; a missing mapping on the way is created."""
    try:
        parts = parse_path(path)
    except ValueError as exc:
        raise ScenarioError.single(path, str(exc)) from exc
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        where = path if last else _render(parts[: i + 1])
        if isinstance(part, tuple):
            if not isinstance(node, list):
                raise ScenarioError.single(where, "is not a list")
            key = part[0]
            idx = _find_item(node, key, where)
            if last:
                node[idx] = value
            else:
                node = node[idx]
        else:
            if not isinstance(node, dict):
                raise ScenarioError.single(where, "is not a mapping")
            if last:
                node[part] = value
            else:
                if node.get(part) is None:
                    node[part] = [] if isinstance(parts[i + 1], tuple) else {}
                node = node[part]


def _find_item(items: list[Any], key: str, where: str) -> int:
    for idx, item in enumerate(items):
        if isinstance(item, Mapping) and str(item.get("name")) == key:
            return idx
    if key.lstrip("-").isdigit():
        idx = int(key)
        if -len(items) <= idx < len(items):
            return idx % len(items)
    names = [str(it.get("name")) for it in items if isinstance(it, Mapping)]
    raise ScenarioError.single(where, f"no item named {key!r} (items: {names})")


def _render(parts: list[str | tuple[str]]) -> str:
    out = ""
    for p in parts:
        out += f"[{p[0]}]" if isinstance(p, tuple) else (f".{p}" if out else p)
    return out


def apply_overrides(
    data: Mapping[str, Any], overrides: Iterable[str | tuple[str, Any]]
) -> dict[str, Any]:
    """A deep copy of ``data`` with every override applied; all errors reported together."""
    out = copy.deepcopy(dict(data))
    errors: list[FieldError] = []
    for item in overrides:
        try:
            path, value = parse_assignment(item) if isinstance(item, str) else item
            set_path(out, path, value)
        except ScenarioError as exc:
            errors.extend(exc.errors)
    if errors:
        raise ScenarioError(errors)
    return out
