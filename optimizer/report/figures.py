"""The report's charts, drawn with matplotlib's object API (no pyplot: no global state, safe
in the API's worker threads) and saved as PNG by :func:`optimizer.report.sections.figure_to_html`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.dates as mdates
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

from optimizer.report.analysis import CfeMatrix, Flow, Week

PALETTES: dict[str, list[str]] = {
    "grid": ["#5f5f5f", "#9a9a9a", "#3d3d3d", "#c2c2c2"],
    "ppa": ["#1f6fb4", "#63a6de", "#0b3f73", "#9cc7ee"],
    "wind": ["#12a4b6", "#0b6f7c", "#6fd3df"],
    "solar": ["#f2b701", "#d98c00", "#f8d65c"],
    "generator": ["#8c4b2f", "#c0703f", "#5e2f1a"],
    "battery": ["#8e5cc2", "#b99ae0", "#5d3190"],
}
SINK_COLORS = {"export_mw": "#3a9d3a", "curtailment_mw": "#e59a9a"}
CFE_CMAP = LinearSegmentedColormap.from_list(
    "cfe", ["#b2182b", "#ef8a62", "#fddbc7", "#d9f0d3", "#5aae61", "#1b7837"]
)
SHOWN_MW = 1e-3
"""Flows whose every value is below this (MW or MWh) are solver noise: left out of charts."""
SHOWN_MONEY = 0.5
"""Cost entries below this (in the currency) are left out of the cost chart."""
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
}


def plain(text: str) -> str:
    """User text for a chart: ``$`` escaped, so that matplotlib never parses it as math."""
    return text.replace("$", r"\$")


def flow_colors(flows: list[Flow]) -> dict[str, str]:
    """A colour per flow column; a battery's charge takes the colour of its discharge."""
    used: dict[str, int] = {}
    out: dict[str, str] = {}
    for f in flows:
        if f.kind == "sink":
            out[f.column] = SINK_COLORS.get(f.column, "#cccccc")
            continue
        name = f.column.partition(":")[2]
        if f.column.startswith("charge_mw:") and f"discharge_mw:{name}" in out:
            out[f.column] = out[f"discharge_mw:{name}"]
            continue
        pal = PALETTES[f.kind]
        i = used.get(f.kind, 0)
        used[f.kind] = i + 1
        out[f.column] = pal[i % len(pal)]
    return out


def _figure(**kwargs: Any) -> Figure:
    """A figure on the Agg canvas (PNG), independent of pyplot's global backend."""
    fig = Figure(layout="constrained", **kwargs)
    FigureCanvasAgg(fig)
    return fig


def _local_naive(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Wall-clock local times for the x axis (matplotlib draws tz-aware times in UTC)."""
    return index.tz_localize(None) if index.tz is not None else index


def _steps(x: pd.DatetimeIndex, dt_hours: float) -> np.ndarray:
    """Step edges: every step start plus the end of the last step (for step="post")."""
    end = x[-1] + pd.Timedelta(hours=dt_hours)
    return np.asarray(pd.DatetimeIndex(x.append(pd.DatetimeIndex([end]))).to_pydatetime())


def dispatch_figure(
    dispatch: pd.DataFrame, flows: list[Flow], week: Week, dt_hours: float, currency: str
) -> Figure:
    """Stacked supply (above zero) and sinks (below zero) against served load, one week."""
    part = dispatch.iloc[week.start : week.stop]
    x = _steps(_local_naive(pd.DatetimeIndex(part["timestamp"])), dt_hours)
    colors = flow_colors(flows)
    has_price = "marginal_price_per_mwh" in part
    fig = _figure(figsize=(11, 6.2 if has_price else 4.8))
    axes: Any = fig.subplots(
        2 if has_price else 1, 1, sharex=True, height_ratios=[3, 1][: 1 + has_price]
    )
    ax = axes[0] if has_price else axes
    pos = np.zeros(len(part))
    neg = np.zeros(len(part))
    for f in flows:
        v = part[f.column].to_numpy(dtype=float)
        if not np.any(np.abs(v) > SHOWN_MW):
            continue
        base = pos if f.sign > 0 else neg
        top = base + f.sign * v
        hatch = "////" if f.column.startswith("charge_mw:") else None
        ax.fill_between(
            x,
            np.r_[base, base[-1]],
            np.r_[top, top[-1]],
            step="post",
            color=colors[f.column],
            alpha=0.55 if hatch else 0.9,
            hatch=hatch,
            linewidth=0,
            label=plain(f.label),
        )
        if f.sign > 0:
            pos = top
        else:
            neg = top
    served = part["served_load_mw"].to_numpy(dtype=float)
    ax.step(x, np.r_[served, served[-1]], where="post", color="black", lw=1.4, label="served load")
    load = part["load_mw"].to_numpy(dtype=float)
    if np.max(np.abs(load - served)) > 1e-6:
        ax.step(x, np.r_[load, load[-1]], where="post", color="black", lw=1, ls="--", label="load")
    certs = [c for c in part.columns if c.startswith("vppa_certificates_mw:")]
    if certs:
        v = part[certs].sum(axis=1).to_numpy(dtype=float)
        ax.step(x, np.r_[v, v[-1]], where="post", color="#0b3f73", lw=1, ls=":")
        ax.lines[-1].set_label("virtual PPA certificates (not energy)")
    ax.axhline(0, color="black", lw=0.6)
    ax.set_ylabel("MW")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    if has_price:
        ax2 = axes[1]
        p = part["marginal_price_per_mwh"].to_numpy(dtype=float)
        ax2.step(x, np.r_[p, p[-1]], where="post", color="#b2182b", lw=1)
        ax2.set_ylabel(f"{currency}/MWh")
        ax2.set_title("marginal price of serving one more MWh", fontsize=9, loc="left")
        ax2.grid(axis="y", alpha=0.3)
        ax_last = ax2
    else:
        ax_last = ax
    ax_last.xaxis.set_major_locator(mdates.DayLocator())
    ax_last.xaxis.set_major_formatter(mdates.DateFormatter("%a %d %b"))
    ax_last.set_xlim(x[0], x[-1])
    return fig


def monthly_energy_figure(monthly: pd.DataFrame, flows: list[Flow]) -> Figure:
    """Stacked bars of MWh per local month: sources above zero, charging, export and
    curtailment below."""
    colors = flow_colors(flows)
    fig = _figure(figsize=(11, 4.2))
    ax = fig.subplots()
    xs = np.arange(len(monthly))
    pos = np.zeros(len(monthly))
    neg = np.zeros(len(monthly))
    for f in flows:
        v = monthly[f.label].to_numpy(dtype=float)
        if not np.any(np.abs(v) > SHOWN_MW):
            continue
        base = pos if f.sign > 0 else neg
        ax.bar(
            xs,
            v,
            bottom=base,
            color=colors[f.column],
            alpha=0.55 if f.column.startswith("charge_mw:") else 0.9,
            hatch="////" if f.column.startswith("charge_mw:") else None,
            label=plain(f.label),
            width=0.75,
        )
        if f.sign > 0:
            pos = pos + v
        else:
            neg = neg + v
    ax.plot(xs, monthly["served load"], "k_", markersize=28, mew=2, label="served load")
    ax.axhline(0, color="black", lw=0.6)
    labels = [pd.Timestamp(m + "-01").strftime("%b %Y") for m in monthly.index]
    ax.set_xticks(xs, labels, fontsize=8)
    ax.set_ylabel("MWh")
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    return fig


def cfe_heatmap_figure(matrix: CfeMatrix, target: float | None) -> Figure:
    """Hourly CFE score: one column per local day, one row per local hour."""
    n_days = matrix.values.shape[0]
    fig = _figure(figsize=(11, 3.6))
    ax = fig.subplots()
    img = ax.imshow(
        matrix.values.T,
        aspect="auto",
        origin="lower",
        cmap=CFE_CMAP,
        vmin=0.0,
        vmax=1.0,
        interpolation="nearest",
        extent=(-0.5, n_days - 0.5, -0.5, 23.5),
    )
    ax.set_yticks([0, 6, 12, 18, 23], ["00:00", "06:00", "12:00", "18:00", "23:00"], fontsize=8)
    ax.set_ylabel("local hour")
    if n_days <= 31:
        ticks = list(range(n_days))
        labels = [d.strftime("%d %b") for d in matrix.days]
    else:
        ticks = [i for i, d in enumerate(matrix.days) if d.day == 1 or i == 0]
        labels = [matrix.days[i].strftime("%b") for i in ticks]
    ax.set_xticks(ticks, labels, fontsize=8)
    bar = fig.colorbar(img, ax=ax, pad=0.01)
    bar.set_label("hourly CFE")
    if target is not None:
        bar.ax.axhline(target, color="black", lw=1.5)
    return fig


def cost_figure(
    by_item: Mapping[str, Mapping[str, float]], currency: str, categories: list[str]
) -> Figure:
    """Cost of every offer and technology, stacked by cost category (income to the left)."""
    items = [k for k, v in by_item.items() if any(abs(x) > SHOWN_MONEY for x in v.values())]
    items = items or list(by_item)
    fig = _figure(figsize=(11, 0.45 * max(len(items), 2) + 1.2))
    ax = fig.subplots()
    ys = np.arange(len(items))[::-1]
    pos = np.zeros(len(items))
    neg = np.zeros(len(items))
    for cat in categories:
        v = np.array([by_item[i].get(cat, 0.0) for i in items], dtype=float)
        if not np.any(np.abs(v) > SHOWN_MONEY):
            continue
        left = np.where(v >= 0, pos, neg)
        ax.barh(
            ys,
            v,
            left=left,
            color=CATEGORY_COLORS.get(cat, "#cccccc"),
            label=CATEGORY_LABELS.get(cat, cat),
            height=0.6,
        )
        pos = pos + np.clip(v, 0, None)
        neg = neg + np.clip(v, None, 0)
    ax.set_yticks(ys, [plain(i) for i in items], fontsize=9)
    ax.axvline(0, color="black", lw=0.6)
    ax.margins(x=0.04)
    ax.set_xlabel(f"{currency} over the modelled horizon")
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    return fig


def capacity_figure(rows: list[tuple[str, float, float | None]]) -> Figure:
    """Chosen MW of every technology and PPA (filled) against the most allowed (outline)."""
    fig = _figure(figsize=(11, 0.45 * max(len(rows), 2) + 1.0))
    ax = fig.subplots()
    ys = np.arange(len(rows))[::-1]
    chosen = np.array([r[1] for r in rows], dtype=float)
    limits = np.array([r[2] if r[2] is not None else np.nan for r in rows], dtype=float)
    ax.barh(ys, limits, height=0.6, fill=False, edgecolor="#888888", ls="--", label="most allowed")
    ax.barh(ys, chosen, height=0.6, color="#1f6fb4", label="chosen")
    ax.margins(x=0.06)
    for y, c in zip(ys, chosen, strict=True):
        ax.text(c, y, f" {c:,.1f}", va="center", fontsize=8)
    ax.set_yticks(ys, [plain(r[0]) for r in rows], fontsize=9)
    ax.set_xlabel("MW")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    return fig


def price_figure(dispatch: pd.DataFrame, hour: np.ndarray, currency: str) -> Figure:
    """Marginal price: duration curve over the horizon and mean by local hour of day."""
    p = dispatch["marginal_price_per_mwh"].to_numpy(dtype=float)
    served = dispatch["served_load_mw"].to_numpy(dtype=float)
    fig = _figure(figsize=(11, 3.4))
    axes: Any = fig.subplots(1, 2, width_ratios=[3, 2])
    ax1, ax2 = axes
    order = np.sort(p)[::-1]
    share = np.arange(1, len(order) + 1) / len(order) * 100
    ax1.plot(share, order, color="#b2182b", lw=1.2)
    ax1.set_xlabel("% of steps at or above the price")
    ax1.set_ylabel(f"{currency}/MWh")
    ax1.set_title("duration curve", fontsize=9, loc="left")
    ax1.grid(alpha=0.3)
    if np.nanmax(order) > 5 * max(np.nanpercentile(order, 90), 1e-9):
        ax1.set_yscale("symlog", linthresh=max(float(np.nanpercentile(np.abs(order), 50)), 1.0))
    by_hour = pd.DataFrame({"h": hour, "pv": p * served, "s": served}).groupby("h").sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (by_hour["pv"] / by_hour["s"]).to_numpy()
    ax2.bar(by_hour.index, mean, color="#ef8a62", width=0.8)
    ax2.set_xlabel("local hour")
    ax2.set_title("load-weighted mean by hour of day", fontsize=9, loc="left")
    ax2.set_xticks([0, 6, 12, 18, 23])
    ax2.grid(axis="y", alpha=0.3)
    return fig
