"""Every case of ../shared/acceptance (copied into tests/acceptance): our answer against an
independent PyPSA/linopy model of the same contract."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from optimizer.output import write_result
from optimizer.results import cfe_score_from_dispatch
from tests.conftest import ACCEPTANCE, ACCEPTANCE_CASES, ACCEPTANCE_PATHS, SHARED_ACCEPTANCE

REL = 1e-5


def _rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1.0)


@pytest.mark.parametrize("case", ACCEPTANCE_CASES)
def test_acceptance_case(case: str, solved_case, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    expected = json.loads((ACCEPTANCE_PATHS[case] / "expected.json").read_text())
    result = solved_case(case)
    s = result.summary
    assert s["status"] == expected["status"]
    assert _rel(s["objective"], expected["objective"]) < REL
    assert _rel(s["total_cost"], expected["total_cost"]) < REL
    scenario = (ACCEPTANCE_PATHS[case] / "scenario.yaml").read_text()
    if "cfe_target" in scenario and s["shadow_prices"]["cfe_per_mwh"] > 1e-6:
        assert s["cfe_score"] == pytest.approx(expected["cfe_score"], abs=1e-6)
    # the dispatch written to disk gives back the summary's score
    write_result(result, tmp_path)
    dispatch = pd.read_parquet(tmp_path / "dispatch.parquet")
    assert cfe_score_from_dispatch(dispatch, result.problem.dt) == pytest.approx(
        s["cfe_score"], abs=1e-9
    )
    assert set(expected["capacity_mw"]) == set(s["capacity_mw"])
    assert set(expected["grid_import_mwh"]) == set(s["grid_import_mwh"])


def test_location_emissions_where_unique(solved_case) -> None:  # type: ignore[no-untyped-def]
    """week-contracts and year-cfe90 bind their CFE targets; emissions agree there."""
    for case in ("week-contracts", "year-cfe90"):
        expected = json.loads((ACCEPTANCE / case / "expected.json").read_text())
        got = solved_case(case).summary["emissions_tco2"]["location_based"]
        assert _rel(got, expected["emissions_tco2"]["location_based"]) < 1e-4


def test_copies_equal_the_reference_cases() -> None:
    """tests/acceptance holds the contract's cases byte for byte (when they are beside us)."""
    if not SHARED_ACCEPTANCE.is_dir():
        pytest.skip("../shared/acceptance is absent (a lone clone)")
    for case in sorted(p.name for p in ACCEPTANCE.iterdir() if p.is_dir()):
        ref = SHARED_ACCEPTANCE / case
        if not ref.is_dir():
            continue
        for f in ref.iterdir():
            assert (ACCEPTANCE / case / f.name).read_bytes() == f.read_bytes(), f"{case}/{f.name}"
