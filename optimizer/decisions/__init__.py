"""Decisions on top of the optimizer: value every offer (compare) and the cost–carbon
frontier (CONTRACT section 6). See docs/decisions.md."""

from optimizer.decisions.compare import CompareItem, CompareResult, compare
from optimizer.decisions.frontier import FrontierPoint, FrontierResult, frontier

__all__ = [
    "CompareItem",
    "CompareResult",
    "FrontierPoint",
    "FrontierResult",
    "compare",
    "frontier",
]
