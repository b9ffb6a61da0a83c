"""The LP (the only package that imports pyomo).

Names are loaded on first use, so that importing a light submodule (``flows``) does not
import Pyomo.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from optimizer.model.builder import BuildOptions, BuiltModel, Item, ModelBuilder, build_model

__all__ = ["BuildOptions", "BuiltModel", "Item", "ModelBuilder", "build_model"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from optimizer.model import builder

        return getattr(builder, name)
    raise AttributeError(name)
