"""The ``dcopt`` entry point: forks the report process of ``dcopt run`` before anything
else is imported, then hands over to the command line (:mod:`optimizer.cli`).

Importing the command line (typer, rich and every command's module) takes about 0.1 s; a
report process forked after it starts its own imports that much later, and on a short run
it is the report that ends last (docs/performance.md, "Fixed costs"). Which command runs
is read off the arguments as typer will: the first word not starting with ``-`` (the
global options, ``-v``/``-vv``/``-q``/``--debug``, take no value). A run with
``--screening`` draws no report here, and ``--help`` none at all: no fork for them.
"""

from __future__ import annotations

import sys


def _draws_a_report(argv: list[str]) -> bool:
    words = [a for a in argv if not a.startswith("-")]
    return (
        bool(words)
        and words[0] == "run"
        and not {"--help", "-h", "--screening", "--version"} & set(argv)
    )


def main() -> None:
    if _draws_a_report(sys.argv[1:]):
        from optimizer.report.process import ReportProcess

        ReportProcess.fork_early()
    from optimizer.cli import main as cli_main

    cli_main()
