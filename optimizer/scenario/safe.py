"""Reading untrusted bytes into plain data: text encoding, nesting, alias expansion, size and
duplicate keys are checked *before* anything is built from them.

- :func:`decode_text`: UTF-8 (a byte-order mark is dropped); UTF-16/32, binary files and other
  encodings are refused with what the bytes look like.
- :func:`parse_yaml`: a first pass over libyaml's *events* (no recursion, no objects built)
  measures the nesting depth and the number of values with every alias expanded, so a deep
  document or a "billion laughs" costs microseconds per event and is refused early; then the
  document is built by a loader that refuses a key given twice in one mapping (key and line).
- :func:`parse_json`: strings are blanked with one regular expression (C speed), and the
  brackets and commas that are left give the depth and an upper bound of the values before
  :func:`json.loads` runs; duplicate keys are refused too.
- :func:`check_shape`: the same depth and size limits on data that arrived already parsed
  (an API body, a Python caller's mapping), walked without recursion.

Every refusal is a :class:`ScenarioError` naming ``field`` (e.g. ``scenario``, ``body``).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Mapping
from typing import Any

import yaml

from optimizer.errors import ScenarioError
from optimizer.scenario.limits import InputLimits, env_name

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PAR1", "a Parquet file"),
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook?)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.xls?)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"SQLite format 3", "an SQLite database"),
    (b"\x7fELF", "an executable program"),
    (b"BZh", "a bzip2-compressed file"),
    (b"\xfd7zXZ", "an xz-compressed file"),
)


def describe_bytes(data: bytes) -> str | None:
    """What non-UTF-8 bytes look like (``None`` when they are plain UTF-8 text)."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "UTF-32 text (it starts with a UTF-32 byte-order mark)"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16 text (it starts with a UTF-16 byte-order mark)"
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    head = data[:4096]
    if b"\x00" in head:
        even, odd = head[0::2], head[1::2]
        if odd and (odd.count(0) > 0.8 * len(odd) or even.count(0) > 0.8 * len(even)):
            return "UTF-16 text without a byte-order mark"
        return "a binary file (it holds NUL bytes), not text"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        return (
            f"text that is not UTF-8 (byte 0x{byte:02x} on line {line}; Latin-1 or Windows-1252?)"
        )
    return None


def decode_text(data: bytes, name: str, field: str = "scenario") -> str:
    """UTF-8 text of ``data`` (a leading byte-order mark dropped), or a refusal that names
    ``name`` and says what the bytes look like and what to do."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    what = describe_bytes(data)
    if what is not None:
        raise ScenarioError.single(field, f"{name} is {what}; save it as UTF-8 text")
    return data.decode("utf-8")


def _value_problem(exc: Exception) -> str:
    text = str(exc)
    if "Exceeds the limit" in text and "digits" in text:
        return "a number has more than 4300 digits"
    return text


def _too_many(
    field: str, name: str, count: str, limits: InputLimits, where: str = ""
) -> ScenarioError:
    return ScenarioError.single(
        field,
        f"{name} holds {count} values{where}; at most {limits.max_input_items} "
        f"({env_name('max_input_items')})",
    )


def _too_deep(field: str, name: str, where: str, limits: InputLimits) -> ScenarioError:
    return ScenarioError.single(
        field,
        f"{name} is nested more than {limits.max_nesting_depth} levels deep{where}; "
        f"{env_name('max_nesting_depth')} sets the limit",
    )


# --- YAML ------------------------------------------------------------------------------------
class _UniqueKeyLoader(_Loader):
    """The safe loader, refusing a key that appears twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _value in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *base` merges; keys given here override the merged ones
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:
                continue  # an unhashable key: the base loader reports it
            line = key_node.start_mark.line + 1
            if first is not None:
                raise _DuplicateKey(key, line, first)
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int, first: int) -> None:
        self.key, self.line, self.first = key, line, first


def _line(ev: yaml.Event) -> int:
    mark = ev.start_mark
    return 0 if mark is None else int(mark.line) + 1


def _scan_yaml_events(text: str, name: str, field: str, limits: InputLimits) -> None:
    """Depth and expanded size from the event stream, before any node is composed."""
    sizes: dict[str, int] = {}  # anchor -> values it stands for, expanded
    stack: list[tuple[str | None, int]] = []  # open collections: (anchor, size so far)
    open_anchors: set[str] = set()
    total = 0
    documents = 0
    loader = _Loader(text)
    try:
        while loader.check_event():
            ev = loader.get_event()
            add = 0
            if isinstance(ev, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise ScenarioError.single(
                        field,
                        f"{name} holds more than one YAML document (line {_line(ev)}); give one",
                    )
                continue
            if isinstance(ev, yaml.ScalarEvent):
                add = 1
                if ev.anchor is not None:
                    sizes[ev.anchor] = 1
            elif isinstance(ev, yaml.AliasEvent):
                if ev.anchor in open_anchors:
                    raise ScenarioError.single(
                        field,
                        f"{name}: alias *{ev.anchor} on line {_line(ev)} refers "
                        "to the collection that contains it (a recursive structure)",
                    )
                add = sizes.get(ev.anchor or "", 1)
            elif isinstance(ev, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                stack.append((ev.anchor, 1))
                total += 1
                if ev.anchor is not None:
                    open_anchors.add(ev.anchor)
                if len(stack) > limits.max_nesting_depth:
                    raise _too_deep(field, name, f" (line {_line(ev)})", limits)
                if total > limits.max_input_items:
                    where = f" (line {_line(ev)})"
                    raise _too_many(field, name, f"more than {total - 1}", limits, where)
                continue
            elif isinstance(ev, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                anchor, size = stack.pop()
                if anchor is not None:
                    sizes[anchor] = size
                    open_anchors.discard(anchor)
                if stack:
                    a, s = stack[-1]
                    stack[-1] = (a, s + size)
                continue
            else:
                continue
            total += add
            if stack:
                a, s = stack[-1]
                stack[-1] = (a, s + add)
            if total > limits.max_input_items:
                where = f" (aliases expanded; line {_line(ev)})"
                raise _too_many(field, name, f"more than {total - add}", limits, where)
    finally:
        loader.dispose()


def parse_yaml(
    text: str, name: str, field: str = "scenario", limits: InputLimits | None = None
) -> Any:
    """One YAML document as plain data, with the limits checked before it is built."""
    limits = limits or InputLimits()
    try:
        _scan_yaml_events(text, name, field, limits)
        loader = _UniqueKeyLoader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except _DuplicateKey as dup:
        raise ScenarioError.single(
            field,
            f"{name}: key {dup.key!r} appears twice in one mapping (line {dup.first} and line "
            f"{dup.line}); give it once",
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        if "nesting depth" in problem:  # libyaml's own ceiling, met while scanning ahead
            raise _too_deep(field, name, where, limits) from None
        raise ScenarioError.single(
            field, f"{name} is not valid YAML/JSON: {problem}{where}"
        ) from None
    except yaml.YAMLError as exc:
        raise ScenarioError.single(field, f"{name} is not valid YAML/JSON: {exc}") from None
    except (ValueError, TypeError, OverflowError) as exc:
        # a value the constructor cannot make: a date such as 2027-13-01, a 5000-digit int
        raise ScenarioError.single(
            field, f"{name}: cannot read a value: {_value_problem(exc)}"
        ) from None


# --- JSON ------------------------------------------------------------------------------------
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b"[]{}")


def _bracket_depth(raw: bytes) -> int:
    """Deepest nesting of brackets, counting those inside strings too (an upper bound)."""
    import numpy as np

    brackets = np.frombuffer(raw.translate(None, _NOT_STRUCTURE), dtype=np.uint8)
    if brackets.size == 0:
        return 0
    step = np.where((brackets == ord("[")) | (brackets == ord("{")), 1, -1).astype(np.int32)
    return int(np.cumsum(step).max())


class _JsonDuplicate(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _JsonDuplicate(key)
        out[key] = value
    return out


def _json_line_of_duplicate(raw: bytes, key: str) -> str:
    """`` (line N)`` of the key's second appearance, when the key appears exactly twice."""
    pattern = re.compile(re.escape(json.dumps(key).encode()) + rb"\s*:")
    hits = [m.start() for m in pattern.finditer(raw)]
    if len(hits) != 2:
        return ""
    line = raw.count(b"\n", 0, hits[1]) + 1
    return f" (line {line})"


def parse_json(
    data: bytes | str, name: str, field: str = "scenario", limits: InputLimits | None = None
) -> Any:
    """A JSON text as plain data; size and depth are checked before it is parsed.

    The counts of brackets and commas bound the number of values from above (a comma inside
    a string counts too: harmless below any sensible limit). When the brackets alone nest
    deeper than the limit, the text is parsed (the C parser stops at Python's recursion
    limit) and its real depth measured, so brackets inside strings never refuse a body.
    """
    limits = limits or InputLimits()
    if isinstance(data, str):
        text = data.removeprefix("\ufeff")
        raw = text.encode("utf-8")
    else:
        text = decode_text(data, name, field)
        raw = data
    containers = raw.count(b"[") + raw.count(b"{")
    values = raw.count(b",") + containers + 1
    if values > limits.max_input_items:
        raise _too_many(field, name, f"up to {values}", limits)
    deep = containers > limits.max_nesting_depth and _bracket_depth(raw) > limits.max_nesting_depth
    try:
        out = json.loads(text, object_pairs_hook=_unique_pairs)
    except _JsonDuplicate as dup:
        where = _json_line_of_duplicate(raw, dup.key)
        raise ScenarioError.single(
            field, f"{name}: key {dup.key!r} appears twice in one object{where}; give it once"
        ) from None
    except json.JSONDecodeError as exc:
        raise ScenarioError.single(
            field,
            f"{name} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
        ) from None
    except RecursionError:
        raise _too_deep(field, name, "", limits) from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise ScenarioError.single(
            field, f"{name} is not valid JSON: {_value_problem(exc)}"
        ) from None
    if deep:
        check_shape(out, name, field, limits)
    return out


# --- data already parsed ---------------------------------------------------------------------
def check_shape(
    data: Any, name: str, field: str = "scenario", limits: InputLimits | None = None
) -> None:
    """Depth and number of values of plain data, walked without recursion (a structure that
    contains itself is refused as too deep)."""
    limits = limits or InputLimits()
    todo: list[tuple[Any, int]] = [(data, 1)]
    count = 0
    while todo:
        node, depth = todo.pop()
        count += 1
        if count > limits.max_input_items:
            raise _too_many(field, name, f"more than {limits.max_input_items}", limits)
        if isinstance(node, Mapping):
            children: Any = node.values()
        elif isinstance(node, (list, tuple)):
            children = node
        else:
            continue
        if depth > limits.max_nesting_depth:
            raise _too_deep(field, name, "", limits)
        if len(children) + count > limits.max_input_items:
            raise _too_many(field, name, f"more than {limits.max_input_items}", limits)
        todo.extend((child, depth + 1) for child in children)
