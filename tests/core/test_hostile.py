"""Hostile input to the command line and the library (issue 19): every class of input that
used to end in exit 1 (UnicodeDecodeError, RecursionError, MemoryError, OverflowError), was
accepted silently (a duplicated key, ``true`` as a number) or cost far too much (YAML alias
expansion, a billion periods) is refused with exit 2 and a message naming the field or file.

The worst inputs run in one child process with an address-space ceiling
(``resource.setrlimit``), so a regression fails the test instead of eating the machine.
"""

from __future__ import annotations

import codecs
import copy
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.errors import ScenarioError
from optimizer.scenario import load_problem
from optimizer.scenario.limits import MAX_PERIODS, InputLimits
from optimizer.scenario.safe import check_shape, decode_text, parse_json, parse_yaml
from tests.core.helpers import battery, scenario, write_files

runner = CliRunner()


def good() -> dict[str, Any]:
    """Four hours, a solar plant, a battery and a generator (every kind of number field)."""
    return scenario(
        [10, 11, 12, 13],
        columns={"solar_cf": [0.0, 0.5, 1.0, 0.2]},
        technologies=[
            {
                "name": "pv",
                "kind": "solar",
                "profile": "solar_cf",
                "capex_per_kw": 1000,
                "lifetime_years": 25,
                "max_mw": 20,
            },
            battery(max_mw=5),
            {
                "name": "gen",
                "kind": "generator",
                "capex_per_kw": 500,
                "lifetime_years": 20,
                "fuel_per_mwh": 80,
                "carbon_intensity_tco2_per_mwh": 0.0,
                "carbon_free": True,
            },
        ],
        finance={"discount_rate": 0.05},
    )


def validate(path: Path, *extra: str) -> Any:
    result = runner.invoke(app, ["validate", str(path), *extra])
    assert "Traceback" not in result.stderr + result.stdout
    return result


def refused(path: Path, *extra: str) -> str:
    """``dcopt validate``: exit 2, the message (stderr) returned."""
    result = validate(path, *extra)
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stderr.startswith("input refused:")
    return str(result.stderr)


def scenario_text(tmp_path: Path) -> tuple[Path, str]:
    """A good scenario.yaml (+ profiles.csv) and its text."""
    path = write_files(good(), tmp_path)
    return path, path.read_text()


# --- bytes that are not the text we expect ------------------------------------------------
@pytest.mark.parametrize(
    ("encode", "looks_like"),
    [
        (lambda t: t.encode("utf-16"), "UTF-16 text"),
        (lambda t: t.encode("utf-16-le"), "UTF-16 text without a byte-order mark"),
        (lambda t: t.encode("utf-32"), "UTF-32"),
        (lambda t: b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "a PNG image"),
        (lambda t: bytes(range(256)) * 4, "binary file"),
        (lambda t: t.replace("core-test", "caf\u00e9").encode("latin-1"), "not UTF-8 (byte 0xe9"),
    ],
    ids=["utf16", "utf16-no-bom", "utf32", "png", "binary", "latin1"],
)
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_scenario_file_not_utf8_exit_2_names_file(
    tmp_path: Path, encode: Any, looks_like: str, suffix: str
) -> None:
    _, text = scenario_text(tmp_path)
    if suffix == ".json":
        text = json.dumps(yaml.safe_load(text))
    bad = tmp_path / f"weird{suffix}"
    bad.write_bytes(encode(text))
    message = refused(bad)
    assert f"scenario: weird{suffix} is " in message
    assert looks_like in message
    assert "UTF-8" in message


def test_utf8_bom_accepted_in_yaml_json_and_series_csv(tmp_path: Path) -> None:
    path, text = scenario_text(tmp_path)
    csv = tmp_path / "profiles.csv"
    csv.write_bytes(codecs.BOM_UTF8 + csv.read_bytes())
    path.write_bytes(codecs.BOM_UTF8 + text.encode())
    result = validate(path)
    assert result.exit_code == 0, result.stderr
    assert "valid: 'core-test', 4 steps" in result.stdout
    as_json = tmp_path / "scenario.json"
    as_json.write_bytes(codecs.BOM_UTF8 + json.dumps(yaml.safe_load(text)).encode())
    result = validate(as_json)
    assert result.exit_code == 0, result.stderr
    problem = load_problem(as_json)
    assert list(problem.load_mw) == [10.0, 11.0, 12.0, 13.0]


@pytest.mark.parametrize(
    ("content", "looks_like"),
    [
        (lambda b: b.decode().encode("utf-16"), "UTF-16 text"),
        (lambda b: b"PAR1" + b"\x00" * 64, "is a Parquet file; name it .parquet"),
        (lambda b: b.replace(b"timestamp", b"horod\xe9tage"), "not UTF-8"),
    ],
    ids=["utf16", "parquet-named-csv", "latin1"],
)
def test_series_csv_not_utf8_exit_2_names_series_file(
    tmp_path: Path, content: Any, looks_like: str
) -> None:
    path, _ = scenario_text(tmp_path)
    csv = tmp_path / "profiles.csv"
    csv.write_bytes(content(csv.read_bytes()))
    message = refused(path)
    assert "series.file: profiles.csv " in message
    assert looks_like in message


def test_missing_series_file_names_it_not_the_resolved_path(tmp_path: Path) -> None:
    path, _ = scenario_text(tmp_path)
    (tmp_path / "profiles.csv").unlink()
    message = refused(path)
    assert "series.file: no such file: profiles.csv" in message
    assert str(tmp_path) not in message


# --- nesting and expansion -----------------------------------------------------------------
def test_deep_yaml_and_json_files_exit_2_fast(tmp_path: Path) -> None:
    _, text = scenario_text(tmp_path)
    deep_yaml = tmp_path / "deep.yaml"
    deep_yaml.write_text(text + "extra: " + "[" * 5000 + "]" * 5000 + "\n")
    deep_json = tmp_path / "deep.json"
    doc = json.dumps(yaml.safe_load(text))
    deep_json.write_text(doc[:-1] + ', "extra": ' + '{"a": ' * 10000 + "1" + "}" * 10000 + "}")
    for path, where in ((deep_yaml, "levels deep (line "), (deep_json, "levels deep;")):
        t0 = time.perf_counter()
        message = refused(path)
        assert time.perf_counter() - t0 < 2.0
        assert f"scenario: {path.name} is nested more than 32 {where}" in message
        assert "DCOPT_MAX_NESTING_DEPTH" in message


def test_nesting_limit_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, text = scenario_text(tmp_path)
    path.write_text(text + "extra: " + "[" * 20 + "]" * 20 + "\n")
    assert "levels deep" not in refused(path)  # 21 levels: read, then refused as unknown key
    monkeypatch.setenv("DCOPT_MAX_NESTING_DEPTH", "8")
    assert "nested more than 8 levels deep" in refused(path)


def billion_laughs(levels: int = 8) -> str:
    """A few hundred bytes that expand to 10**levels items."""
    out = "l0: &l0 [" + ", ".join(["lol"] * 10) + "]\n"
    for i in range(1, levels):
        out += f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]\n"
    return out


def test_yaml_alias_expansion_exit_2_fast(tmp_path: Path) -> None:
    path, text = scenario_text(tmp_path)
    laughs = billion_laughs(8)
    assert len(laughs) < 600
    path.write_text(text + "extra:\n" + "".join("  " + line + "\n" for line in laughs.splitlines()))
    t0 = time.perf_counter()
    message = refused(path)
    assert time.perf_counter() - t0 < 1.0
    assert "scenario: scenario.yaml holds more than" in message
    assert "aliases expanded" in message and "DCOPT_MAX_YAML_VALUES" in message


def test_recursive_alias_refused(tmp_path: Path) -> None:
    path, text = scenario_text(tmp_path)
    path.write_text(text + "extra: &me [1, *me]\n")
    assert "alias *me" in refused(path) and "recursive" in refused(path)


def test_deep_set_value_exit_2_names_the_path(tmp_path: Path) -> None:
    path, _ = scenario_text(tmp_path)
    message = refused(path, "--set", "carbon.price_per_tco2=" + "[" * 3000 + "]" * 3000)
    assert "carbon.price_per_tco2: the value is nested more than 32 levels deep" in message


# --- silent acceptance ---------------------------------------------------------------------
def test_duplicated_yaml_key_names_key_and_lines(tmp_path: Path) -> None:
    path, text = scenario_text(tmp_path)
    lines = text.splitlines()
    at = lines.index("  max_mw: 20")
    lines.insert(at + 1, "  max_mw: 30")
    path.write_text("\n".join(lines) + "\n")
    message = refused(path)
    assert (
        f"scenario: scenario.yaml: key 'max_mw' appears twice in one mapping (line {at + 1} "
        f"and line {at + 2})" in message
    )


def test_duplicated_json_key_names_key_and_line(tmp_path: Path) -> None:
    sc = good()
    text = json.dumps(sc, indent=1).replace('"currency"', '"x"')  # no-op, keeps the shape
    text = text.replace('"name": "core-test",', '"name": "core-test",\n "name": "again",', 1)
    path = tmp_path / "dup.json"
    path.write_text(text)
    message = refused(path)
    line = text.splitlines().index(' "name": "again",') + 1
    assert f"scenario: dup.json: key 'name' appears twice in one object (line {line})" in message


def test_yaml_merge_keys_are_not_duplicates() -> None:
    data = parse_yaml("base: &b {x: 1, y: 2}\nitem:\n  <<: *b\n  x: 5\n", "m.yaml")
    assert data["item"] == {"x": 5, "y": 2}


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("grid_offers", 0, "max_mw"), True, "grid_offers[utility].max_mw"),
        (("site", "periods"), True, "site.periods"),
        (("technologies", 0, "lifetime_years"), False, "technologies[pv].lifetime_years"),
        (("load", "mw"), True, "load.mw"),  # a number or a column name
        (("grid_offers", 0, "energy_price_per_mwh"), True, "grid_offers[utility]"),
        (("technologies", 0, "materials_kg_per_mw"), {"steel": True}, "technologies[pv]"),
    ],
)
def test_boolean_where_a_number_goes_is_refused(
    path: tuple[Any, ...], value: Any, field: str
) -> None:
    sc = good()
    node: Any = sc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    with pytest.raises(ScenarioError) as info:
        load_problem(sc)
    hits = [e for e in info.value.errors if e.field.startswith(field)]
    assert hits, str(info.value)
    assert "expected a number, got the boolean" in hits[0].message


def test_boolean_inside_a_series_column_names_the_row() -> None:
    sc = good()
    sc["series"]["columns"]["solar_cf"][2] = True
    with pytest.raises(ScenarioError) as info:
        load_problem(sc)
    (err,) = info.value.errors
    assert err.field == "series.columns.solar_cf[2]"
    assert err.message == "expected a number, got the boolean true"


def test_real_booleans_keep_working() -> None:
    sc = good()
    sc["carbon"] = {"include_embodied": True}
    problem = load_problem(sc)
    assert problem.scenario.carbon.include_embodied is True
    gen = problem.scenario.technologies[2]
    assert getattr(gen, "carbon_free", None) is True


def test_cli_boolean_exit_2_names_field(tmp_path: Path) -> None:
    path, text = scenario_text(tmp_path)
    path.write_text(text.replace("  max_mw: 20", "  max_mw: true"))
    message = refused(path)
    assert "technologies[pv].max_mw: expected a number, got the boolean true" in message


# --- absurd sizes and overflow -------------------------------------------------------------
def test_billion_periods_refused_before_anything_is_allocated(tmp_path: Path) -> None:
    path, text = scenario_text(tmp_path)
    path.write_text(text.replace("periods: 4", "periods: 1000000000"))
    t0 = time.perf_counter()
    message = refused(path)
    assert time.perf_counter() - t0 < 1.0
    assert f"site.periods: 1000000000 steps; at most {MAX_PERIODS}" in message


def test_periods_checked_against_inline_series_before_the_grid() -> None:
    sc = good()
    sc["site"]["periods"] = 300_000
    with pytest.raises(ScenarioError) as info:
        load_problem(sc)
    fields = {e.field: e.message for e in info.value.errors}
    assert fields["series.columns.load_mw"] == "has 4 values, site.periods is 300000"


@pytest.mark.parametrize("years", ["1.0e6", "1e-300", "0.01", "101"])
def test_lifetime_outside_its_range_exit_2(tmp_path: Path, years: str) -> None:
    path, text = scenario_text(tmp_path)
    path.write_text(text.replace("lifetime_years: 25", f"lifetime_years: {years}"))
    message = refused(path)
    assert "technologies[pv].lifetime_years: Input should be" in message


def test_lifetime_range_ends_are_accepted() -> None:
    for years in (0.1, 100):
        sc = good()
        sc["technologies"][0]["lifetime_years"] = years
        assert load_problem(sc).scenario.technologies[0].lifetime_years == years


def test_tou_blocks_and_lists_are_bounded(tmp_path: Path) -> None:
    sc = good()
    sc["grid_offers"][0]["energy_price_per_mwh"] = {"tou": [{"price_per_mwh": 50}] * 5000}
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        load_problem(sc)
    assert time.perf_counter() - t0 < 1.0
    (err,) = info.value.errors
    assert err.field == "grid_offers[utility].energy_price_per_mwh.tou"
    assert err.message == "has 5000 items; at most 1000 (DCOPT_MAX_LIST_ITEMS)"
    # the limit is a setting; a list within it is read as before
    sc["grid_offers"][0]["energy_price_per_mwh"] = {"tou": [{"price_per_mwh": 50}] * 999}
    assert list(load_problem(sc).offers[0].price) == [50.0] * 4
    with pytest.raises(ScenarioError, match="at most 100 "):
        load_problem(sc, limits=InputLimits(max_list_items=100))


def test_oversized_scenario_file_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, text = scenario_text(tmp_path)
    path.write_text(text + "# " + "x" * 5000 + "\n")
    monkeypatch.setenv("DCOPT_MAX_SCENARIO_BYTES", "4096")
    message = refused(path)
    assert "scenario: scenario.yaml is " in message and "at most 4096" in message


# --- the safe readers themselves -----------------------------------------------------------
def test_parse_json_limits_and_messages() -> None:
    limits = InputLimits(max_input_items=1000)
    with pytest.raises(ScenarioError, match="holds up to 2002 values"):
        parse_json(b"[" + b"0," * 2000 + b"0]", "b", "body", limits)
    # brackets inside strings never count as nesting
    assert parse_json(json.dumps({"a": "[" * 500}).encode(), "b") == {"a": "[" * 500}
    with pytest.raises(ScenarioError, match="nested more than 32"):
        parse_json(b"[" * 100 + b"]" * 100, "b")  # under the recursion limit, over ours
    with pytest.raises(ScenarioError, match="more than 4300 digits"):
        parse_json(b'{"a": ' + b"9" * 5000 + b"}", "b")
    with pytest.raises(
        ScenarioError, match=r"not valid JSON: Expecting property name .* \(line 1, column 2\)"
    ):
        parse_json(b"{,}", "b")


def test_parse_yaml_odd_values_are_input_errors() -> None:
    for text, words in (
        ("start: 2027-13-01\n", "month must be in 1..12"),
        ("n: " + "9" * 5000 + "\n", "more than 4300 digits"),
        ("a: 1\n---\nb: 2\n", "more than one YAML document"),
        ("a: [1, 2\n", "not valid YAML/JSON"),
    ):
        with pytest.raises(ScenarioError, match=words):
            parse_yaml(text, "x.yaml")


def test_check_shape_refuses_a_structure_that_contains_itself() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ScenarioError, match="nested more than"):
        check_shape({"a": loop}, "the scenario")
    sc = good()
    sc["carbon"] = {"price_per_tco2": loop}
    with pytest.raises(ScenarioError, match="nested more than"):
        load_problem(sc)


def test_decode_text_drops_bom_only() -> None:
    assert decode_text(codecs.BOM_UTF8 + "a: é".encode(), "x") == "a: é"
    assert decode_text("a: é".encode(), "x") == "a: é"


# --- the worst inputs, time and memory bounded, in a child process -------------------------
_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from typer.testing import CliRunner
from optimizer.cli import app

soft = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (soft, soft))
out = {}
for path in sys.argv[2:]:
    t0 = time.perf_counter()
    r = CliRunner().invoke(app, ["validate", path])
    out[Path(path).name] = {
        "code": r.exit_code,
        "seconds": time.perf_counter() - t0,
        "stderr": r.stderr[-300:],
    }
out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def _address_space_now() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 4 << 30


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_worst_inputs_in_bounded_time_and_memory(tmp_path: Path) -> None:
    """Each of the issue's worst files: exit 2 in well under 5 s, in a process whose address
    space is capped at what this test process uses plus 1.5 GB (the billion periods took
    23 GB before; the alias bomb 700 MB)."""
    _, text = scenario_text(tmp_path)
    laughs = "".join("  " + ln + "\n" for ln in billion_laughs(9).splitlines())
    cases = {
        "periods.yaml": text.replace("periods: 4", "periods: 1000000000"),
        "laughs.yaml": text + "extra:\n" + laughs,
        "deep.yaml": text + "extra: " + "[" * 100000 + "]" * 100000 + "\n",
        "life.yaml": text.replace("lifetime_years: 25", "lifetime_years: 1.0e6"),
        "tou.yaml": text.replace(
            "energy_price_per_mwh: 50.0",
            "energy_price_per_mwh:\n    tou: [" + ", ".join(["{price_per_mwh: 1}"] * 200000) + "]",
        ),
    }
    assert "tou: [" in cases["tou.yaml"]
    files = []
    for name, body in cases.items():
        (tmp_path / name).write_text(body)
        files.append(str(tmp_path / name))
    (tmp_path / "profiles16.csv").write_bytes(
        (tmp_path / "profiles.csv").read_text().encode("utf-16")
    )
    sixteen = copy.deepcopy(text).replace("file: profiles.csv", "file: profiles16.csv")
    (tmp_path / "utf16series.yaml").write_text(sixteen)
    files.append(str(tmp_path / "utf16series.yaml"))
    ceiling = _address_space_now() + (1536 << 20)
    env = {**os.environ, "MALLOC_ARENA_MAX": "2"}
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(ceiling), *files],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    for name in [Path(f).name for f in files]:
        assert out[name]["code"] == 2, (name, out[name])
        assert out[name]["seconds"] < 5.0, (name, out[name])
        assert "MemoryError" not in out[name]["stderr"]
    assert "site.periods: 1000000000 steps" in out["periods.yaml"]["stderr"]
    assert "aliases expanded" in out["laughs.yaml"]["stderr"]
    assert "nested more than 32 levels" in out["deep.yaml"]["stderr"]
    assert "technologies[pv].lifetime_years" in out["life.yaml"]["stderr"]
    assert (
        "grid_offers[0].energy_price_per_mwh.tou: tou.yaml, line 15: a list of more than 1000 "
        "lists or mappings" in out["tou.yaml"]["stderr"]
    )
    assert "series.file: profiles16.csv is UTF-16 text" in out["utf16series.yaml"]["stderr"]
    assert out["maxrss_mb"] < 1200, out["maxrss_mb"]
