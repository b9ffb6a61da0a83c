"""The report's charts, drawn with matplotlib's object API (no pyplot: no global state, safe
in the API's worker threads) and saved as PNG by :mod:`optimizer.report.sections`.

Speed (docs/report.md): every chart has fixed margins in inches (no constrained layout, no
``bbox_inches="tight"``: one draw per chart) and its legend is HTML under the image
(:class:`Chart.legend`), so a long asset name wraps on the page instead of costing a layout
pass or overflowing the chart. Bar charts of a handful of items (capacity, cost by item) are
HTML bars, not images.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from typing import Any

import matplotlib.dates as mdates
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from PIL import Image

from optimizer.report.analysis import CfeMatrix, Drawn, Week
from optimizer.report.sections import png_data_uri

PALETTES: dict[str, list[str]] = {
    "grid": ["#5f5f5f", "#9a9a9a", "#3d3d3d", "#c2c2c2"],
    "ppa": ["#1f6fb4", "#63a6de", "#0b3f73", "#9cc7ee"],
    "wind": ["#12a4b6", "#0b6f7c", "#6fd3df"],
    "solar": ["#f2b701", "#d98c00", "#f8d65c"],
    "generator": ["#8c4b2f", "#c0703f", "#5e2f1a"],
    "battery": ["#8e5cc2", "#b99ae0", "#5d3190"],
}
SINK_COLORS = {"export": "#3a9d3a", "curtailment": "#e59a9a"}
CFE_STOPS: tuple[tuple[float, str, str], ...] = (
    (0.0, "#b2182b", "red"),
    (0.2, "#ef8a62", "orange"),
    (0.4, "#fddbc7", "pale pink"),
    (0.6, "#d9f0d3", "pale green"),
    (0.8, "#5aae61", "green"),
    (1.0, "#1b7837", "dark green"),
)
"""The heat map's colour scale: (CFE share, colour, its name in the text under the map)."""
CFE_CMAP = LinearSegmentedColormap.from_list("cfe", [(v, c) for v, c, _ in CFE_STOPS])
SHOWN_MW = 1e-3
"""Flows whose every value is below this (MW or MWh) are solver noise: left out of charts."""
SHOWN_MONEY = 0.5
"""Cost entries below this (in the currency) are left out of the cost bars."""
CATEGORY_LABELS = {
    "capital": "capital and fixed O&M",
    "grid_energy": "grid energy",
    "grid_demand": "grid demand charges",
    "grid_fixed": "grid fixed charges",
    "ppa_energy": "PPA energy",
    "ppa_settlement": "virtual PPA settlement",
    "generator_fuel": "generator fuel",
    "export_revenue": "export revenue",
    "carbon_price": "carbon price",
    "grid_resale": "block resale (income)",
    "network_capacity": "network capacity charge",
    "network_energy": "network energy charge",
    "levies": "taxes and levies",
    "certificates": "certificates (GO, REC)",
    "heat_revenue": "heat sold (income)",
    "lost_load": "lost load in outages (VoLL)",
    "curtailment": "load curtailed",
    "demand_response": "demand response payments (income)",
}
CATEGORY_COLORS = {
    "capital": "#8e5cc2",
    "grid_energy": "#5f5f5f",
    "grid_demand": "#a3a3a3",
    "grid_fixed": "#d0d0d0",
    "ppa_energy": "#1f6fb4",
    "ppa_settlement": "#63a6de",
    "generator_fuel": "#8c4b2f",
    "export_revenue": "#3a9d3a",
    "carbon_price": "#b2182b",
    "grid_resale": "#7fbf7f",
    "network_capacity": "#c9a227",
    "network_energy": "#e3cf7a",
    "levies": "#a06b9a",
    "certificates": "#4daf4a",
    "heat_revenue": "#e41a1c",
    "lost_load": "#000000",
    "curtailment": "#f781bf",
    "demand_response": "#1b9e77",
}
WIDTH_IN = 10.4
"""Chart width, inches: 1,144 px at 110 dpi, the width of the page's content."""
LEFT_IN, RIGHT_IN = 0.95, 0.45


@dataclass(frozen=True)
class LegendEntry:
    label: str
    color: str
    style: str = "fill"
    """fill | hatch | line | dash | dot | outline (CSS classes of templates/report.css)."""


@dataclass
class Chart:
    """A chart as the page shows it: the PNG data URI, its alt text and its HTML legend."""

    src: str
    alt: str
    legend: list[LegendEntry] = field(default_factory=list)


def cfe_colour_name(value: float) -> str:
    """The name of the heat map's colour for a CFE share (the nearest named stop)."""
    return min(CFE_STOPS, key=lambda s: abs(s[0] - value))[2]


def plain(text: str) -> str:
    """User text for a chart: ``$`` escaped, so that matplotlib never parses it as math."""
    return text.replace("$", r"\$")


def flow_colors(flows: list[Drawn]) -> dict[str, str]:
    """A colour per flow column; a battery's charge takes the colour of its discharge."""
    used: dict[str, int] = {}
    out: dict[str, str] = {}
    discharge: dict[str, str] = {}
    for f in flows:
        if f.group == "sink":
            out[f.column] = SINK_COLORS.get(f.label, "#cccccc")
            continue
        if f.hatched and f.flow.asset in discharge:
            out[f.column] = discharge[f.flow.asset]
            continue
        pal = PALETTES[f.group]
        i = used.get(f.group, 0)
        used[f.group] = i + 1
        out[f.column] = pal[i % len(pal)]
        if f.group == "battery":
            discharge[f.flow.asset] = out[f.column]
    return out


def new_figure(height_in: float) -> Figure:
    """A figure on the Agg canvas (PNG), independent of pyplot's global backend."""
    fig = Figure(figsize=(WIDTH_IN, height_in))
    FigureCanvasAgg(fig)
    return fig


def axes_at(
    fig: Figure,
    left: float,
    bottom: float,
    width: float,
    height: float,
    **kwargs: Any,
) -> Axes:
    """Axes at a fixed place, in inches from the figure's lower left corner."""
    w, h = fig.get_size_inches()
    return fig.add_axes((left / w, bottom / h, width / w, height / h), **kwargs)


def style_axes(ax: Axes, grid: str = "y") -> None:
    ax.tick_params(labelsize=8)
    ax.grid(axis=grid, alpha=0.3)  # type: ignore[arg-type]
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def thousands(ax_axis: Any) -> None:
    ax_axis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))


def _local_naive(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Wall-clock local times for the x axis (matplotlib draws tz-aware times in UTC)."""
    return index.tz_localize(None) if index.tz is not None else index


def _steps(x: pd.DatetimeIndex, dt_hours: float) -> np.ndarray:
    """Step edges: every step start plus the end of the last step (for step="post")."""
    end = x[-1] + pd.Timedelta(hours=dt_hours)
    return np.asarray(pd.DatetimeIndex(x.append(pd.DatetimeIndex([end]))).to_pydatetime())


def _legend(flows: list[Drawn], colors: dict[str, str]) -> list[LegendEntry]:
    return [LegendEntry(f.label, colors[f.column], "hatch" if f.hatched else "fill") for f in flows]


def _shown(values: dict[str, np.ndarray], flows: list[Drawn]) -> list[Drawn]:
    return [f for f in flows if np.any(np.abs(values[f.column]) > SHOWN_MW)]


def dispatch_chart(
    dispatch: pd.DataFrame,
    flows: list[Drawn],
    certificates: list[str],
    week: Week,
    dt_hours: float,
    currency: str,
    alt: str,
) -> Chart:
    """Stacked supply (above zero) and sinks (below zero) against served load, one week;
    ``certificates`` are the virtual-PPA certificate columns (a dotted line, not energy)."""
    part = dispatch.iloc[week.start : week.stop]
    x = _steps(_local_naive(pd.DatetimeIndex(part["timestamp"])), dt_hours)
    colors = flow_colors(flows)
    has_price = "marginal_price_per_mwh" in part
    main_h, price_h, gap, bottom, top = 3.9, 1.25, 0.45, 0.45, 0.1
    height = bottom + main_h + top + (price_h + gap if has_price else 0.0)
    fig = new_figure(height)
    plot_w = WIDTH_IN - LEFT_IN - RIGHT_IN
    ax = axes_at(fig, LEFT_IN, height - top - main_h, plot_w, main_h)
    values = {f.column: part[f.column].to_numpy(dtype=float) for f in flows}
    shown = _shown(values, flows)
    pos = np.zeros(len(part))
    neg = np.zeros(len(part))
    for f in shown:
        base = pos if f.sign > 0 else neg
        top_v = base + f.sign * values[f.column]
        ax.fill_between(
            x,
            np.r_[base, base[-1]],
            np.r_[top_v, top_v[-1]],
            step="post",
            color=colors[f.column],
            alpha=0.55 if f.hatched else 0.9,
            hatch="////" if f.hatched else None,
            linewidth=0,
        )
        if f.sign > 0:
            pos = top_v
        else:
            neg = top_v
    legend = _legend(shown, colors)
    served = part["served_load_mw"].to_numpy(dtype=float)
    ax.step(x, np.r_[served, served[-1]], where="post", color="black", lw=1.4)
    legend.append(LegendEntry("served load", "#000000", "line"))
    load = part["load_mw"].to_numpy(dtype=float)
    if np.max(np.abs(load - served)) > 1e-6:
        ax.step(x, np.r_[load, load[-1]], where="post", color="black", lw=1, ls="--")
        legend.append(LegendEntry("load", "#000000", "dash"))
    if certificates:
        v = part[certificates].sum(axis=1).to_numpy(dtype=float)
        ax.step(x, np.r_[v, v[-1]], where="post", color="#0b3f73", lw=1, ls=":")
        legend.append(LegendEntry("virtual PPA certificates (not energy)", "#0b3f73", "dot"))
    ax.axhline(0, color="black", lw=0.6)
    ax.set_ylabel("MW", fontsize=9)
    thousands(ax.yaxis)
    style_axes(ax)
    last = ax
    if has_price:
        ax2 = axes_at(fig, LEFT_IN, bottom, plot_w, price_h, sharex=ax)
        p = part["marginal_price_per_mwh"].to_numpy(dtype=float)
        ax2.step(x, np.r_[p, p[-1]], where="post", color="#b2182b", lw=1)
        ax2.set_ylabel(f"{plain(currency)}/MWh", fontsize=9)
        ax2.set_title("marginal price of serving one more MWh", fontsize=9, loc="left")
        thousands(ax2.yaxis)
        style_axes(ax2)
        ax.tick_params(labelbottom=False)
        last = ax2
    last.xaxis.set_major_locator(mdates.DayLocator())
    last.xaxis.set_major_formatter(mdates.DateFormatter("%a %d %b"))
    last.set_xlim(x[0], x[-1])
    return Chart(png_data_uri(fig, tight=False), alt, legend)


def monthly_chart(monthly: pd.DataFrame, flows: list[Drawn], alt: str) -> Chart:
    """Stacked bars of MWh per local month: sources above zero, charging, export and
    curtailment below; the served load as a black mark."""
    colors = flow_colors(flows)
    height = 3.8
    fig = new_figure(height)
    ax = axes_at(fig, LEFT_IN, 0.45, WIDTH_IN - LEFT_IN - RIGHT_IN, height - 0.6)
    xs = np.arange(len(monthly))
    pos = np.zeros(len(monthly))
    neg = np.zeros(len(monthly))
    values = {f.column: monthly[f.label].to_numpy(dtype=float) for f in flows}
    shown = _shown(values, flows)
    for f in shown:
        v = values[f.column]
        ax.bar(
            xs,
            v,
            bottom=pos if f.sign > 0 else neg,
            color=colors[f.column],
            alpha=0.55 if f.hatched else 0.9,
            hatch="////" if f.hatched else None,
            width=0.75,
        )
        if f.sign > 0:
            pos = pos + v
        else:
            neg = neg + v
    ax.plot(xs, monthly["served load"], "k_", markersize=28, mew=2)
    ax.axhline(0, color="black", lw=0.6)
    labels = [pd.Timestamp(m + "-01").strftime("%b %Y") for m in monthly.index]
    ax.set_xticks(xs, labels)
    ax.set_xlim(-0.6, len(monthly) - 0.4)
    ax.set_ylabel("MWh", fontsize=9)
    thousands(ax.yaxis)
    style_axes(ax)
    legend = [*_legend(shown, colors), LegendEntry("served load", "#000000", "line")]
    return Chart(png_data_uri(fig, tight=False), alt, legend)


@dataclass
class HeatMap:
    """The hourly CFE heat map: a PNG of the cells alone (one pixel block per local day and
    hour, drawn straight from the colour map, no matplotlib figure) and its axes as HTML."""

    src: str
    alt: str
    hour_ticks: list[tuple[float, str]]
    """(% from the top, label) of the hour axis."""
    day_ticks: list[tuple[float, str]]
    """(% from the left, label) of the day axis."""
    gradient: str
    """CSS linear-gradient of the colour bar, bottom (0 %) to top (100 %)."""
    target: float | None


HEAT_HOUR_PX = 9
HEAT_WIDTH_PX = 1100


def cfe_heatmap_chart(matrix: CfeMatrix, target: float | None, alt: str) -> HeatMap:
    """Hourly CFE score: one column per local day, one row per local hour (00:00 at the
    bottom); a cell without a step (the hour skipped in spring) is left white."""
    n_days = matrix.values.shape[0]
    rgba = CFE_CMAP(np.nan_to_num(matrix.values.T[::-1], nan=0.0))
    rgba[np.isnan(matrix.values.T[::-1])] = (1.0, 1.0, 1.0, 1.0)
    px = max(1, HEAT_WIDTH_PX // max(n_days, 1))
    pixels = np.repeat(np.repeat(rgba, HEAT_HOUR_PX, axis=0), px, axis=1)
    buf = io.BytesIO()
    Image.fromarray((pixels[..., :3] * 255).round().astype(np.uint8), "RGB").save(buf, "PNG")
    src = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
    hours = [(float((23 - h + 0.5) / 24 * 100), f"{h:02d}:00") for h in (0, 6, 12, 18, 23)]
    if n_days <= 31:
        days = [((i + 0.5) / n_days * 100, d.strftime("%d %b")) for i, d in enumerate(matrix.days)]
    else:
        days = [
            ((i + 0.5) / n_days * 100, d.strftime("%b"))
            for i, d in enumerate(matrix.days)
            if d.day == 1 or i == 0
        ]
    gradient = ", ".join(f"{c} {v * 100:.0f}%" for v, c, _ in CFE_STOPS)
    return HeatMap(src, alt, hours, days, f"linear-gradient(to top, {gradient})", target)


def price_chart(dispatch: pd.DataFrame, hour: np.ndarray, currency: str, alt: str) -> Chart:
    """Marginal price: duration curve over the horizon and load-weighted mean by local hour."""
    p = dispatch["marginal_price_per_mwh"].to_numpy(dtype=float)
    served = dispatch["served_load_mw"].to_numpy(dtype=float)
    height = 3.2
    fig = new_figure(height)
    gap = 0.75
    plot_w = WIDTH_IN - LEFT_IN - RIGHT_IN - gap
    w1 = plot_w * 0.6
    ax1 = axes_at(fig, LEFT_IN, 0.5, w1, height - 0.8)
    ax2 = axes_at(fig, LEFT_IN + w1 + gap, 0.5, plot_w - w1, height - 0.8)
    order = np.sort(p)[::-1]
    share = np.arange(1, len(order) + 1) / len(order) * 100
    ax1.plot(share, order, color="#b2182b", lw=1.2)
    ax1.set_xlabel("% of steps at or above the price", fontsize=9)
    ax1.set_ylabel(f"{plain(currency)}/MWh", fontsize=9)
    ax1.set_title("duration curve", fontsize=9, loc="left")
    if np.nanmax(order) > 5 * max(np.nanpercentile(order, 90), 1e-9):
        ax1.set_yscale("symlog", linthresh=max(float(np.nanpercentile(np.abs(order), 50)), 1.0))
    thousands(ax1.yaxis)
    style_axes(ax1, "both")
    pv = np.zeros(24)
    s = np.zeros(24)
    np.add.at(pv, hour, p * served)
    np.add.at(s, hour, served)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(s > 0, pv / np.where(s > 0, s, 1.0), np.nan)
    ax2.bar(np.arange(24), mean, color="#ef8a62", width=0.8)
    ax2.set_xlabel("local hour", fontsize=9)
    ax2.set_ylabel(f"{plain(currency)}/MWh", fontsize=9)
    ax2.set_title("load-weighted mean by hour of day", fontsize=9, loc="left")
    ax2.set_xticks([0, 6, 12, 18, 23])
    ax2.set_xlim(-0.7, 23.7)
    thousands(ax2.yaxis)
    style_axes(ax2)
    return Chart(png_data_uri(fig, tight=False), alt)
