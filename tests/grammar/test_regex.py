"""kleene.grammar.regex: the plain-regex subset against Python's ``re``
(fullmatch membership on every short string), weights / cross products /
composition against the same machine built in pynini, replace rules against
pynini.cdrewrite, error columns and precedence."""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import kleene
from kleene import FstArgError, SymbolTable
from kleene.core.properties import Prop
from kleene.grammar.regex import RegexSyntaxError, compile_regex
from kleene.grammar.symbols import BOS, EOS, generated_label

from ..helpers import require_pynini, weights_close

ABC = "abc"
# every string over {a, b, c} up to length 5 (364 strings)
ALL_SHORT = ["".join(p) for n in range(6) for p in itertools.product(ABC, repeat=n)]


# -- a tiny reference: the best weight of a string in an ε-free acceptor --------
def best_weight(fst, labels):
    """⊕-sum (tropical min / log-add) of the weights of ``labels`` in an
    ε-free acceptor, None when it is not accepted."""
    sr = fst.semiring
    if fst.start < 0:
        return None
    current = {fst.start: sr.one_value()}
    for label in labels:
        nxt = {}
        for state, w in current.items():
            lo, hi = fst.indptr[state], fst.indptr[state + 1]
            for a in range(lo, hi):
                if fst.ilabel[a] == label:
                    d = int(fst.nextstate[a])
                    v = sr.times(w, fst.weight[a])
                    nxt[d] = sr.plus(nxt[d], v) if d in nxt else v
        current = nxt
    total = None
    for state, w in current.items():
        if not sr.is_zero(fst.final[state]):
            v = sr.times(w, fst.final[state])
            total = v if total is None else sr.plus(total, v)
    return None if total is None else float(total)


def accepts(fst, text: str) -> bool:
    return best_weight(fst, text.encode()) is not None


def language(fst, strings=ALL_SHORT) -> set:
    assert fst.has(Prop.NO_EPSILONS) and fst.has(Prop.ACCEPTOR)
    return {s for s in strings if accepts(fst, s)}


# -- random patterns valid both here and in Python's re ----------------------------
ATOMS = st.sampled_from(["a", "b", "c", ".", "[ab]", "[^a]", "[a-b]", "[b-c]", "\\.",
                         "()"])


def _quantified(inner):
    quant = st.sampled_from(["*", "+", "?", "{2}", "{0,2}", "{1,3}", "{2,}", "{0}"])
    return st.tuples(inner, quant).map(lambda t: f"({t[0]}){t[1]}")


def _extend(inner):
    return st.one_of(
        _quantified(inner),
        st.tuples(inner, inner).map(lambda t: t[0] + t[1]),
        st.tuples(inner, inner).map(lambda t: f"({t[0]}|{t[1]})"),
        st.tuples(ATOMS, st.sampled_from("*+?")).map(lambda t: t[0] + t[1]),
    )


PATTERNS = st.recursive(ATOMS, _extend, max_leaves=7)


def _re(pattern: str) -> re.Pattern:
    # () is the empty string in both; re has no other spelling differences here
    return re.compile(pattern, re.DOTALL)


@settings(deadline=None)
@given(PATTERNS)
def test_plain_regex_matches_python_re(pattern):
    fst = compile_regex(pattern)
    expected = {s for s in ALL_SHORT if _re(pattern).fullmatch(s)}
    assert language(fst) == expected, pattern
    # an unweighted acceptor comes back deterministic and minimal
    assert fst.has(Prop.I_DETERMINISTIC)


@settings(deadline=None, max_examples=25)
@given(PATTERNS, PATTERNS, st.sampled_from(["&", "-", "~"]))
def test_intersection_difference_complement_match_set_algebra(p, q, op):
    first = {s for s in ALL_SHORT if _re(p).fullmatch(s)}
    second = {s for s in ALL_SHORT if _re(q).fullmatch(s)}
    if op == "~":
        pattern, expected = f"~({p})", set(ALL_SHORT) - first
    elif op == "&":
        pattern, expected = f"({p})&({q})", first & second
    else:
        pattern, expected = f"({p})-({q})", first - second
    assert language(compile_regex(pattern)) == expected, pattern


def test_whitespace_is_ignored_and_quotes_keep_it():
    assert language(compile_regex(" a  b | c ")) == {"ab", "c"}
    fst = compile_regex('"a b"')
    assert accepts(fst, "a b") and not accepts(fst, "ab")
    assert accepts(compile_regex("a\\ b"), "a b")


def test_escapes_and_reserved_punctuation():
    assert accepts(compile_regex("\\.\\*\\-"), ".*-")
    assert accepts(compile_regex('"(a|b)*"'), "(a|b)*")
    assert accepts(compile_regex("\\x41\\u0042"), "AB")
    assert accepts(compile_regex("\\t"), "\t")
    assert accepts(compile_regex('"\\\\"'), "\\")
    assert accepts(compile_regex("\\x5c"), "\\")
    digits = compile_regex("\\d+")
    assert accepts(digits, "0123") and not accepts(digits, "12a")
    assert language(compile_regex("\\D"), list("a1 ")) == {"a", " "}
    assert accepts(compile_regex("[\\]\\-]+"), "]-]")
    assert language(compile_regex("[a-c]{2}"), ALL_SHORT) == \
        {s for s in ALL_SHORT if len(s) == 2}


def test_dot_and_negation_use_the_alphabet():
    fst = compile_regex(".", alphabet="xy")
    # the alphabet plus the symbols the pattern mentions (none here)
    assert language(fst, ["x", "y", "z", ""]) == {"x", "y"}
    fst = compile_regex("[^x] | q", alphabet="xy")
    assert language(fst, ["x", "y", "q", "z"]) == {"y", "q"}
    comp = compile_regex("~(x*)", alphabet="xy")
    assert language(comp, ["", "x", "xx", "y", "xy", "z"]) == {"y", "xy"}
    # default byte alphabet: every byte 1..255
    assert compile_regex(".").num_arcs == 255


def test_utf8_and_byte_token_types():
    # in byte patterns a non-ASCII character is its bytes, repeated as a unit
    fst = compile_regex("é+")
    assert accepts(fst, "éé") and best_weight(fst, "é".encode()[:1]) is None
    utf8 = compile_regex("[à-é]+", token_type="utf8")
    assert best_weight(utf8, [ord("à"), ord("é")]) is not None
    assert best_weight(utf8, [ord("ê")]) is None
    with pytest.raises(RegexSyntaxError, match="utf8"):
        compile_regex("[à-é]")


def test_symbol_table_token_type():
    table = SymbolTable("words", ["<eps>", "the", "big", "small", "dog", "a-b"])
    fst = compile_regex('the (big | small)* dog | "a-b"', token_type=table)
    key = table.key
    assert best_weight(fst, [key("the"), key("big"), key("small"), key("dog")]) is not None
    assert best_weight(fst, [key("a-b")]) is not None
    assert best_weight(fst, [key("the"), key("dog"), key("dog")]) is None
    assert fst.isymbols is table and fst.osymbols is table
    # '.' is any symbol of the table
    assert compile_regex(".", token_type=table).num_arcs == 5
    with pytest.raises(RegexSyntaxError, match="cat"):
        compile_regex("the cat", token_type=table)


def test_generated_symbols_in_quotes():
    fst = compile_regex('"[TOKEN]" a+')
    assert best_weight(fst, [generated_label("TOKEN"), ord("a")]) is not None
    assert accepts(compile_regex('"\\[x\\]"'), "[x]")


# -- precedence -------------------------------------------------------------------------
@pytest.mark.parametrize("pattern, grouped", [
    ("ab|cd", "(ab)|(cd)"),
    ("ab*", "a(b*)"),
    ("a|b-a", "(a|b)-a"),
    ("a|b&b", "(a|b)&b"),
    ("~a b", "(~a)b"),
    ("~a*", "~(a*)"),
    ("a b{2}", "a(b{2})"),
    ("a|b c", "a|(bc)"),
])
def test_precedence_of_acceptor_operators(pattern, grouped):
    assert language(compile_regex(pattern)) == language(compile_regex(grouped))


def _relation(fst, inputs, max_len=6):
    """{input: {output: weight}} of a transducer on a few inputs (outputs
    enumerated by kleene.paths on the composed, acyclic lattice)."""
    out = {}
    for text in inputs:
        lattice = kleene.compose(kleene.accep(text), fst)
        pairs = {}
        if lattice.start >= 0:
            for _, o, w in kleene.paths(lattice, output_token_type="byte"):
                pairs[o] = pairs.get(o, math.inf)
                pairs[o] = min(pairs[o], float(w))
        out[text] = pairs
    return out


@pytest.mark.parametrize("pattern, grouped", [
    ("a:b*", "(a:b)*"),
    ("a:b c", "(a:b)c"),
    ("a:b | c", "(a:b)|c"),
    ("a:b @ b:c | a", "(a:b) @ ((b:c)|a)"),
    ("ab:c", "a(b:c)"),
    ("a<1>b<2>", "(a<1>)(b<2>)"),
])
def test_precedence_of_transducer_operators(pattern, grouped):
    inputs = ["", "a", "aa", "ab", "c", "b", "abc"]
    assert _relation(compile_regex(pattern), inputs) == \
        _relation(compile_regex(grouped), inputs)
    assert _relation(compile_regex("a:b*"), ["aa"]) == {"aa": {"bb": 0.0}}
    assert _relation(compile_regex("a:b @ b:c | a"), ["a"]) == {"a": {"c": 0.0}}


# -- against pynini: weights, cross products, composition -------------------------------
STRINGS = st.text(alphabet="ab", min_size=0, max_size=3)


@st.composite
def weighted_trees(draw, depth=0):
    """(pattern, builder) pairs: builder(pynini) makes the same machine."""
    leaf = depth >= 2 or draw(st.integers(0, 2)) == 0
    if leaf:
        kind = draw(st.sampled_from(["str", "cross", "weighted"]))
        s, t = draw(STRINGS), draw(STRINGS)
        w = draw(st.sampled_from([0.5, 1.0, 2.5]))
        if kind == "str":
            return f'"{s}"', lambda p: p.accep(s)
        if kind == "cross":
            return f'"{s}":"{t}"', lambda p: p.cross(s, t)
        return f'"{s}"<{w}>', lambda p: p.accep(s, weight=w)
    op = draw(st.sampled_from(["|", "concat", "*", "?", "<w>", "@"]))
    a_pat, a_build = draw(weighted_trees(depth + 1))
    if op in ("*", "?"):
        return f"({a_pat}){op}", (lambda p: a_build(p).closure()) if op == "*" else \
            (lambda p: a_build(p).ques)
    if op == "<w>":
        return f"({a_pat})<1.5>", lambda p: p.concat(a_build(p), p.accep("", weight=1.5))
    b_pat, b_build = draw(weighted_trees(depth + 1))
    if op == "|":
        return f"({a_pat})|({b_pat})", lambda p: p.union(a_build(p), b_build(p))
    if op == "@":
        return f"({a_pat})@({b_pat})", lambda p: p.compose(a_build(p), b_build(p))
    return f"({a_pat})({b_pat})", lambda p: p.concat(a_build(p), b_build(p))


@settings(deadline=None)
@given(weighted_trees(), st.sampled_from(["tropical", "log"]))
def test_weighted_transducers_match_pynini(tree, semiring):
    pynini = require_pynini()
    pattern, build = tree
    try:
        ours = compile_regex(pattern, semiring=semiring)
    except kleene.FstOpError as exc:
        # a star over something that accepts "" is an ε-cycle of probability 1:
        # its log-semiring sum diverges, and kleene says so instead of looping
        assert semiring == "log" and "diverge" in str(exc)
        assume(False)
    theirs = build(pynini)
    if semiring == "log":
        theirs = pynini.arcmap(theirs, map_type="to_log")
    ours_p = ours.to_pynini()
    # the same weighted relation: every input's outputs with their weights
    for text in ["", "a", "b", "ab", "ba", "aab"]:
        for machine in (ours_p, theirs):
            assert machine.weight_type() == theirs.weight_type()
        lat_ours = pynini.project(pynini.accep(text, arc_type=ours_p.arc_type()) @ ours_p,
                                  "output").rmepsilon()
        lat_theirs = pynini.project(pynini.accep(text, arc_type=theirs.arc_type())
                                    @ theirs, "output").rmepsilon()
        assert pynini.randequivalent(lat_ours, lat_theirs, npath=20, seed=7,
                                     delta=1e-3) or \
            _same_lattice(pynini, lat_ours, lat_theirs), (pattern, text)


def _same_lattice(pynini, a, b):
    """Equal shortest distances to final of every string the two accept."""
    def table(lat):
        if lat.start() < 0:
            return {}
        det = pynini.determinize(lat) if lat.num_states() else lat
        out = {}
        it = det.paths()
        while not it.done():
            out[it.ostring()] = float(it.weight())
            it.next()
        return out
    ta, tb = table(a), table(b)
    return ta.keys() == tb.keys() and all(weights_close(ta[k], tb[k]) for k in ta)


# -- replace rules against pynini.cdrewrite -----------------------------------------------
RULE_INPUTS = ["".join(p) for n in range(5) for p in itertools.product("abcd", repeat=n)]


def _cdrewrite_available():
    pytest.importorskip("kleene.grammar.cdrewrite")


def _outputs(pynini, fst, text):
    lattice = (pynini.accep(text) @ fst).project("output").rmepsilon()
    if lattice.start() < 0:
        return {}
    lattice = pynini.determinize(lattice)
    out = {}
    it = lattice.paths()
    while not it.done():
        out[it.ostring()] = round(float(it.weight()), 4)
        it.next()
    return out


_BYTE_SIGMA = None


def _pynini_sigma_star(pynini):
    global _BYTE_SIGMA
    if _BYTE_SIGMA is None:
        sigma = pynini.union(*[pynini.accep(f"[{i}]") for i in range(1, 256)])
        _BYTE_SIGMA = sigma.closure().optimize()
    return _BYTE_SIGMA


@pytest.mark.parametrize("marker, direction", [("||", "sim"), ("//", "ltr"),
                                               ("\\\\", "rtl")])
@pytest.mark.parametrize("arrow, mode", [("->", "obl"), ("(->)", "opt")])
@pytest.mark.parametrize("upper, lower, left, right, p_left, p_right", [
    ("a", "b", "a", "", "a", ""),          # directionality shows on aaa
    ("a", "b", "", "a", "", "a"),
    ("a", '""', "b", "b", "b", "b"),        # deletion
    ('""', "c", "a", "b", "a", "b"),        # insertion
    ("ab|b", "d", "^", "", "[BOS]", ""),    # anchors
    ("a+", "c", "", "$|d", "", "[EOS]|d"),
])
def test_replace_rules_match_pynini_cdrewrite(marker, direction, arrow, mode, upper,
                                              lower, left, right, p_left, p_right):
    pynini = require_pynini()
    _cdrewrite_available()
    pattern = f"{upper} {arrow} {lower} {marker} {left} _ {right}"
    ours = compile_regex(pattern).to_pynini()
    p_upper = pynini.union(*[pynini.accep(x) for x in upper.split("|")]) \
        if upper != "a+" else pynini.accep("a").plus
    p_lower = pynini.accep("" if lower == '""' else lower)
    if upper == '""':
        p_upper = pynini.accep("")
    tau = pynini.cross(p_upper, p_lower)
    left_p = pynini.union(*[pynini.accep(x) for x in p_left.split("|")])
    right_p = pynini.union(*[pynini.accep(x) for x in p_right.split("|")])
    theirs = pynini.cdrewrite(tau, left_p, right_p, _pynini_sigma_star(pynini),
                              direction=direction, mode=mode)
    for text in RULE_INPUTS:
        assert _outputs(pynini, ours, text) == _outputs(pynini, theirs, text), \
            (pattern, text)


def test_rule_without_context_and_weighted_rule():
    pynini = require_pynini()
    _cdrewrite_available()
    sigma = _pynini_sigma_star(pynini)
    ours = compile_regex("a -> b<2> | c").to_pynini()
    theirs = pynini.cdrewrite(pynini.cross("a", pynini.union(
        pynini.accep("b", weight=2), "c")), "", "", sigma)
    for text in ["", "a", "aa", "bab", "aca"]:
        assert _outputs(pynini, ours, text) == _outputs(pynini, theirs, text), text


def test_rule_composed_with_another_rule():
    pynini = require_pynini()
    _cdrewrite_available()
    fst = compile_regex("(a -> b) @ (b -> c || _ $)").to_pynini()
    assert _outputs(pynini, fst, "aa") == {"bc": 0.0}
    assert _outputs(pynini, fst, "ab") == {"bc": 0.0}


# -- errors: the column and the caret -----------------------------------------------------
@pytest.mark.parametrize("pattern, column, words", [
    ("(ab", 1, "unbalanced '('"),
    ("ab)", 3, "unbalanced ')'"),
    ("a|", 3, "right-hand side"),
    ("|a", 1, "empty alternative"),
    ("a||b", 2, "context marker"),
    ("*a", 1, "nothing to repeat"),
    ("a{3,1}", 2, "upper bound"),
    ("a{x}", 2, "bad repetition"),
    ("a{2", 2, "unclosed '{'"),
    ("[abc", 1, "unclosed '['"),
    ("[c-a]", 2, "bad range"),
    ("[]", 1, "empty class"),
    ('a"bc', 2, "unclosed '\"'"),
    ("a\\q", 2, "unknown escape"),
    ("a\\", 2, "backslash"),
    ("a#b", 2, "reserved"),
    ("a<x>", 2, "bad weight"),
    ("a_b", 2, "rewrite site"),
    ("^a", 1, "only meaningful in a rule context"),
    ("ab$", 3, "only meaningful in a rule context"),
    ("a -> b || c", 12, "expected '_'"),
    ("a -> b || c _ d, e _ f", 16, "single context"),
    ("a @-> b", 4, "needs a pattern on its left"),
    ("", 1, "empty pattern"),
    ("~(a:b)", 4, "acceptor"),
    ("(a:b)&a", 3, "acceptor"),
    ("a-(b<1>)", 5, "unweighted"),
    ("a{20000}", 2, "repetition bound"),
])
def test_errors_point_at_the_column(pattern, column, words):
    with pytest.raises(RegexSyntaxError) as info:
        compile_regex(pattern)
    err = info.value
    assert words in str(err)
    assert err.column == column, str(err)
    assert err.pattern == pattern
    # the caret line points at the column under the pattern line
    lines = str(err).splitlines()
    assert lines[-2] == "  " + pattern
    assert lines[-1] == "  " + " " * (column - 1) + "^"
    assert isinstance(err, FstArgError) and isinstance(err, ValueError)


def test_bad_arguments():
    with pytest.raises(FstArgError, match="token_type"):
        compile_regex("a", token_type="bytes")
    with pytest.raises(FstArgError, match="str"):
        compile_regex(b"a")
    with pytest.raises(FstArgError, match="alphabet"):
        compile_regex("a", alphabet=[1.5])
    with pytest.raises(FstArgError):
        compile_regex("a", semiring="nope")


def test_determinization_budget_raises_instead_of_blowing_up():
    # (a|b)*a(a|b){12}: the DFA needs 2**13 states
    with pytest.raises(kleene.FstOpError, match="max_states"):
        compile_regex("[ab]*a[ab]{12}", max_states=500)


def test_semirings_and_weights():
    fst = compile_regex("a<1.5>b | a b<0.5>", semiring="tropical")
    assert weights_close(best_weight(fst, b"ab"), 0.5)
    fst = compile_regex("a<1.5>b | a b<0.5>", semiring="log64")
    assert fst.semiring.name == "log" and fst.weight.dtype == np.float64
    expected = -math.log(math.exp(-1.5) + math.exp(-0.5))
    assert weights_close(best_weight(fst, b"ab"), expected)
    assert compile_regex("a<-2>").final.min() == -2 or \
        weights_close(best_weight(compile_regex("a<-2>"), b"a"), -2.0)


def test_bos_eos_stay_out_of_the_alphabet():
    fst = compile_regex('"[BOS]" .', alphabet="x")
    assert best_weight(fst, [BOS, ord("x")]) is not None
    assert best_weight(fst, [BOS, EOS]) is None


def test_direction_markers_read_the_contexts_where_foma_says():
    # a -> b after an a, on "aaa": read on the input (||, \\) both later a's
    # qualify; read on the output (//) the third a follows a rewritten b
    _cdrewrite_available()
    from kleene.grammar.rewrite import rewrites
    assert rewrites("aaa", compile_regex("a -> b || a _")) == ["abb"]
    assert rewrites("aaa", compile_regex("a -> b // a _")) == ["aba"]
    assert rewrites("aaa", compile_regex("a -> b \\\\ a _")) == ["abb"]
    assert rewrites("aaa", compile_regex("a -> b \\\\ _ a")) == ["aba"]
    assert sorted(rewrites("aa", compile_regex("a (->) b"))) == ["aa", "ab", "ba", "bb"]


def test_docs_examples_compile():
    assert accepts(compile_regex("[a-z]+ (\\. [a-z]+)*"), "kleene.grammar")
    assert weights_close(best_weight(compile_regex("colou?r | colour<0.5>"),
                                     b"colour"), 0.0)
    comp = compile_regex("~(x*)", alphabet="xy")
    assert accepts(comp, "xy") and not accepts(comp, "xx")
