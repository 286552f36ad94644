"""accep, cross, string_map, string_file and escape against pynini."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, strategies as st

import kleene
from kleene.errors import FstArgError, FstIOError
from kleene.grammar.builders import accep, cross, escape, string_file, string_map
from kleene.grammar.symbols import generated_label

from ..helpers import assert_isomorphic, fsts, require_pynini, weights_close

# short strings over a small alphabet, with a non-ASCII letter (two bytes)
texts = st.text(alphabet="abcé ", max_size=5)
weights = st.sampled_from([None, 0.0, 1.5, -2.0, 3.25])


def _path_dict(fst, semiring_plus):
    """{(input, output): ⊕-summed weight} of an acyclic machine."""
    result = {}
    for i, o, w in kleene.paths(fst):
        key = (i, o)
        result[key] = semiring_plus(result[key], w) if key in result else w
    return result


def _pynini_paths(p):
    result = {}
    it = p.paths()
    while not it.done():
        key = (it.istring(), it.ostring())
        assert key not in result, "compare ε-free, functional-per-pair machines only"
        result[key] = float(it.weight())
        it.next()
    return result


def _pynini_shapes_string_maps_as_kleene(pynini) -> bool:
    """pynini 2.1.7 builds string maps as kleene does (outputs pushed onto the
    input trie); 2.1.6 (pinned by nemo-text-processing) spells each output
    after an extra ε arc. Against the older one, compare the relation."""
    version = tuple(int(x) for x in pynini.__version__.split(".")[:3] if x.isdigit())
    return version >= (2, 1, 7)


def assert_same_string_map(ours, theirs):
    """Isomorphic to pynini's string map (pynini >= 2.1.7), else the same
    (input, output) -> weight relation."""
    import pynini
    if _pynini_shapes_string_maps_as_kleene(pynini):
        assert ours.num_states == theirs.num_states()
        assert_isomorphic(ours, theirs)
        return
    want = {}
    for i, o, w in theirs.paths().items():
        want[(i, o)] = min(want.get((i, o), math.inf), float(w))
    got = _path_dict(ours, min)
    assert got.keys() == want.keys()
    assert all(weights_close(w, want[k]) for k, w in got.items())


def _log_plus(a, b):
    return min(a, b) - math.log1p(math.exp(-abs(a - b)))


@given(texts, weights)
def test_accep_matches_pynini(text, weight):
    pynini = require_pynini()
    assert_isomorphic(accep(text, weight=weight),
                      pynini.accep(text, weight=weight) if weight is not None
                      else pynini.accep(text))


def test_accep_generated_symbols_and_brackets():
    pynini = require_pynini()
    fst = accep("x[TOKEN]y[BOS]")
    assert fst.ilabel.tolist() == [ord("x"), generated_label("TOKEN"), ord("y"), 0xF8FE]
    # whitespace inside brackets separates symbols, as in pynini
    assert accep("[ab c]").ilabel.tolist() == [generated_label("ab"), ord("c")]
    assert accep("[97 98]").ilabel.tolist() == [97, 98]
    assert_isomorphic(accep("[a b]"), pynini.accep("[a b]"))
    with pytest.raises(FstArgError):
        accep("[]")
    with pytest.raises(FstArgError):
        accep(3)


def test_accep_token_types_and_semiring():
    pynini = require_pynini()
    assert_isomorphic(accep("é", token_type="utf8", semiring="log", weight=2),
                      pynini.accep("é", token_type="utf8", arc_type="log", weight=2))


@given(texts, texts, weights)
def test_cross_of_strings_matches_pynini(upper, lower, weight):
    pynini = require_pynini()
    ours = cross(upper, lower, weight=weight)
    theirs = pynini.cross(upper, lower)
    if weight is not None:
        # the weight goes on pynini's one final state
        final = [s for s in theirs.states() if theirs.final(s) != pynini.Weight.zero("tropical")]
        theirs = theirs.copy().set_final(final[0], weight)
    assert_isomorphic(ours, theirs)


@given(fsts(acceptor=True, max_states=4, max_arcs=5, num_labels=3, acyclic=True),
       fsts(acceptor=True, max_states=4, max_arcs=5, num_labels=3, acyclic=True))
def test_cross_of_machines_same_relation_as_pynini(upper, lower):
    # same (input, output, weight) relation; the structure differs from
    # pynini's where pynini merges parallel arcs with equal labels
    pynini = require_pynini()
    ours = _path_dict(cross(upper, lower), min)
    theirs = {}
    p = pynini.cross(upper.to_pynini(), lower.to_pynini())
    it = p.paths()
    while not it.done():
        key = (it.istring(), it.ostring())
        theirs[key] = min(theirs.get(key, float("inf")), float(it.weight()))
        it.next()
    assert ours.keys() == theirs.keys()
    assert all(weights_close(w, theirs[k]) for k, w in ours.items())


@given(texts, texts)
def test_cross_machine_and_string_log(upper, lower):
    pynini = require_pynini()
    up = accep(upper, semiring="log") | accep(lower, semiring="log")
    assert_isomorphic(cross(up, lower), pynini.cross(up.to_pynini(), lower))


def test_cross_transducers_act_as_projections():
    pynini = require_pynini()
    t = cross("ab", "x")
    assert_isomorphic(cross(t, t), pynini.cross(pynini.cross("ab", "x"),
                                                pynini.cross("ab", "x")))


def test_cross_rejects_mixed_semirings_and_bad_types():
    with pytest.raises(FstArgError):
        cross(accep("a", semiring="log"), accep("b"))
    with pytest.raises(FstArgError):
        cross(1, "b")
    with pytest.raises(FstArgError):
        cross("a", "b", weight="heavy")


entries = st.lists(st.one_of(
    st.text(alphabet="abc", max_size=3),
    st.tuples(st.text(alphabet="abc", max_size=3), st.text(alphabet="xyz", max_size=3)),
    st.tuples(st.text(alphabet="abc", max_size=3), st.text(alphabet="xyz", max_size=3),
              st.sampled_from(["1", "-1.5", "2.25", "0"]))), max_size=8)


@given(entries)
def test_string_map_isomorphic_to_pynini(lines):
    pynini = require_pynini()
    assert_same_string_map(string_map(lines), pynini.string_map(lines))


@given(entries)
def test_string_map_log_weights_match_pynini(lines):
    pynini = require_pynini()
    ours = _path_dict(string_map(lines, semiring="log"), _log_plus)
    theirs = _pynini_paths(pynini.string_map(lines, arc_type="log").rmepsilon())
    assert ours.keys() == theirs.keys()
    for key, w in ours.items():
        assert weights_close(w, theirs[key]), (key, w, theirs[key])


def test_string_map_dict_tokens_and_generated():
    pynini = require_pynini()
    # a dict maps keys to values (pynini iterates a dict's keys only, making
    # an acceptor of them; kleene deviates on purpose)
    mapping = {"a": "x", "bb": "yy"}
    assert_same_string_map(string_map(mapping), pynini.string_map(mapping.items()))
    assert_same_string_map(string_map({"a": ("x", 2.0)}), pynini.string_map([("a", "x", "2")]))
    tagged = string_map([("é", "[TAG]x")], input_token_type="utf8")
    assert tagged.ilabel.tolist() == [233, 0]
    assert tagged.olabel.tolist() == [generated_label("TAG"), ord("x")]
    assert string_map([]).num_states == 0


def test_string_map_symbol_tables():
    table = kleene.SymbolTable()
    for sym in ("<eps>", "cat", "dog"):
        table.add_symbol(sym)
    fst = string_map([("cat dog", "dog")], input_token_type=table,
                     output_token_type=table)
    assert fst.isymbols is table and fst.osymbols is table
    assert list(kleene.paths(fst, input_token_type=table, output_token_type=table)) == [
        ("cat dog", "dog", 0.0)]


@pytest.mark.parametrize("bad", [[("a", "b", "c", "d")], [("a", "b", "zz")], [3],
                                 [("a", 1)], "abc", 5])
def test_string_map_errors(bad):
    with pytest.raises(FstArgError):
        string_map(bad)


def test_string_file_matches_pynini(tmp_path):
    pynini = require_pynini()
    path = tmp_path / "map.tsv"
    path.write_text("a\tx\t1.5\nab\ty\n\nabc\nb\tz\t-2\nab\tw\t0.5\n", encoding="utf-8")
    assert_same_string_map(string_file(path), pynini.string_file(str(path)))
    ours = _path_dict(string_file(path, semiring="log"), _log_plus)
    theirs = _pynini_paths(pynini.string_file(str(path), arc_type="log").rmepsilon())
    assert ours.keys() == theirs.keys()
    assert all(weights_close(w, theirs[k]) for k, w in ours.items())


@pytest.mark.parametrize("content, line", [("a\tb\nc\td\te\tf\n", 2), ("a\tb\tfoo\n", 1),
                                           ("ok\n\nx[\ty\n", 3)])
def test_string_file_malformed_line(tmp_path, content, line):
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FstIOError, match=rf"bad\.tsv:{line}:"):
        string_file(path)


def test_string_file_missing(tmp_path):
    with pytest.raises(FstIOError, match="cannot read"):
        string_file(tmp_path / "absent.tsv")


@given(st.text(alphabet="ab[]\\", max_size=8))
def test_escape_matches_pynini_and_round_trips(text):
    pynini = require_pynini()
    assert escape(text) == pynini.escape(text)
    assert accep(escape(text)).string() == text
