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
import contextlib
import importlib
import json
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


def _too_many_yaml(
    field: str, name: str, total: int, ev: yaml.Event, limits: InputLimits
) -> ScenarioError:
    if limits.max_yaml_values < limits.max_input_items:
        return ScenarioError.single(
            field,
            f"{name} holds more than {limits.max_yaml_values} values (aliases expanded; line "
            f"{_line(ev)}); at most {limits.max_yaml_values} in YAML "
            f"({env_name('max_yaml_values')}): put long series in a CSV or Parquet file, or "
            "send JSON",
        )
    where = f" (aliases expanded; line {_line(ev)})"
    return _too_many(field, name, f"more than {limits.max_input_items}", limits, where)


def _line(ev: yaml.Event) -> int:
    mark = ev.start_mark
    return 0 if mark is None else int(mark.line) + 1


class _Frame:
    """An open collection while scanning events."""

    __slots__ = ("anchor", "containers", "expect_key", "is_map", "key", "n", "size")

    def __init__(self, anchor: str | None, is_map: bool) -> None:
        self.anchor = anchor
        self.is_map = is_map
        self.size = 1  # values it stands for, itself included, aliases expanded
        self.n = 0  # items (pairs of a mapping)
        self.containers = 0  # items that are lists or mappings (of a sequence)
        self.expect_key = True
        self.key = "?"


def _path(stack: list[_Frame]) -> str:
    out = ""
    for frame in stack:
        if frame.is_map:
            out += f".{frame.key}" if out else frame.key
        else:
            out += f"[{frame.n}]"
    return out or "scenario"


def _scan_yaml_events(text: str, name: str, field: str, limits: InputLimits) -> None:
    """Depth, expanded size and long lists of mappings, from the event stream, before any
    node is composed (composing and constructing cost 50 us a mapping in PyYAML)."""
    sizes: dict[str, tuple[int, bool]] = {}  # anchor -> (values it stands for, a collection)
    stack: list[_Frame] = []
    open_anchors: set[str] = set()
    total = 0
    documents = 0
    most = limits.max_list_items
    cap = min(limits.max_input_items, limits.max_yaml_values)

    def done(size: int, container: bool, key: str) -> None:
        if not stack:
            return
        parent = stack[-1]
        parent.size += size
        if parent.is_map:
            if parent.expect_key:
                parent.key, parent.expect_key = key, False
                return
            parent.expect_key = True
            parent.n += 1
            if parent.n > most:
                raise ScenarioError.single(
                    _path(stack[:-1]) if len(stack) > 1 else field,
                    f"{name}, line {_line(ev)}: a mapping of more than {most} keys; at most "
                    f"{most} ({env_name('max_list_items')})",
                )
        else:
            parent.n += 1
            if container:
                parent.containers += 1
                if parent.containers > most:
                    raise ScenarioError.single(
                        _path(stack[:-1]) if len(stack) > 1 else field,
                        f"{name}, line {_line(ev)}: a list of more than {most} lists or "
                        f"mappings; at most {most} ({env_name('max_list_items')})",
                    )

    loader = _Loader(text)
    try:
        while loader.check_event():
            ev = loader.get_event()
            if isinstance(ev, yaml.ScalarEvent):
                total += 1
                if ev.anchor is not None:
                    sizes[ev.anchor] = (1, False)
                done(1, False, str(ev.value)[:100])
            elif isinstance(ev, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                if stack and stack[-1].is_map and stack[-1].expect_key:
                    stack[-1].key = "?"
                stack.append(_Frame(ev.anchor, isinstance(ev, yaml.MappingStartEvent)))
                total += 1
                if ev.anchor is not None:
                    open_anchors.add(ev.anchor)
                if len(stack) > limits.max_nesting_depth:
                    raise _too_deep(field, name, f" (line {_line(ev)})", limits)
            elif isinstance(ev, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                frame = stack.pop()
                if frame.anchor is not None:
                    sizes[frame.anchor] = (frame.size, True)
                    open_anchors.discard(frame.anchor)
                done(frame.size, True, "?")
            elif isinstance(ev, yaml.AliasEvent):
                if ev.anchor in open_anchors:
                    raise ScenarioError.single(
                        field,
                        f"{name}: alias *{ev.anchor} on line {_line(ev)} refers "
                        "to the collection that contains it (a recursive structure)",
                    )
                size, container = sizes.get(ev.anchor or "", (1, False))
                total += size
                done(size, container, "?")
            elif isinstance(ev, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise ScenarioError.single(
                        field, f"{name} holds more than one YAML document (line {_line(ev)})"
                    )
            if total > cap:
                raise _too_many_yaml(field, name, total, ev, limits)
    finally:
        loader.dispose()


def parse_yaml(
    text: str, name: str, field: str = "scenario", limits: InputLimits | None = None
) -> Any:
    """One YAML document as plain data, with the limits checked before it is built."""
    limits = limits or InputLimits()
    if text.lstrip()[:1] in ("{", "["):  # JSON (a subset of YAML): read at C speed
        try:
            return parse_json(text, name, field, limits)
        except ScenarioError as exc:
            if not exc.errors[0].message.startswith(f"{name} is not valid JSON"):
                raise  # a JSON text over a limit; otherwise it may be YAML flow style
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


_LINE_SEARCH_CHARS = 8 * 1024 * 1024
_jd: Any = importlib.import_module("json.decoder")  # its pure-Python parts (untyped in stubs)
_js: Any = importlib.import_module("json.scanner")


def _json_line_of_duplicate(text: str) -> str:
    """`` (line N)`` of the first duplicated key: the text is decoded again by the pure-Python
    scanner, whose objects know where they start (only on this error path, and only for texts
    of at most 8 MB characters: it is 20 times slower than the C one)."""
    if len(text) > _LINE_SEARCH_CHARS:
        return ""
    found: list[int] = []

    def parse_object(s_and_end: tuple[str, int], *args: Any, **kw: Any) -> Any:
        s, start = s_and_end
        try:
            return _jd.JSONObject(s_and_end, *args, **kw)
        except _JsonDuplicate:
            if not found:
                found.append(_duplicate_position(s, start, decoder.scan_once))
            raise

    decoder: Any = json.JSONDecoder(object_pairs_hook=_unique_pairs)
    decoder.parse_object = parse_object
    decoder.scan_once = _js.py_make_scanner(decoder)
    with contextlib.suppress(_JsonDuplicate, ValueError, RecursionError):
        decoder.decode(text)
    return f" (line {text.count(chr(10), 0, found[0]) + 1})" if found and found[0] >= 0 else ""


def _duplicate_position(s: str, pos: int, scan_once: Any) -> int:
    """Where the first key that repeats in the object starting at ``pos`` appears again."""
    ws = _jd.WHITESPACE.match
    keys: set[str] = set()
    try:
        while True:
            pos = ws(s, pos).end()
            if s[pos] != '"':
                return -1
            key, end = _jd.scanstring(s, pos + 1)
            if key in keys:
                return pos
            keys.add(key)
            end = ws(s, end).end() + 1  # the colon
            _value, end = scan_once(s, ws(s, end).end())
            pos = ws(s, end).end()
            if s[pos] != ",":
                return -1
            pos += 1
    except (IndexError, ValueError, StopIteration, _JsonDuplicate):
        return -1


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
        where = _json_line_of_duplicate(text)
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
_SCALARS = frozenset({str, int, float, bool, type(None)})
_Todo = tuple[Any, int, Any, Any]  # (node, depth, parent entry, key or index in the parent)


def _entry_path(entry: _Todo | None) -> str:
    """The dotted path of a walked node; list items by their ``name`` where they have one."""
    parts: list[str] = []
    while entry is not None and entry[2] is not None:
        node, _depth, parent, key = entry
        if isinstance(key, int):
            name = node.get("name") if isinstance(node, Mapping) else None
            parts.append(f"[{name if isinstance(name, str) else key}]")
        else:
            parts.append(f".{key}")
        entry = parent
    return "".join(reversed(parts)).lstrip(".")


def check_shape(
    data: Any, name: str, field: str = "scenario", limits: InputLimits | None = None
) -> None:
    """Depth, number of values and wide containers of plain data, walked without recursion
    (a structure that contains itself is refused as too deep).

    A list of more than ``max_list_items`` lists or mappings, or a mapping of more keys, is
    refused where it is found (its path named), so a body of 10^5 TOU blocks costs one look
    at one list; lists of numbers (series) are only counted.
    """
    limits = limits or InputLimits()
    most = limits.max_list_items
    todo: list[_Todo] = [(data, 1, None, None)]
    count = 1
    scalars = _SCALARS
    while todo:
        entry = todo.pop()
        node, depth = entry[0], entry[1]
        if type(node) is dict or (type(node) not in (list, tuple) and isinstance(node, Mapping)):
            keys: Any = list(node.keys())
            children: Any = list(node.values())
            wide = len(children) > most
            unit = "keys"
        elif isinstance(node, (list, tuple)):
            keys = range(len(node))
            children = node
            wide = len(children) > most and sum(type(c) not in scalars for c in children) > most
            unit = "items"
        else:
            continue
        if depth > limits.max_nesting_depth:
            raise _too_deep(field, name, "", limits)
        if wide:
            raise ScenarioError.single(
                _entry_path(entry) or field,
                f"has {len(children)} {unit}; at most {most} ({env_name('max_list_items')})",
            )
        count += len(children)
        if count > limits.max_input_items:
            raise _too_many(field, name, f"more than {limits.max_input_items}", limits)
        for key, child in zip(keys, children, strict=True):
            if type(child) not in scalars:
                todo.append((child, depth + 1, entry, key))
