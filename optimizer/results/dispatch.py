"""dispatch.parquet of a solved case: one row a step, one column per flow (CONTRACT 5)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from optimizer.model.builder import CaseBuilder
from optimizer.model.highs import HighsLp
from optimizer.results.accounting import CaseAccounts


def case_dispatch(c: CaseBuilder, acc: CaseAccounts, lp: HighsLp) -> pd.DataFrame:
    p = c.problem
    data: dict[str, Any] = {
        "timestamp": p.time.index,
        "load_mw": p.load_mw,
        "served_load_mw": acc.served,
    }
    data.update({f.column: x for f, x in acc.flows.items()})
    data["grid_import_total_mw"] = acc.imports
    if not c.certificates.is_empty:
        data["certificate_covered_import_mw"] = acc.covered
    data["uncovered_import_mw"] = acc.uncovered
    data["fossil_output_mw"] = acc.fossil
    data["dirty_supply_mw"] = acc.dirty
    data["cfe_hourly"] = acc.cfe_hourly
    data["grid_cfe_share"] = p.grid_cfe_share
    data["grid_carbon_intensity_tco2_per_mwh"] = p.grid_carbon_intensity
    data["emissions_location_tco2"] = acc.emissions_location
    data["emissions_market_tco2"] = acc.emissions_market
    if lp.has_duals:
        data["marginal_price_per_mwh"] = lp.duals(c.balance_rows) / p.dt / (c.weight * c.w)
    return pd.DataFrame(data)


def cfe_score_from_dispatch(dispatch: pd.DataFrame, dt_hours: float) -> float:
    """The contract's CFE score recomputed from a dispatch table (a check users can run)."""
    dirty = (1.0 - dispatch["grid_cfe_share"]) * dispatch["uncovered_import_mw"] + dispatch[
        "fossil_output_mw"
    ]
    return float(1.0 - dirty.sum() * dt_hours / (dispatch["served_load_mw"].sum() * dt_hours))


def stack(frames: dict[str, pd.DataFrame], column: str) -> pd.DataFrame:
    """Cases' dispatch tables under one another, with a ``column`` naming the case."""
    parts = []
    for name, df in frames.items():
        df = df.copy()
        df.insert(0, column, name)
        parts.append(df)
    out = pd.concat(parts, ignore_index=True)
    flow_cols = [c for c in out.columns if out[c].dtype.kind == "f"]
    out[flow_cols] = out[flow_cols].fillna(0.0)
    return out


__all__ = ["case_dispatch", "cfe_score_from_dispatch", "stack"]
