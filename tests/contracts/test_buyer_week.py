"""The buyer's question, end to end: three supply offers that exclude each other, four PPAs
(wind with no pay below zero, solar curtailed below zero, nuclear baseload, an offshore
virtual PPA), network charges and levies, one week (tests/contracts/buyer-week). From
``dcopt compare``: which to sign, what each is worth, at what price each would change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from optimizer.cli import app

CASE = Path(__file__).resolve().parent / "buyer-week" / "scenario.yaml"


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    out = tmp_path_factory.mktemp("buyer-week")
    res = CliRunner().invoke(app, ["compare", str(CASE), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "sign in supply:" in res.output
    return json.loads((out / "compare.json").read_text())


def test_one_supply_offer_signed(compared: dict) -> None:  # type: ignore[type-arg]
    base = compared["base"]
    signed = base["signed_offers"]["supply"]
    assert signed in {"fixed-62", "index-6", "block-60"}
    assert compared["signed_offers"] == base["signed_offers"]
    imports = base["grid_import_mwh"]
    assert all(v == pytest.approx(0.0, abs=1e-6) for k, v in imports.items() if k != signed)
    for cat in ("network_capacity", "network_energy", "levies"):
        assert base["cost_breakdown"][cat] > 0
    assert set(base["ppa_metrics"]) == {"wind-a", "solar-b", "nuclear-c", "offshore-vppa"}
    assert base["ppa_metrics"]["nuclear-c"]["renewable"] is False


def test_every_item_valued_and_priced(compared: dict) -> None:  # type: ignore[type-arg]
    items = compared["items"]
    assert [i["rank"] for i in items] == list(range(1, len(items) + 1))
    tol = 1e-6 * abs(compared["base"]["objective"])
    for i in items:
        assert i["required"] if "required" in i else i["value"] >= -tol
        assert i["verdict"]
    grid = [i for i in items if i["section"] == "grid_offer"]
    assert len(grid) == 3
    for i in grid:  # each supply offer says at what price (or adder) it would change
        assert i["breakeven"] is not None
        assert i["breakeven_bracket"] is not None
        if i["signed"]:
            assert i["alternative"] is not None
        else:
            assert i["value"] == 0.0 and i["saving_if_dropped"] == 0.0
    fixed = next(i for i in grid if i["name"] == "fixed-62")
    assert fixed["breakeven_price_per_mwh"] is not None
    index = next(i for i in grid if i["name"] == "index-6")
    assert index["breakeven_index_adder_per_mwh"] is not None
    ppas = [i for i in items if i["section"] == "ppa_offer"]
    assert len(ppas) == 4
    assert all(i["breakeven_price_per_mwh"] is not None for i in ppas)
