"""``--set dotted.path=value`` overrides (CONTRACT section 4), applied to the raw scenario
before validation. A list item is addressed by its name: ``ppa_offers[wind-a].price_per_mwh``;
``[0]`` addresses by position. Values are read as YAML scalars (numbers, null, true, lists),
with the limits of :mod:`optimizer.scenario.safe` (depth, size, duplicate keys).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from optimizer.errors import FieldError, ScenarioError
from optimizer.scenario.safe import parse_yaml

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
    value = parse_yaml(raw, "the value", path.strip()) if raw.strip() != "" else None
    return path.strip(), value


def set_path(data: dict[str, Any], path: str, value: Any, copy_on_write: bool = False) -> None:
    """Set one value in place; a missing mapping on the way is created. With
    ``copy_on_write`` every list and mapping on the path is replaced by a shallow copy
    first, so containers shared with the caller's data are never changed."""
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
                if copy_on_write:
                    node[idx] = _copy(node[idx])
                node = node[idx]
        else:
            if not isinstance(node, dict):
                raise ScenarioError.single(where, "is not a mapping")
            if last:
                node[part] = value
            else:
                if node.get(part) is None:
                    node[part] = [] if isinstance(parts[i + 1], tuple) else {}
                elif copy_on_write:
                    node[part] = _copy(node[part])
                node = node[part]


def _copy(node: Any) -> Any:
    if isinstance(node, Mapping):
        return dict(node)
    if isinstance(node, list):
        return list(node)
    return node


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
    """``data`` with every override applied; all errors reported together. ``data`` is never
    changed: the containers on each overridden path are copied (the rest is shared)."""
    out = dict(data)
    errors: list[FieldError] = []
    for item in overrides:
        try:
            path, value = parse_assignment(item) if isinstance(item, str) else item
            set_path(out, path, value, copy_on_write=True)
        except ScenarioError as exc:
            errors.extend(exc.errors)
    if errors:
        raise ScenarioError(errors)
    return out
