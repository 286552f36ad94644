"""randgen: sample frequencies against the exact walk distribution.

pynini's RandGen uses another random generator, so results are compared
statistically rather than by isomorphism.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kleene
from kleene import FstArgError, FstBuilder, FstOpError, randgen

from ..helpers import fsts
from ..reference.paths import (coaccessible, enumerate_paths, path_distribution,
                               success_probability)

NPATH = 3000


def sampled_counts(out, npath):
    """{(istring, ostring): count} read off a weighted randgen tree."""
    counts = {}
    name = out.semiring.name
    for _, i, o, w in enumerate_paths(out, out.num_states):
        frac = math.exp(-w) if name in ("tropical", "log") else w
        counts[(i, o)] = counts.get((i, o), 0) + round(frac * npath)
    return counts


def exact_string_probs(fst, select, max_arcs):
    probs = {}
    for arcs, p in path_distribution(fst, select, max_arcs).items():
        key = (tuple(int(fst.ilabel[a]) for a in arcs if fst.ilabel[a]),
               tuple(int(fst.olabel[a]) for a in arcs if fst.olabel[a]))
        probs[key] = probs.get(key, 0.0) + p
    return probs


def assert_fits(counts, probs, npath):
    assert sum(counts.values()) == npath
    for key in counts:                   # every sample is a path of the input
        assert probs.get(key, 0.0) > 0, key
    # chi-square over cells expecting >= 5 samples; the rare ones pooled
    cells, rare_obs, rare_exp = [], 0, 0.0
    for k, p in probs.items():
        if npath * p >= 5:
            cells.append((counts.get(k, 0), npath * p))
        else:
            rare_obs += counts.get(k, 0)
            rare_exp += npath * p
    if rare_exp >= 1:
        cells.append((rare_obs, max(rare_exp, 1e-9)))
    stat = sum((o - e) ** 2 / e for o, e in cells)
    df = max(len(cells) - 1, 1)
    assert stat < df + 6 * math.sqrt(2 * df) + 12, (stat, df, counts, probs)


@pytest.mark.parametrize("semiring", ["tropical", "log", "real"])
@pytest.mark.parametrize("select", ["uniform", "log_prob"])
@given(data=st.data())
def test_frequencies_match_exact_distribution(semiring, select, data):
    fst = data.draw(fsts(semiring, acyclic=True, max_states=5, max_arcs=8))
    probs = exact_string_probs(fst, select, fst.num_states)
    if not probs:
        with pytest.raises(FstOpError, match="no successful path"):
            randgen(fst, npath=NPATH)
        return
    if success_probability(fst, select, fst.num_states) < 0.01:
        return     # rejection sampling would need ~10^5+ walks; covered elsewhere
    seed = data.draw(st.integers(0, 2**31))
    out = randgen(fst, npath=NPATH, seed=seed, select=select, weighted=True)
    assert_fits(sampled_counts(out, NPATH), probs, NPATH)


@given(data=st.data())
def test_cyclic_with_max_length(data):
    fst = data.draw(fsts("log", max_states=4, max_arcs=7))
    max_length = 4
    probs = exact_string_probs(fst, "log_prob", max_length)
    if not probs or success_probability(fst, "log_prob", max_length) < 0.01:
        return
    out = randgen(fst, npath=NPATH, seed=7, select="log_prob", weighted=True,
                  max_length=max_length)
    for _, i, o, w in enumerate_paths(out, out.num_states):
        assert len(i) <= max_length
    assert_fits(sampled_counts(out, NPATH), probs, NPATH)


@given(data=st.data())
def test_unweighted_tree_shape(data):
    fst = data.draw(fsts("tropical", max_states=5))
    if fst.start not in coaccessible(fst):
        return
    try:
        out = randgen(fst, npath=20, seed=3, max_length=20)
    except FstOpError as exc:      # success within 20 arcs can be very unlikely
        assert "max_length" in str(exc)
        return
    assert out.props.get(kleene.Prop.TOP_SORTED)
    assert np.all(out.weight == 0.0)
    assert set(out.final[np.isfinite(out.final)].tolist()) <= {0.0}
    # a tree: every state but the root has exactly one incoming arc
    indeg = np.bincount(out.nextstate, minlength=out.num_states)
    assert indeg[0] == 0 and np.all(indeg[1:] == 1)


def _two_paths():
    b = FstBuilder("tropical")
    b.add_states(3)
    b.set_start(0)
    b.add_arc(0, 1, 1, 0.0, 1)
    b.add_arc(0, 2, 2, math.log(3.0), 1)   # probability 1/4 vs 3/4 under log_prob
    b.add_arc(1, 3, 3, 0.0, 2)
    b.set_final(2)
    return b.freeze()


def test_reproducible_per_seed():
    fst = _two_paths()
    a = randgen(fst, npath=50, seed=11, weighted=True)
    b = randgen(fst, npath=50, seed=11, weighted=True)
    assert a.equal(b)
    outs = {tuple(randgen(fst, npath=50, seed=s, weighted=True).weight.tolist())
            for s in range(5)}
    assert len(outs) > 1


def test_remove_total_weight_tropical():
    out = randgen(_two_paths(), npath=400, seed=0, weighted=True, select="log_prob",
                  remove_total_weight=True)
    weights = sorted(w for *_, w in enumerate_paths(out, 3))
    assert abs(weights[0]) < 1e-6          # the most frequent path has weight one
    assert weights[1] > 0.5                # ~ log(3) less likely


def test_errors():
    b = FstBuilder("tropical")
    b.add_states(2)
    b.set_start(0)
    b.add_arc(0, 1, 1, 0.0, 1)
    with pytest.raises(FstOpError, match="no successful path"):
        randgen(b.freeze())
    with pytest.raises(FstOpError, match="max_length"):
        randgen(_two_paths(), max_length=1)
    with pytest.raises(FstArgError):
        randgen(_two_paths(), select="best")
    with pytest.raises(FstOpError):
        randgen(kleene.Fst.empty())


def test_dead_ends_are_not_sampled():
    # uniform: from state 0 half the walks die in a non-final sink; the rest end
    b = FstBuilder("tropical")
    b.add_states(3)
    b.set_start(0)
    b.add_arc(0, 1, 1, 0.0, 1)
    b.add_arc(0, 2, 2, 0.0, 2)
    b.add_arc(2, 2, 2, 0.0, 2)           # non-final self-loop: would never stop
    b.set_final(1)
    out = randgen(b.freeze(), npath=100, seed=5, weighted=True)
    assert sampled_counts(out, 100) == {((1,), (1,)): 100}


@given(fsts(semiring="tropical", max_states=6, max_arcs=14))
def test_arc_map_points_at_the_copied_input_arc_and_props_hold(f):
    try:
        out, arc_map = randgen(f, npath=20, seed=3, max_length=30, return_arc_map=True)
    except FstOpError:
        return  # no successful path to sample
    assert arc_map.shape == (out.num_arcs,)
    np.testing.assert_array_equal(out.ilabel, f.ilabel[arc_map])
    np.testing.assert_array_equal(out.olabel, f.olabel[arc_map])
    assert kleene.verify(out)  # the properties randgen claims are true
