"""Exceptions that cross the library boundary.

Every error a user can cause is a :class:`ScenarioError`: it carries one or more
:class:`FieldError` that name the field (dotted path, list items by name) and, for series,
the first bad row and timestamp. The CLI maps it to exit code 2, the API to HTTP 422.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of the input."""

    field: str
    message: str
    row: int | None = None
    timestamp: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.row is not None:
            where = f" (row {self.row}"
            if self.timestamp is not None:
                where += f", timestamp {self.timestamp}"
            where += ")"
        return f"{self.field}: {self.message}{where}"

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"field": self.field, "message": self.message}
        if self.row is not None:
            out["row"] = self.row
        if self.timestamp is not None:
            out["timestamp"] = self.timestamp
        return out


class DcoptError(Exception):
    """Base class of every error dcopt raises on purpose."""


class ScenarioError(DcoptError):
    """The input was refused before any model was built."""

    def __init__(self, errors: list[FieldError] | FieldError) -> None:
        self.errors: list[FieldError] = [errors] if isinstance(errors, FieldError) else errors
        super().__init__("; ".join(str(e) for e in self.errors))

    @classmethod
    def single(
        cls, field: str, message: str, row: int | None = None, timestamp: str | None = None
    ) -> ScenarioError:
        return cls(FieldError(field, message, row, timestamp))


class SolverError(DcoptError):
    """The solver failed for a reason that is not the user's input."""
