"""summary.txt's case labels (optimizer/batch/summary.py)."""

from __future__ import annotations

import pandas as pd

from optimizer.batch.summary import _label


def test_a_null_swept_value_is_labelled_null_not_nan() -> None:
    """A sweep that sets ``carbon.cfe_target`` to null in one case: the frame's numeric
    column holds NaN there; summary.txt labels it as the sweep wrote it."""
    frame = pd.DataFrame({"case_id": ["case-0001", "case-0002"], "carbon.cfe_target": [0.8, None]})
    assert _label(frame.iloc[0], ["carbon.cfe_target"]) == "case-0001 (carbon.cfe_target=0.8)"
    assert _label(frame.iloc[1], ["carbon.cfe_target"]) == "case-0002 (carbon.cfe_target=null)"
