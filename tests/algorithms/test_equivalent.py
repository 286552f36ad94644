"""equivalent against pynini.equivalent on deterministic acceptors, positive
and negative cases."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import kleene
from kleene import Fst, FstArgError, FstOpError
from kleene.algorithms.equivalent import equivalent
from kleene.algorithms.minimize import minimize

from ..helpers import PYNINI_SEMIRINGS, fsts, require_pynini
from .test_isomorphic import _perturbed, renumbered
from .test_minimize import deterministic


def _dfa(data, semiring, **kw):
    return deterministic(data.draw(fsts(semiring, acceptor=True, epsilons=False,
                                        max_states=5, num_labels=2, **kw)))


def _start_on_cycle(fst):
    return bool(np.any(fst.nextstate == fst.start))


@pytest.mark.parametrize("semiring", PYNINI_SEMIRINGS)
@given(data=st.data())
def test_matches_pynini(semiring, data):
    pynini = require_pynini()
    a = _dfa(data, semiring)
    kind = data.draw(st.sampled_from(["other", "perturbed", "renumbered", "minimized"]))
    if kind == "other":
        b = _dfa(data, semiring)
    elif kind == "perturbed":
        b = _perturbed(a, data)
    elif kind == "renumbered":
        b = renumbered(a, np.asarray(data.draw(st.permutations(range(a.num_states)))), 3)
    else:
        try:
            b = minimize(a)
        except FstOpError:        # log cycle of weight 0 diverges
            return
        assume(b.has(kleene.Prop.NO_EPSILONS))   # pushing added no epsilon start
    # OpenFst's pushing adds an epsilon start when the start is on a cycle,
    # which makes it call such machines different from everything else
    assume(not _start_on_cycle(a) and not _start_on_cycle(b))
    try:
        ours = equivalent(a, b)
    except FstOpError:
        return
    assert ours == pynini.equivalent(a.to_pynini(), b.to_pynini())
    if kind in ("renumbered", "minimized"):
        assert ours


@given(data=st.data())
def test_start_on_cycle_is_compared_by_language(data):
    a = _dfa(data, "tropical")
    b = renumbered(a, np.arange(a.num_states)[::-1].copy(), 1)
    assert equivalent(a, b) and equivalent(b, a)


def test_cycle_through_start():
    # L = 1(21)* with weight 1 per "1", built with and without a cycle through the start
    d = Fst.from_arrays(2, [0, 1], [1, 2], [1, 2], [1.0, 0.0], [1, 0], final=[np.inf, 0.0])
    e = Fst.from_arrays(3, [0, 1, 2], [1, 2, 1], [1, 2, 1], [1.0, 0.0, 1.0], [1, 2, 1],
                        final=[np.inf, 0.0, np.inf])
    assert equivalent(d, e)                  # pynini.equivalent says False here
    e2 = e.replace(weight=np.array([1.0, 0.0, 1.5], np.float32))
    assert not equivalent(d, e2)


def test_preconditions():
    nondet = Fst.from_arrays(3, [0, 0], [1, 1], [1, 1], [1.0, 2.0], [1, 2],
                             final=[np.inf, 0.0, 0.0])
    eps = Fst.from_arrays(2, [0], [0], [0], [1.0], [1], final=[np.inf, 0.0])
    trans = Fst.from_arrays(2, [0], [1], [2], [1.0], [1], final=[np.inf, 0.0])
    ok = Fst.from_arrays(2, [0], [1], [1], [1.0], [1], final=[np.inf, 0.0])
    for bad in (nondet, eps, trans):
        with pytest.raises(FstArgError, match="deterministic acceptor"):
            equivalent(bad, ok)
        with pytest.raises(FstArgError, match="2nd"):
            equivalent(ok, bad)
    assert equivalent(Fst.empty(), Fst.empty())
    assert not equivalent(Fst.empty(), ok)
