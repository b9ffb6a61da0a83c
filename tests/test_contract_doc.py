"""docs/contract.md ships the public contract word for word, so the two can never drift.

Its only additions are the project's note at the top (between two HTML comments) and status
lines right under the headings of sections not built yet. With those removed it must equal
the contract's reference copy, ``../shared/CONTRACT.md`` beside the repository (absent from a
wheel or a lone clone: then only the shape of the page is checked).
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
SHIPPED = ROOT / "docs" / "contract.md"
REFERENCE = ROOT.parent / "shared" / "CONTRACT.md"
NOTE_END = "<!-- dcopt: end of the note -->\n"
STATUS = "> **Status: not built yet in this version.**"


def contract_text(page: str) -> str:
    """The contract as the page gives it: the note and the status lines removed."""
    head, sep, body = page.partition(NOTE_END)
    assert sep and head.startswith("<!-- dcopt: note"), "the page must open with the note"
    assert body.startswith("\n"), "a blank line follows the note"
    # a status line sits right under a heading and is followed by one blank line
    return body[1:].replace(f"{STATUS}\n\n", "")


def test_status_lines_sit_right_under_section_headings() -> None:
    lines = SHIPPED.read_text(encoding="utf-8").splitlines()
    marked = [i for i, line in enumerate(lines) if line == STATUS]
    for i in marked:
        assert re.match(r"## \d+\. ", lines[i - 1]), f"line {i + 1}: not under a section heading"
        assert lines[i + 1] == "", f"line {i + 2}: a blank line must follow the status line"
    misspelt = [line for line in lines if line.startswith("> **Status") and line != STATUS]
    assert not misspelt, f"status lines must read exactly {STATUS!r}: {misspelt}"


def test_unmarked_page_is_the_contract() -> None:
    if not REFERENCE.is_file():
        pytest.skip(f"{REFERENCE} is absent (a wheel or a lone clone): nothing to compare with")
    shipped = contract_text(SHIPPED.read_text(encoding="utf-8"))
    reference = REFERENCE.read_text(encoding="utf-8")
    if shipped != reference:
        diff = "".join(
            difflib.unified_diff(
                reference.splitlines(keepends=True),
                shipped.splitlines(keepends=True),
                "shared/CONTRACT.md",
                "docs/contract.md (note and status lines removed)",
                n=1,
            )
        )
        pytest.fail(f"docs/contract.md drifted from the contract:\n{diff[:4000]}")


def test_the_stripping_removes_only_what_the_project_added() -> None:
    """The comparison can fail: a changed word survives the stripping."""
    page = SHIPPED.read_text(encoding="utf-8")
    assert contract_text(page.replace("metric tonnes", "tonnes")) != contract_text(page)
    assert STATUS not in contract_text(page)
