"""Raw materials, embodied carbon and the footprint of compute (issue 7; docs/materials.md).

- :mod:`optimizer.materials.defaults`: the defaults table, one row ("basis") per technology
  kind, every number with its source.
- :mod:`optimizer.materials.intensity`: resolves the per-item intensities of a scenario
  (defaults merged with the scenario's overrides) into :class:`MaterialsData`.
- :mod:`optimizer.materials.summary`: tonnes, embodied carbon and footprint of a solved model.
- :mod:`optimizer.materials.report`: the "footprint" section of report.html.

The LP part (material caps, embodied emissions in the emissions ledger) is
:mod:`optimizer.model.materials`. This package imports no Pyomo and, at import time, nothing
from :mod:`optimizer.scenario` (the scenario resolver imports it).
"""
