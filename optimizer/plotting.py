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


def warm_draw() -> None:
    """Draw one small throwaway chart to a PNG in memory: a process's first chart pays for
    loading the fonts, the Agg renderer and the PNG writer (on year-cfe90's report 0.76 s
    for the first draw against 0.35 s for the next), so a process with idle time ahead of
    its real charts pays it then (the report process, a batch while its workers solve)."""
    import io

    fig = figure_class()(figsize=(4.0, 2.0))
    ax = fig.add_subplot()
    ax.stackplot([0, 1, 2], [1, 2, 1], [1, 1, 2], labels=["a", "b"])
    ax.plot([0, 1, 2], [2, 3, 2], label="c")
    ax.bar([0, 1], [1, 2], hatch="//")
    ax.text(0.5, 1.5, "warm-up", fontsize=8)
    ax.set_title("warm-up")
    ax.set_xlabel("MW")
    ax.legend(loc="upper left", fontsize=8)
    fig.savefig(io.BytesIO(), format="png", dpi=110)
