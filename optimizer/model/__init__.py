"""The LP (the only package that imports pyomo): one module per kind of thing."""

from optimizer.model.builder import BuildOptions, BuiltModel, Item, ModelBuilder, build_model

__all__ = ["BuildOptions", "BuiltModel", "Item", "ModelBuilder", "build_model"]
