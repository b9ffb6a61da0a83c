"""Contract audit, sections 5 and 12: report.html keeps its demand-response section when the
load may be shed (``load.curtailment_cost_per_mwh``) without a compute model.

``load_flexibility`` then has only ``curtailed`` and ``curtailed_mwh``; the template read
``training_mwh`` and the whole section (programme table included) was left out of the page.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from optimizer.output import write_result
from optimizer.solve import solve
from tests.core.helpers import scenario
from tests.report.helpers import parse


def test_demand_response_section_with_plain_curtailment(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """4 steps of 10 MW at 50/MWh; shedding costs 60/MWh. A DR programme pays 87,600 per
    MW-year, H = 4/8760, so 40 per committed MW; one 1-hour event at step 1, max 4 MW.
    Shedding 4 MW in the event costs 4·60 = 240 and saves 4·50 = 200 of imports, income
    160: net 120 better, d = 4. Total 1800 + 240 − 160 = 1880; 4 MWh shed."""
    dr = {
        "name": "dr",
        "capacity_payment_per_mw_year": 87600,
        "max_mw": 4,
        "events": [{"start": "2027-01-04T01:00", "hours": 1}],
    }
    sc = scenario([10.0] * 4, demand_response=[dr], load_extra={"curtailment_cost_per_mwh": 60})
    result = solve(sc)
    assert result.status == "optimal"
    s = result.summary
    assert s["total_cost"] == pytest.approx(1880.0)
    assert s["demand_response"]["dr"]["committed_mw"] == pytest.approx(4.0)
    assert s["demand_response"]["dr"]["income"] == pytest.approx(160.0)
    assert s["load_flexibility"]["curtailed_mwh"] == pytest.approx(4.0)
    with caplog.at_level(logging.WARNING, logger="optimizer.report"):
        write_result(result, tmp_path)
    assert not [r for r in caplog.records if "failed" in r.getMessage()]
    summary = json.loads((tmp_path / "summary.json").read_text())
    page = parse((tmp_path / "report.html").read_text())
    shown = {x.key: float(x.value) for x in page.shown if x.value}
    assert shown[("demand_response", "dr", "committed_mw")] == pytest.approx(4.0)
    assert shown[("load_flexibility", "curtailed_mwh")] == pytest.approx(
        summary["load_flexibility"]["curtailed_mwh"]
    )
