"""paths(): differential against pynini's Fst.paths() (StringPathIterator)."""

from __future__ import annotations

import itertools
import time

import pytest
from hypothesis import given, strategies as st

import kleene
from kleene import FstArgError, FstBuilder, FstOpError, FstSymbolError, SymbolTable
from kleene.algorithms.paths import path_list, paths
from kleene.core.strings import accep

from ..helpers import (ALL_SEMIRING_NAMES, PYNINI_SEMIRINGS, fsts, require_pynini,
                       weights_close)

PRINTABLE = list(range(33, 127))  # printable ASCII: one byte, valid UTF-8


@st.composite
def printable_acyclic_fsts(draw, semiring="tropical", max_states=7, max_arcs=14):
    """Random acyclic, co-accessible machines (arcs go to higher states, so
    the machine is acyclic whatever the start) with epsilons, several final
    states and labels that decode in byte mode.

    Co-accessible because pynini's PathIterator assumes a connected machine:
    at a non-final state without arcs it yields the unfinished path (see
    test_pynini_yields_dead_ends_kleene_does_not)."""
    sr = kleene.get_semiring(semiring)
    n = draw(st.integers(1, max_states))
    b = FstBuilder(sr)
    b.add_states(n)
    b.set_start(draw(st.integers(0, n - 1)))
    label = st.one_of(st.just(0), st.sampled_from(PRINTABLE))
    weight = st.sampled_from([0.0, 0.5, 1.0, 2.25, 3.0])
    for _ in range(draw(st.integers(0, max_arcs))):
        s = draw(st.integers(0, n - 1))
        if s == n - 1:
            continue
        b.add_arc(s, draw(label), draw(label), draw(weight), draw(st.integers(s + 1, n - 1)))
    fst_so_far = b.freeze()
    degree = fst_so_far.indptr[1:] - fst_so_far.indptr[:-1]
    for s in range(n):
        # a state without arcs must be final; every other state then reaches
        # one (by induction from the last state down)
        if degree[s] == 0 or draw(st.integers(0, 2)) == 0:
            b.set_final(s, draw(weight))
    return b.freeze()


def _pynini_items(pfst, **kwargs):
    return [(i, o, float(str(w))) for i, o, w in pfst.paths(**kwargs).items()]


def _assert_same_items(ours, theirs):
    assert [(i, o) for i, o, _ in ours] == [(i, o) for i, o, _ in theirs]
    for (_, _, a), (_, _, b) in zip(ours, theirs):
        assert weights_close(a, b), (a, b)


@pytest.mark.parametrize("semiring", PYNINI_SEMIRINGS)
@given(data=st.data())
def test_paths_match_pynini_in_order(semiring, data):
    require_pynini()
    fst = data.draw(printable_acyclic_fsts(semiring))
    _assert_same_items(list(paths(fst)), _pynini_items(fst.to_pynini()))


@given(fst=fsts(acyclic=True, num_labels=6, no_start_ok=True))
def test_paths_match_pynini_on_connected_helper_machines(fst):
    # labels 1..6 are control characters: still one byte of valid UTF-8.
    # pynini's connect() keeps the surviving arcs in order, and kleene never
    # enters dead ends, so both enumerate the same successful paths.
    require_pynini()
    _assert_same_items(list(fst.paths()), _pynini_items(fst.to_pynini().connect()))


def test_pynini_yields_dead_ends_kleene_does_not():
    # 0 -a-> 1 (not final, no arcs), 0 -b-> 2 (final): pynini also reports
    # the unfinished path "a"; kleene yields successful paths only
    b = FstBuilder()
    b.add_states(3)
    b.set_start(0)
    b.add_arc(0, 97, 97, 1.0, 1)
    b.add_arc(0, 98, 98, 1.0, 2)
    b.set_final(2, 0.5)
    fst = b.freeze()
    require_pynini()
    unconnected = _pynini_items(fst.to_pynini())
    connected = _pynini_items(fst.to_pynini().connect())
    assert len(unconnected) == len(connected) + 1
    _assert_same_items(list(paths(fst)), connected)


@given(fst=printable_acyclic_fsts(), token_type=st.sampled_from(["byte", "utf8"]))
def test_paths_token_types_match_pynini(fst, token_type):
    require_pynini()
    ours = list(paths(fst, input_token_type=token_type, output_token_type="utf8"))
    theirs = _pynini_items(fst.to_pynini(), input_token_type=token_type,
                           output_token_type="utf8")
    _assert_same_items(ours, theirs)


@given(fst=printable_acyclic_fsts())
def test_paths_with_symbol_tables_match_pynini(fst):
    pynini = require_pynini()
    ours_in, ours_out = SymbolTable("in"), SymbolTable("out")
    theirs_in, theirs_out = pynini.SymbolTable("in"), pynini.SymbolTable("out")
    for key in [0] + PRINTABLE:
        for table, prefix in ((ours_in, "i"), (theirs_in, "i"),
                              (ours_out, "o"), (theirs_out, "o")):
            table.add_symbol(f"{prefix}{key}" if key else "<eps>", key)
    ours = list(paths(fst, input_token_type=ours_in, output_token_type=ours_out))
    theirs = _pynini_items(fst.to_pynini(), input_token_type=theirs_in,
                           output_token_type=theirs_out)
    _assert_same_items(ours, theirs)


def test_paths_weight_is_product_of_arcs_and_final():
    b = FstBuilder("log")
    b.add_states(3)
    b.set_start(0)
    b.add_arc(0, 97, 120, 0.5, 1)
    b.add_arc(1, 0, 121, 1.25, 2)
    b.set_final(2, 2.0)
    (item,) = paths(b.freeze())
    assert item == ("a", "xy", 3.75)


def test_paths_of_strings_union_are_the_strings():
    b = FstBuilder()
    words = ["cat", "dog", "", "héllo"]
    start = b.add_state()
    b.set_start(start)
    for w, word in zip([1.0, 2.0, 3.0, 4.0], words):
        data = word.encode()
        prev = start
        for k, byte in enumerate(data):
            nxt = b.add_state()
            b.add_arc(prev, byte, byte, 0.0, nxt)
            prev = nxt
        if prev == start:
            b.set_final(start, w)
        else:
            b.set_final(prev, w)
    got = list(paths(b.freeze()))
    # the start state's own path comes first, then the arcs in order
    assert got == [("", "", 3.0), ("cat", "cat", 1.0), ("dog", "dog", 2.0),
                   ("héllo", "héllo", 4.0)]


def test_cyclic_raises_like_pynini():
    pynini = require_pynini()
    looped = accep("ab").to_builder()
    looped.add_arc(2, 97, 97, 0.0, 0)
    looped = looped.freeze()
    with pytest.raises(pynini.FstOpError):
        looped.to_pynini().paths()
    with pytest.raises(FstOpError, match="acyclic"):
        paths(looped)
    # a cycle off every path still counts, as in OpenFst
    unreachable = accep("ab").to_builder()
    s = unreachable.add_state()
    unreachable.add_arc(s, 97, 97, 0.0, s)
    unreachable = unreachable.freeze()
    with pytest.raises(pynini.FstOpError):
        unreachable.to_pynini().paths()
    with pytest.raises(FstOpError, match="acyclic"):
        paths(unreachable)


@given(fst=printable_acyclic_fsts(), max_paths=st.integers(0, 6))
def test_max_paths_is_a_prefix(fst, max_paths):
    everything = list(paths(fst))
    assert list(paths(fst, max_paths=max_paths)) == everything[:max_paths]
    assert path_list(fst, max_paths=max_paths) == everything[:max_paths]


def test_bad_arguments():
    f = accep("ab")
    with pytest.raises(FstArgError, match="max_paths"):
        paths(f, max_paths=-1)
    with pytest.raises(FstArgError, match="max_paths"):
        paths(f, max_paths=1.5)
    with pytest.raises(FstArgError, match="token_type"):
        paths(f, input_token_type="latin1")
    with pytest.raises(FstArgError, match="kleene.Fst"):
        paths("ab")


def test_empty_machine_has_no_paths():
    assert list(paths(kleene.Fst.empty())) == []


def test_undecodable_labels_raise_when_reached():
    f = accep("[200]")
    it = paths(f)
    with pytest.raises(FstArgError, match="UTF-8"):
        next(it)
    table = SymbolTable("t", ["<eps>", "a"])
    with pytest.raises(FstSymbolError, match="200"):
        list(paths(f, input_token_type=table))


def test_long_string_no_recursion_limit():
    text = "abcdefghij" * 5000
    assert list(paths(accep(text, weight=1.5))) == [(text, text, 1.5)]


def test_lazy_on_exponentially_many_paths():
    # 2**40 paths: only what is consumed is enumerated
    n = 40
    b = FstBuilder()
    b.add_states(n + 1)
    b.set_start(0)
    for s in range(n):
        b.add_arc(s, 97, 97, 0.0, s + 1)
        b.add_arc(s, 98, 98, 1.0, s + 1)
    b.set_final(n)
    t0 = time.perf_counter()
    first = list(itertools.islice(paths(b.freeze()), 3))
    assert time.perf_counter() - t0 < 5.0
    assert [i for i, _, _ in first] == ["a" * 40, "a" * 39 + "b", "a" * 38 + "ba"]
    assert [w for _, _, w in first] == [0.0, 1.0, 1.0]


def test_dead_ends_are_not_explored():
    # a binary tree of 2**40 dead-end paths hangs off the start; the one
    # successful path must still come out at once
    n = 40
    b = FstBuilder()
    b.add_states(n + 2)
    b.set_start(0)
    for s in range(n):
        b.add_arc(s, 97, 97, 0.0, s + 1)
        b.add_arc(s, 98, 98, 0.0, s + 1)
    good = n + 1
    b.add_arc(0, 99, 99, 0.0, good)
    b.set_final(good)
    t0 = time.perf_counter()
    assert list(paths(b.freeze())) == [("c", "c", 0.0)]
    assert time.perf_counter() - t0 < 5.0


def test_method_and_lazy_export_resolve():
    assert kleene.paths is paths
    assert list(accep("xy").paths()) == [("xy", "xy", 0.0)]


def test_many_paths_across_kernel_batches_match_pynini():
    # 3**6 = 729 paths: several kernel batches of growing size
    require_pynini()
    n = 6
    b = FstBuilder("log")
    b.add_states(n + 1)
    b.set_start(0)
    for s in range(n):
        for k, (i, o) in enumerate([(97, 120), (98, 0), (0, 121)]):
            b.add_arc(s, i, o, 0.25 * (k + s), s + 1)
    b.set_final(n, 0.5)
    b.set_final(3, 1.0)
    fst = b.freeze()
    theirs = _pynini_items(fst.to_pynini())
    assert len(theirs) == 3**6 + 3**3
    _assert_same_items(list(paths(fst)), theirs)
    for limit in (15, 16, 17, 100, 2000):
        _assert_same_items(list(paths(fst, max_paths=limit)), theirs[:limit])


def test_bad_path_raises_after_earlier_paths_are_yielded():
    b = FstBuilder()
    b.add_states(2)
    b.set_start(0)
    for label in (97, 200, 98):   # the lone byte 200 is not UTF-8
        b.add_arc(0, label, label, 0.0, 1)
    b.set_final(1)
    it = paths(b.freeze())
    assert next(it) == ("a", "a", 0.0)
    with pytest.raises(FstArgError, match="UTF-8"):
        next(it)
    assert [i for i, _, _ in paths(b.freeze(), input_token_type="utf8",
                                   output_token_type="utf8")] == ["a", "\xc8", "b"]


def _reference_paths(fst):
    """Obviously correct recursive enumeration (successful paths only)."""
    sr = fst.semiring
    out = []

    def visit(s, ilabels, olabels, w):
        if fst.is_final(s):
            out.append((ilabels, olabels, float(sr.times(w, fst.final_weight(s)))))
        for arc in fst.arcs(s):
            visit(arc.nextstate, ilabels + [arc.ilabel], olabels + [arc.olabel],
                  sr.times(w, arc.weight))

    if fst.start >= 0:
        visit(fst.start, [], [], sr.one_value())
    return [("".join(chr(i) for i in il if i), "".join(chr(o) for o in ol if o), w)
            for il, ol, w in out]


@pytest.mark.parametrize("semiring", ALL_SEMIRING_NAMES)
@given(data=st.data())
def test_paths_match_reference_in_every_semiring(semiring, data):
    fst = data.draw(fsts(semiring, acyclic=True, num_labels=5, no_start_ok=True))
    ours = list(paths(fst))
    _assert_same_items(ours, _reference_paths(fst))


def test_paths_print_generated_symbols_by_name():
    from kleene.grammar import generated_name, to_fst
    fst = to_fst("a[BOS]b[SOME_TAG]")
    ((inp, out, weight),) = list(kleene.paths(fst, generated=generated_name))
    assert inp == out == "a[BOS]b[SOME_TAG]" and weight == 0.0
    with pytest.raises(kleene.FstArgError):
        list(kleene.paths(fst))  # without names the labels are not bytes
