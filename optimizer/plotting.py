"""Import matplotlib for dcopt's charts: the object API only, never pyplot.

dcopt draws with ``matplotlib.figure.Figure`` and the Agg canvas (no global state, safe in
the API's worker threads). Pyomo's import hook that would import ``matplotlib.pyplot`` and
``pylab`` whenever matplotlib is imported after Pyomo (0.52 s of a 3.1 s ``dcopt run`` on
week-basic) is dropped when the model package imports Pyomo
(:mod:`optimizer.pyomo_imports`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def figure_class() -> type[Figure]:
    """``matplotlib.figure.Figure``, imported on first use (compare and frontier import
    their module without drawing)."""
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
