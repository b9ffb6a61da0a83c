"""Pyomo's post-import callbacks, dropped where dcopt does not need them.

Pyomo registers import hooks (``pyomo.common.dependencies``: a meta-path finder whose
callbacks run as soon as anything imports the module after Pyomo) for matplotlib and scipy:

- **matplotlib**: imports ``matplotlib.pyplot`` and ``matplotlib.pylab``: 0.52 s of a 3.1 s
  ``dcopt run`` on week-basic (cProfile, ``_finalize_matplotlib``). dcopt draws with
  ``matplotlib.figure.Figure`` and the Agg canvas only (:mod:`optimizer.plotting`).
- **scipy**: imports ``scipy.stats``, ``scipy.integrate``, ``scipy.sparse`` and
  ``scipy.spatial`` (``_finalize_scipy``): 1.46 s of a 4.3 s screening of year-cfe90 whose
  clustering needs only ``scipy.cluster.hierarchy`` (cProfile; docs/performance.md,
  "Screening's fixed costs").

:func:`drop_import_callbacks` removes such a callback; the model package calls it right
where it imports Pyomo (``optimizer/model/ledger.py`` and ``compiler.py``, its two roots),
so every later import of matplotlib or scipy in the process is the library alone. A module
imported *before* Pyomo is finalised by Pyomo as it loads (measured: scipy imported first,
then Pyomo, imports scipy.stats), which is why ``dcopt run`` imports the solver stack
before it reads the scenario (pvlib imports scipy). Pyomo's own use of the module (none in
dcopt's path) still imports it on demand, through its deferred module object.
"""

from __future__ import annotations

import logging
import sys

log = logging.getLogger(__name__)


def drop_import_callbacks(*names: str) -> None:
    """Drop Pyomo's post-import callbacks for the top-level modules ``names`` that are not
    imported yet, if Pyomo is loaded. A Pyomo without that (private) hook is left alone."""
    deps = sys.modules.get("pyomo.common.dependencies")
    if deps is None:
        return
    finder = getattr(deps, "DeferredImportCallbackFinder", None)
    callbacks = getattr(finder, "_callbacks", None)
    if not isinstance(callbacks, dict):
        return
    for name in names:
        if name not in sys.modules and callbacks.pop(name, None) is not None:
            log.debug("removed Pyomo's import callback for %s", name)
