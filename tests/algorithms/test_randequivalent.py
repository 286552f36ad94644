"""randequivalent: string-pair weights against path enumeration, soundness of
false answers, agreement with itself on renumbered/minimized machines."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kleene import Fst, FstArgError, FstOpError
from kleene.algorithms.minimize import minimize
from kleene.algorithms.randequivalent import pair_weight, randequivalent

from ..helpers import fsts, require_pynini
from ..reference.minimize import string_weights
from .test_isomorphic import _perturbed, renumbered
from .test_minimize import deterministic


@pytest.mark.parametrize("semiring", ["tropical", "log64"])
@given(fst=fsts("tropical", acyclic=True, max_states=6, max_arcs=12))
def test_pair_weight_matches_path_enumeration(semiring, fst):
    if semiring != "tropical":
        fst = fst.replace(semiring="log64", weight=fst.weight.astype(np.float64),
                          final=fst.final.astype(np.float64))
    for (x, y), w in string_weights(fst).items():
        got = pair_weight(fst, np.asarray(x, np.int64), np.asarray(y, np.int64))
        assert abs(got - w) <= 1e-6 * max(1.0, abs(w)), (x, y, got, w)


@pytest.mark.parametrize("semiring", ["tropical", "log"])
@given(data=st.data())
def test_true_on_same_language(semiring, data):
    fst = data.draw(fsts(semiring, max_states=5, max_arcs=10))
    perm = np.asarray(data.draw(st.permutations(range(fst.num_states))), np.int64)
    if fst.start < 0:
        return
    try:
        assert randequivalent(fst, renumbered(fst, perm, 0), npath=20, seed=1,
                              max_length=30)
    except FstOpError:          # no successful path short enough, or divergent cycle
        pass


@given(data=st.data())
def test_minimized_and_perturbed(data):
    pynini = require_pynini()
    fst = deterministic(data.draw(fsts("tropical", acyclic=True, acceptor=True,
                                       max_states=5)))
    assert randequivalent(fst, minimize(fst), npath=30, seed=2)
    other = _perturbed(fst, data)
    ours = randequivalent(fst, other, npath=30, seed=3)
    a, b = string_weights(fst), string_weights(other)
    same = a.keys() == b.keys() and all(abs(a[k] - b[k]) <= 1e-3 for k in a)
    if not ours:                # a false answer is always right
        assert not same
    if same:
        assert ours
        assert pynini.randequivalent(fst.to_pynini(), other.to_pynini(), npath=30, seed=3)


def test_detects_a_changed_weight_and_errors():
    f = Fst.from_arrays(2, [0, 1], [1, 2], [1, 3], [1.0, 0.5], [1, 1], final=[np.inf, 0.0])
    g = f.replace(weight=np.array([1.0, 0.25], np.float32))
    assert randequivalent(f, f, npath=20)
    assert not randequivalent(f, g, npath=20)
    with pytest.raises(FstArgError):
        randequivalent(f, f.replace(semiring="log"))
    with pytest.raises(FstArgError):
        randequivalent(f, f, npath=-1)
    assert randequivalent(Fst.empty(), Fst.empty(), npath=5)
