"""The technology unit registry.

Each case is small enough to solve by hand; the derivation is in the docstring and the
numbers asserted are the derived ones (CONTRACT 3, docs/formulation.md).
"""

from __future__ import annotations

import pytest

from optimizer.errors import ScenarioError
from optimizer.scenario import load_problem
from optimizer.units import TECHNOLOGY_UNITS, technology_unit
from tests.core.helpers import scenario


def test_unknown_kind_names_the_registered_ones() -> None:
    sc = scenario([10], technologies=[{"name": "f", "kind": "fusion", "lifetime_years": 1}])
    with pytest.raises(ScenarioError) as exc:
        load_problem(sc)
    text = str(exc.value)
    assert "technologies" in text and "fusion" in text


def test_registry_covers_every_schema_kind() -> None:
    """Each kind is registered once and resolves to the unit that declared it."""
    kinds = [k for u in TECHNOLOGY_UNITS for k in u.kinds]
    assert len(kinds) == len(set(kinds))
    assert set(kinds) >= {"solar", "wind", "battery", "generator"}
    for k in kinds:
        assert k in technology_unit(k).kinds
