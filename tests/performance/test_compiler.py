"""The matrix compiler (optimizer.model.compiler) against hand-derived matrices and against
Pyomo's own standard-form compiler (an independent implementation) on the week cases."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from optimizer.model import build_model
from optimizer.model.compiler import compile_model
from optimizer.model.highs import HighsLp, HighsSettings
from optimizer.scenario import load_problem
from tests.conftest import ACCEPTANCE


def test_expression_shapes_by_hand() -> None:
    """Every expression shape the modules write, with the matrix written out by hand:

    r1: 2 ≤ x + 3y − 1 ≤ 5        → 3 ≤ x + 3y ≤ 6
    r2: −(x − y) + 2·(y + 4) == 10  → −x + 3y == 2
    r3: z (fixed at 2) + x ≥ 1      → x ≥ −1   (a fixed variable is a constant)
    objective: 4x + y + 7           (offset 7; z unused elsewhere is no column)
    """
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 10))
    m.y = pyo.Var(bounds=(None, 4))
    m.z = pyo.Var()
    m.z.fix(2.0)
    m.r1 = pyo.Constraint(expr=pyo.inequality(2, m.x + 3 * m.y - 1, 5))
    m.r2 = pyo.Constraint(expr=-(m.x - m.y) + 2 * (m.y + 4) == 10)
    m.r3 = pyo.Constraint(expr=m.z + m.x >= 1)
    m.obj = pyo.Objective(expr=4 * m.x + m.y + 7)
    f = compile_model(m)
    assert [id(v) for v in f.columns] == [id(m.x), id(m.y)]
    np.testing.assert_allclose(f.A.toarray(), [[1, 3], [-1, 3], [1, 0]])
    np.testing.assert_allclose(f.row_lower, [3, 2, -1])
    np.testing.assert_allclose(f.row_upper, [6, 2, np.inf])
    np.testing.assert_allclose(f.cost, [4, 1])
    assert f.offset == 7
    np.testing.assert_allclose(f.col_lower, [0, -np.inf])
    np.testing.assert_allclose(f.col_upper, [10, 4])


def test_solves_a_hand_lp() -> None:
    """min x + 2y  s.t. x + y ≥ 3, x ≤ 1  → x = 1, y = 2, objective 5; dual of the first
    row is 2 (one more unit of demand costs one more y)."""
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 1))
    m.y = pyo.Var(bounds=(0, None))
    m.demand = pyo.Constraint(expr=m.x + m.y >= 3)
    m.obj = pyo.Objective(expr=m.x + 2 * m.y)
    lp = HighsLp(m)
    assert lp.solve(HighsSettings(algorithm="simplex")) == "optimal"
    assert lp.objective == pytest.approx(5.0)
    np.testing.assert_allclose(lp.values([m.x, m.y]), [1.0, 2.0])
    assert lp.duals([m.demand])[0] == pytest.approx(2.0)


@pytest.mark.parametrize("case", ["week-basic", "week-contracts"])
def test_same_matrix_as_pyomo_compiler(case: str) -> None:
    """Row by row, the same coefficients, bounds, costs and offset as Pyomo's compiler."""
    built = build_model(load_problem(ACCEPTANCE / case / "scenario.yaml"))
    f = compile_model(built.model)
    repn = LinearStandardFormCompiler().write(built.model, mixed_form=True)
    assert {id(v) for v in repn.columns} == {id(v) for v in f.columns}
    pos = np.array([f.col_index[id(v)] for v in repn.columns])
    row_of = {id(c): i for i, c in enumerate(f.rows)}
    ours = f.A.tocsr()
    theirs = repn.A.tocsr()
    rhs = np.asarray(repn.rhs, dtype=float)
    seen = set()
    for i, (con, sense) in enumerate(repn.rows):
        r = row_of[id(con)]
        seen.add(r)
        a = np.zeros(len(f.columns))
        a[pos[theirs.indices[theirs.indptr[i] : theirs.indptr[i + 1]]]] = theirs.data[
            theirs.indptr[i] : theirs.indptr[i + 1]
        ]
        np.testing.assert_allclose(ours[r].toarray().ravel(), a, rtol=1e-14, atol=0)
        if sense >= 0:
            assert f.row_upper[r] == pytest.approx(rhs[i], rel=1e-14)
        if sense <= 0:
            assert f.row_lower[r] == pytest.approx(rhs[i], rel=1e-14)
    assert seen == set(range(len(f.rows)))
    cost = np.zeros(len(f.columns))
    cost[pos] = np.asarray(repn.c.toarray()).ravel()
    np.testing.assert_allclose(f.cost, cost, rtol=1e-14, atol=0)
    assert f.offset == pytest.approx(float(repn.c_offset[0]) if len(repn.c_offset) else 0.0)
