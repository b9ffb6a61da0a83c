"""Import matplotlib for dcopt's charts: the object API only, never pyplot.

Pyomo registers an import hook for matplotlib (``pyomo.common.dependencies``: a meta-path
finder whose callback runs ``import matplotlib.pyplot, matplotlib.pylab`` as soon as anything
imports matplotlib after Pyomo). dcopt draws with ``matplotlib.figure.Figure`` and the Agg
canvas (no global state, safe in the API's worker threads), so that callback only costs time:
0.52 s of a 3.1 s ``dcopt run`` on week-basic (cProfile, ``_finalize_matplotlib``; see
docs/performance.md, "Fixed costs of a command"). :func:`unhook_pyomo` removes the callback
before the first ``import matplotlib``; Pyomo's own use of matplotlib (none in dcopt's path)
still imports it on demand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from optimizer.pyomo_imports import drop_import_callbacks

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def unhook_pyomo() -> None:
    """Drop Pyomo's post-import callback for matplotlib (it imports pyplot and pylab), if
    Pyomo is loaded and matplotlib is not yet imported
    (:func:`optimizer.pyomo_imports.drop_import_callbacks`)."""
    drop_import_callbacks("matplotlib")


def figure_class() -> type[Figure]:
    """``matplotlib.figure.Figure``, imported after :func:`unhook_pyomo` (for modules that
    draw but are imported after Pyomo: compare and frontier)."""
    unhook_pyomo()
    from matplotlib.figure import Figure

    return Figure
