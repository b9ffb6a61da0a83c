"""``dcopt run`` and ``dcopt validate`` (CONTRACT sections 4 and 5).

"Exit codes: 0 solved; 2 input refused (message on stderr names the field); 3 infeasible (the
message says which requirement cannot be met and, for a CFE target or emissions cap, the best
value reachable); 1 anything else. Never a Python traceback for bad input."
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from tests.core.helpers import battery, scenario, write_files

runner = CliRunner()

SUMMARY_KEYS = {
    "status",
    "currency",
    "objective",
    "total_cost",
    "cost_breakdown",
    "emissions_tco2",
    "cfe_score",
    "served_load_mwh",
    "capacity_mw",
    "storage_mwh",
    "grid_import_mwh",
    "build_seconds",
    "solve_seconds",
    "versions",
}


def full_case() -> dict[str, Any]:
    """Two hours with a virtual PPA (strike 60 on spot [30, 70], profile [1, 0.5]), a
    baseload PPA, solar and a battery; cfe_share 0.2. The virtual PPA alone decides the CFE
    score as in tests/core/test_hand_solvable.py: with no target c = 0 (score 0.2), with
    target 0.5 c = 5 MW (total cost 1125 when nothing else is bought)."""
    return scenario(
        [10, 10],
        spot=[30, 70],
        cfe_share=0.2,
        currency="EUR",
        columns={"vppa_cf": [1.0, 0.5], "solar_cf": [0.0, 0.0]},
        ppa_offers=[
            {
                "name": "wind-v",
                "kind": "virtual",
                "profile": "vppa_cf",
                "price_per_mwh": 60,
                "max_mw": 100,
            },
            {"name": "base", "kind": "baseload", "price_per_mwh": 500, "max_mw": 10},
        ],
        technologies=[
            {
                "name": "solar",
                "kind": "solar",
                "profile": "solar_cf",
                "capex_per_kw": 1000,
                "lifetime_years": 25,
                "max_mw": 10,
            },
            battery(power_capex_per_kw=100, energy_capex_per_kwh=100, max_mw=5),
        ],
        finance={"discount_rate": 0.05},
    )


def invoke(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
    return result


def test_run_writes_section_5_outputs(tmp_path: Path) -> None:
    """exit 0; summary.json has every key of section 5; dispatch.parquet one row a step with
    a timestamp column; capacity_mw names every technology and PPA, storage_mwh the battery,
    grid_import_mwh every offer; the currency is reported back; total cost 1000 (grid only,
    nothing is worth buying)."""
    path = write_files(full_case(), tmp_path / "in")
    out = tmp_path / "out"
    r = invoke("run", str(path), "--out", str(out))
    assert r.exit_code == 0, r.stderr
    s = json.loads((out / "summary.json").read_text())
    assert set(s) >= SUMMARY_KEYS
    assert s["status"] == "optimal"
    assert s["currency"] == "EUR"
    assert set(s["emissions_tco2"]) >= {"location_based", "market_based"}
    assert set(s["capacity_mw"]) == {"wind-v", "base", "solar", "bess"}
    assert set(s["storage_mwh"]) == {"bess"}
    assert set(s["grid_import_mwh"]) == {"utility"}
    assert s["versions"] and all(isinstance(v, str) for v in s["versions"].values())
    # CONTRACT 5: "versions (package, solver)"
    assert s["versions"]["package"] == f"dcopt {s['versions']['dcopt']}"
    assert s["versions"]["solver"] == f"HiGHS {s['versions']['highs']}"
    assert sum(s["cost_breakdown"].values()) == pytest.approx(s["total_cost"], abs=1e-6)
    assert s["total_cost"] == pytest.approx(1000, abs=1e-6)
    assert s["cfe_score"] == pytest.approx(0.2, abs=1e-9)
    d = pd.read_parquet(out / "dispatch.parquet")
    assert len(d) == 2
    assert "timestamp" in d.columns
    assert pd.Timestamp(d["timestamp"].iloc[0]) == pd.Timestamp("2027-01-04T00:00", tz="UTC")


def test_set_cfe_target_on_run(tmp_path: Path) -> None:
    """``--set carbon.cfe_target=0.5``: the virtual PPA is bought at 5 MW, score 0.5, cost
    1000 + 5·25 = 1125 (hand-derived in test_hand_solvable.py)."""
    path = write_files(full_case(), tmp_path / "in")
    out = tmp_path / "out"
    r = invoke("run", str(path), "--out", str(out), "--set", "carbon.cfe_target=0.5")
    assert r.exit_code == 0, r.stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["cfe_score"] == pytest.approx(0.5, abs=1e-6)
    assert s["capacity_mw"]["wind-v"] == pytest.approx(5, abs=1e-6)
    assert s["total_cost"] == pytest.approx(1125, abs=1e-6)


def test_set_list_item_by_name(tmp_path: Path) -> None:
    """``--set ppa_offers[wind-v].price_per_mwh=20``: settlement per MW becomes
    (20 − 30)·1 + (20 − 70)·0.5 = −35 (an income), so all 100 MW are taken: total
    1000 − 3500 = −2500. Two --set options apply together."""
    path = write_files(full_case(), tmp_path / "in")
    out = tmp_path / "out"
    r = invoke(
        "run",
        str(path),
        "--out",
        str(out),
        "--set",
        "ppa_offers[wind-v].price_per_mwh=20",
        "--set",
        "technologies[bess].max_mw=0",
    )
    assert r.exit_code == 0, r.stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["capacity_mw"]["wind-v"] == pytest.approx(100, abs=1e-6)
    assert s["capacity_mw"]["bess"] == pytest.approx(0, abs=1e-9)
    assert s["total_cost"] == pytest.approx(-2500, abs=1e-6)


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ("ppa_offers[nope].price_per_mwh=1", "ppa_offers[nope]"),
        ("carbon.cfe_targt=0.5", "carbon.cfe_targt"),
        ("site.periods=abc", "site.periods"),
        (
            "technologies[bess].round_trip_efficiency=1.5",
            "technologies[bess].round_trip_efficiency",
        ),
        ("site.timezone.zone=UTC", "site.timezone"),
        ("no-equals-sign", "--set"),
    ],
)
def test_bad_set_names_the_path(tmp_path: Path, setting: str, named: str) -> None:
    path = write_files(full_case(), tmp_path / "in")
    r = invoke("run", str(path), "--out", str(tmp_path / "out"), "--set", setting)
    assert r.exit_code == 2, r.stdout + r.stderr
    assert named in r.stderr


def test_validate_good_and_bad(tmp_path: Path) -> None:
    path = write_files(full_case(), tmp_path / "in")
    r = invoke("validate", str(path))
    assert r.exit_code == 0, r.stderr
    assert "valid" in r.stdout
    r = invoke("validate", str(path), "--set", "load.flexible_share=2")
    assert r.exit_code == 2
    assert "load.flexible_share" in r.stderr


def _bad_series(tmp_path: Path) -> Path:
    path = write_files(full_case(), tmp_path)
    csv = tmp_path / "profiles.csv"
    text = csv.read_text().replace("2027-01-04T01:00,10.0", "2027-01-04T01:00,-10.0")
    csv.write_text(text)
    return path


@pytest.mark.parametrize("command", ["run", "validate"])
def test_bad_series_exit_2_names_field_and_timestamp(tmp_path: Path, command: str) -> None:
    """A negative load in row 2: exit 2, the field and the timestamp on stderr."""
    path = _bad_series(tmp_path)
    args = [command, str(path)] + (["--out", str(tmp_path / "out")] if command == "run" else [])
    r = invoke(*args)
    assert r.exit_code == 2
    assert "load.mw" in r.stderr
    assert "2027-01-04T01:00" in r.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "content",
    [
        "site: [unclosed\n",
        "- just\n- a list\n",
        "",
        "name: x\n",
        "\x00\x01binary",
    ],
    ids=["bad-yaml", "list", "empty", "incomplete", "binary"],
)
def test_malformed_scenario_files_exit_2(tmp_path: Path, content: str) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(content)
    r = invoke("validate", str(path))
    assert r.exit_code == 2, r.stdout + r.stderr


def test_missing_scenario_file_exit_2(tmp_path: Path) -> None:
    r = invoke("run", str(tmp_path / "absent.yaml"), "--out", str(tmp_path / "out"))
    assert r.exit_code == 2
    assert "absent.yaml" in r.stderr


def test_infeasible_cfe_target_exit_3_names_best_score(tmp_path: Path) -> None:
    """Only a 4 MW virtual PPA (strike 40, profile [1, 0.5]) can help: u = [4, 2] at best,
    max cfe_score = 1 − 0.8·(6 + 8)/20 = 0.44 (CONTRACT 3.6); a 0.9 target fails."""
    sc = scenario(
        [10, 10],
        spot=[30, 70],
        cfe_share=0.2,
        columns={"vppa_cf": [1.0, 0.5]},
        ppa_offers=[
            {
                "name": "wind-v",
                "kind": "virtual",
                "profile": "vppa_cf",
                "price_per_mwh": 40,
                "max_mw": 4,
            }
        ],
        carbon={"cfe_target": 0.9},
    )
    r = invoke("run", str(write_files(sc, tmp_path / "in")), "--out", str(tmp_path / "out"))
    assert r.exit_code == 3, r.stdout + r.stderr
    assert "cfe_target" in r.stderr
    assert "0.44" in r.stderr


def test_infeasible_emissions_cap_exit_3_names_minimum(tmp_path: Path) -> None:
    """Grid at 0.5 tCO2/MWh, load 10 ×2, at most 5 MW of clean baseload: the least emissions
    are 0.5·5·2 = 5.0 tCO2 (CONTRACT 3.7); a cap of 4 fails."""
    sc = scenario(
        [10, 10],
        carbon_intensity=0.5,
        ppa_offers=[{"name": "base", "kind": "baseload", "price_per_mwh": 80, "max_mw": 5}],
        carbon={"max_emissions_tco2": 4},
    )
    r = invoke("run", str(write_files(sc, tmp_path / "in")), "--out", str(tmp_path / "out"))
    assert r.exit_code == 3, r.stdout + r.stderr
    assert "max_emissions_tco2" in r.stderr
    assert "5.0" in r.stderr


def test_unservable_load_exit_3(tmp_path: Path) -> None:
    """An import limit of 6 MW against a 10 MW load and nothing else: infeasible (exit 3),
    the message says the load cannot be served."""
    sc = scenario([10, 10], site_extra={"grid_import_limit_mw": 6})
    r = invoke("run", str(write_files(sc, tmp_path / "in")), "--out", str(tmp_path / "out"))
    assert r.exit_code == 3, r.stdout + r.stderr
    assert "load" in r.stderr


def test_unbounded_exit_1(tmp_path: Path) -> None:
    """A grid offer with a negative price and no limit: not an input error, not infeasible,
    so exit 1 with a message (no traceback)."""
    sc = scenario([10, 10], price=-10)
    r = invoke("run", str(write_files(sc, tmp_path / "in")), "--out", str(tmp_path / "out"))
    assert r.exit_code == 1, r.stdout + r.stderr
    assert r.stderr.strip()


def test_installed_entry_point_exit_code_and_stderr(tmp_path: Path) -> None:
    """The installed ``dcopt`` script, in a real process: exit 2, field on stderr."""
    exe = Path(sys.executable).parent / "dcopt"
    if not exe.exists():
        pytest.skip("dcopt entry point not installed next to this interpreter")
    path = _bad_series(tmp_path)
    proc = subprocess.run(
        [str(exe), "validate", str(path)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2
    assert "load.mw" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [
        ("--algorithm", "magic", "--algorithm"),
        ("--time-limit", "-1", "--time-limit"),
        ("--threads", "0", "--threads"),
    ],
)
def test_bad_solver_option_is_input_refused(
    tmp_path: Path, option: str, value: str, named: str
) -> None:
    """A bad command-line value is bad input (exit 2, the option named), not an internal
    error (it used to end 'internal error: ValidationError ...', exit 1)."""
    path = write_files(scenario([10, 10]), tmp_path / "in")
    r = invoke("run", str(path), "--out", str(tmp_path / "out"), option, value)
    assert r.exit_code == 2, r.stdout + r.stderr
    assert named in r.stderr
    assert "internal error" not in r.stderr


def test_json_scenario_and_relative_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CONTRACT 2: "YAML or JSON; the same schema", the series path relative to the scenario
    file (not to the working directory). Load 10 ×2 at 50: total cost 1000."""
    folder = tmp_path / "in"
    yaml_path = write_files(scenario([10, 10]), folder)
    import yaml

    json_path = folder / "scenario.json"
    json_path.write_text(json.dumps(yaml.safe_load(yaml_path.read_text())))
    monkeypatch.chdir(tmp_path)
    r = invoke("run", "in/scenario.json", "--out", "out")
    assert r.exit_code == 0, r.stderr
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert s["total_cost"] == pytest.approx(1000, abs=1e-6)
