"""The ``dcopt`` command line. Only this package prints.

Every module of this package that defines ``register(app)`` adds its commands, so a new
command is a new module. Exit codes (CONTRACT section 4): 0 solved, 2 input refused,
3 infeasible, 1 anything else; never a traceback for bad input (``--debug`` shows one).
"""

from __future__ import annotations

import gc
import importlib
import pkgutil

from optimizer.cli.common import app


def _register_all() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name == "common":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_all()


def main() -> None:
    try:
        app()
    finally:
        # The command is done: let the interpreter's exit skip a last garbage collection
        # over every object the solve stack made (pandas, pydantic schemas, Pyomo): 0.33 s
        # of a week-basic run's exit against 0.03 s frozen (docs/performance.md, "Fixed
        # costs, 2026-12-02"). atexit handlers and refcount cleanup still run.
        gc.freeze()


__all__ = ["app", "main"]
