"""Limits on the size and shape of input, checked before anything is parsed into models.

Every limit is a ``DCOPT_*`` environment variable (pydantic-settings), read by the command
line and by the API server alike; the server's :class:`api.settings.Settings` inherits these
fields (and lowers ``max_periods``). docs/limits.md lists them with the reason for each.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MAX_PERIODS = 366 * 96 * 10
"""The schema's ceiling on ``site.periods``: ten 366-day years of 15-minute steps."""

DEFAULT_MAX_LIST_ITEMS = 1000
"""Items of any one list or mapping in a scenario (series columns' values excepted)."""

PER_STEP_FIELDS = frozenset({"timestamp"})
"""List fields that hold one value a step: bounded by ``site.periods``, not the list limit."""


class InputLimits(BaseSettings):
    """How large and how deeply nested an input may be (``DCOPT_<NAME>``)."""

    model_config = SettingsConfigDict(env_prefix="DCOPT_", extra="ignore")

    max_nesting_depth: int = Field(
        default=32,
        ge=4,
        le=200,
        description="levels of nested mappings and lists in a scenario file or request body",
    )
    max_input_items: int = Field(
        default=2_000_000,
        ge=1000,
        description="values (numbers, strings, lists, mappings) in one scenario or body, "
        "YAML aliases counted as often as they are expanded",
    )
    max_yaml_values: int = Field(
        default=100_000,
        ge=1000,
        description="values in one YAML document (read some 50 times slower than JSON); "
        "long series go in a CSV/Parquet file or a JSON body",
    )
    max_list_items: int = Field(
        default=DEFAULT_MAX_LIST_ITEMS,
        ge=10,
        description="items of one list or mapping of the scenario (TOU blocks, offers, ...); "
        "series values are bounded by site.periods instead",
    )
    max_periods: int = Field(
        default=MAX_PERIODS,
        ge=1,
        le=MAX_PERIODS,
        description=f"site.periods (the schema's ceiling is {MAX_PERIODS})",
    )
    max_scenario_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=1024,
        description="size of a scenario file read by the command line",
    )
    max_series_bytes: int = Field(
        default=512 * 1024 * 1024,
        ge=1024,
        description="size of a series CSV file",
    )


def env_name(field: str) -> str:
    """The environment variable of a limit, for messages: ``DCOPT_MAX_LIST_ITEMS``."""
    return f"DCOPT_{field.upper()}"
