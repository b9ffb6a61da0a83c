"""docs/scenario.schema.json is the schema the code validates against, not a stale copy."""

from __future__ import annotations

import json
from pathlib import Path

from optimizer.cli.schema import scenario_json_schema

DOC = Path(__file__).resolve().parents[2] / "docs" / "scenario.schema.json"


def test_published_schema_matches_the_code() -> None:
    published = json.loads(DOC.read_text())
    assert published == scenario_json_schema(), "regenerate: dcopt schema --out " + str(DOC)


def test_schema_lists_the_contract_sections() -> None:
    props = scenario_json_schema()["properties"]
    for key in (
        "site",
        "series",
        "load",
        "grid",
        "grid_offers",
        "ppa_offers",
        "technologies",
        "finance",
        "carbon",
        "currency",
        "name",
    ):
        assert key in props
    assert props["grid_offers"]["minItems"] == 1
