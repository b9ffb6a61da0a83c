"""CONTRACT 4 (exit 3) for ``dcopt frontier``: when no point can be met the message says
which requirement fails and, for a CFE target or an emissions cap, the best value reachable.

The scenario, solved by hand: load 10 MW in 2 hourly steps, grid at 50/MWh with cfe_share 0
and 0.5 tCO2/MWh, and a baseload PPA of at most 6 MW at 60/MWh. A baseload MW is clean in
both steps, so the best 24/7 CFE score is 6/10 = 0.6 and the lowest location-based
emissions are (10 − 6) MW · 2 h · 0.5 = 4 tCO2.

- ``--cfe 0.7,0.8``: both above 0.6 → exit 3 naming carbon.cfe_target and 0.6000.
- ``--emissions 3,2``: both below 4 → exit 3 naming carbon.max_emissions_tco2 and 4.0.
- ``site.grid_import_limit_mw=1``: the grid (1 MW) and the PPA (6 MW) cannot serve 10 MW
  even without a target → exit 3 saying the load cannot be served (short 3.00 MW).
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from optimizer.cli import app

SCENARIO = {
    "name": "audit",
    "site": {
        "timezone": "UTC",
        "start": "2027-01-01T00:00",
        "periods": 2,
        "resolution_minutes": 60,
    },
    "load": {"mw": 10},
    "grid": {"carbon_intensity_tco2_per_mwh": 0.5, "cfe_share": 0.0},
    "grid_offers": [{"name": "utility", "energy_price_per_mwh": 50}],
    "ppa_offers": [{"name": "base6", "kind": "baseload", "price_per_mwh": 60, "max_mw": 6}],
}


def _frontier(tmp_path: Path, *args: str) -> tuple[int, str]:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(SCENARIO))
    res = CliRunner().invoke(app, ["frontier", str(path), "--out", str(tmp_path / "o"), *args])
    return res.exit_code, " ".join(res.output.split())


def test_every_cfe_target_above_the_best_names_it(tmp_path: Path) -> None:
    code, text = _frontier(tmp_path, "--cfe", "0.7,0.8")
    assert code == 3
    assert "carbon.cfe_target" in text and "best reachable 24/7 CFE score 0.6000" in text
    doc = json.loads((tmp_path / "o" / "frontier.json").read_text())
    assert abs(doc["max_cfe_score"] - 0.6) < 1e-6


def test_every_emissions_cap_below_the_lowest_names_it(tmp_path: Path) -> None:
    code, text = _frontier(tmp_path, "--emissions", "3,2")
    assert code == 3
    assert "carbon.max_emissions_tco2" in text and "emissions 4.0 tCO2" in text


def test_a_load_that_cannot_be_served_is_named(tmp_path: Path) -> None:
    code, text = _frontier(tmp_path, "--cfe", "0,0.5", "--set", "site.grid_import_limit_mw=1")
    assert code == 3
    assert "the load cannot be served" in text and "short 3.00 MW" in text
