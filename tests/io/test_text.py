"""OpenFst text format: printing must equal pynini's ``print()`` byte for byte,
compiling pynini's output must give back the same machine."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kleene
from kleene import Fst, FstBuilder, FstIOError, FstSymbolError, SymbolTable
from kleene.io import text as text_io
from kleene.io.text import (compile_text, format_weight, format_weights, print_fst, read_text,
                             write_text)

from ..helpers import PYNINI_SEMIRINGS, assert_same_fst, fsts, require_pynini

# weights whose printing is delicate: 6 significant digits, exponents, Infinity
ODD_WEIGHTS = [0.0, 1 / 3, 2 / 3, 0.5, 1.5, 3.25, 1e-7, 123456789.0, -2.5e10,
               1e5, 999999.5, 12345.678, -0.75, float("inf")]


@st.composite
def odd_weight_fsts(draw, semiring="tropical"):
    """Random machines whose weights come from ODD_WEIGHTS."""
    sr = kleene.get_semiring(semiring)
    n = draw(st.integers(1, 5))
    b = FstBuilder(sr)
    b.add_states(n)
    b.set_start(draw(st.integers(0, n - 1)))
    for _ in range(draw(st.integers(0, 10))):
        b.add_arc(draw(st.integers(0, n - 1)), draw(st.integers(0, 5)),
                  draw(st.integers(0, 5)), draw(st.sampled_from(ODD_WEIGHTS)),
                  draw(st.integers(0, n - 1)))
    for s in range(n):
        if draw(st.booleans()):
            b.set_final(s, draw(st.sampled_from(ODD_WEIGHTS)))
    return b.freeze()


def _letters(n=6):
    table = SymbolTable("letters")
    table.add_symbol("<eps>", 0)
    for k in range(1, n + 1):
        table.add_symbol(chr(ord("a") + k - 1), k)
    return table


@pytest.mark.parametrize("semiring", PYNINI_SEMIRINGS)
@given(data=st.data())
def test_print_equals_pynini(semiring, data):
    require_pynini()
    fst = data.draw(fsts(semiring=semiring))
    pfst = fst.to_pynini()
    assert print_fst(fst) == pfst.print()
    assert str(fst) == str(pfst)
    assert print_fst(fst, show_weight_one=True) == pfst.print(show_weight_one=True)
    assert print_fst(fst, acceptor=True) == pfst.print(acceptor=True)


@given(fst=odd_weight_fsts())
def test_print_odd_weights_equals_pynini(fst):
    require_pynini()
    pfst = fst.to_pynini()
    assert print_fst(fst) == pfst.print()
    assert print_fst(fst, show_weight_one=True) == pfst.print(show_weight_one=True)


@given(fst=odd_weight_fsts(semiring="log64"))
def test_print_log64_weights_equals_pynini(fst):
    require_pynini()
    assert print_fst(fst) == fst.to_pynini().print()


@pytest.mark.parametrize("semiring", PYNINI_SEMIRINGS)
@given(data=st.data())
def test_compile_pynini_text_gives_same_machine(semiring, data):
    require_pynini()
    fst = data.draw(fsts(semiring=semiring))
    pfst = fst.to_pynini()
    ours = compile_text(pfst.print(), semiring=semiring)
    if fst.start < 0:
        assert ours.num_states == 0
        return
    # fstprint prints isolated non-final states too, so every state comes back
    assert_same_fst(ours, pfst)
    assert ours.semiring == fst.semiring
    assert print_fst(ours) == pfst.print()


def test_compile_matches_pywrapfst_compiler():
    pynini = require_pynini()
    import pywrapfst
    text = "0\t1\t1\t2\t0.5\n1\t2\t3\t4\n1\t0\t0\t0\t1.25\n2\t3.5\n"
    compiler = pywrapfst.Compiler(keep_state_numbering=True)
    compiler.write(text)
    assert_same_fst(compile_text(text), compiler.compile())
    del pynini
    assert print_fst(compile_text(text)) == text


@given(fst=fsts(acceptor=True, num_labels=6))
def test_symbols_round_trip_equals_pynini(fst):
    pynini = require_pynini()
    table = _letters()
    fst = fst.replace(isymbols=table, osymbols=table)
    pfst = fst.to_pynini()
    assert print_fst(fst) == pfst.print()
    assert print_fst(fst, acceptor=True) == pfst.print(acceptor=True)
    back = compile_text(print_fst(fst, acceptor=True), acceptor=fst.is_acceptor(),
                        isymbols=table, osymbols=table)
    if fst.start >= 0:
        assert back.equal(fst)
        assert back.isymbols == table and back.osymbols == table
    del pynini


def test_isolated_non_final_states_are_printed_with_zero_weight():
    b = FstBuilder("tropical")
    b.add_states(3)
    b.set_start(0)
    b.add_arc(0, 1, 1, 0.0, 1)
    fst = b.freeze()
    assert print_fst(fst) == "0\t1\t1\t1\n1\tInfinity\n2\tInfinity\n"
    assert compile_text(print_fst(fst)).equal(fst)


def test_print_with_explicit_tables_and_missing_symbol():
    table = _letters(2)
    fst = compile_text("0 1 1 2\n1 2 3 3 0.5\n2\n")
    with pytest.raises(FstSymbolError, match="label 3"):
        print_fst(fst, isymbols=table, osymbols=table)
    text = print_fst(fst, isymbols=table, osymbols=table, missing_sym="?")
    assert text == "0\t1\ta\tb\n1\t2\t?\t?\t0.5\n2\n"


def test_acceptor_mode_reads_three_columns_and_prints_them():
    fst = compile_text("0 1 3\n1 2 4 0.5\n2 1.5\n", acceptor=True)
    assert fst.is_acceptor()
    np.testing.assert_array_equal(fst.ilabel, fst.olabel)
    assert print_fst(fst, acceptor=True) == "0\t1\t3\n1\t2\t4\t0.5\n2\t1.5\n"
    assert print_fst(fst) == "0\t1\t3\t3\n1\t2\t4\t4\t0.5\n2\t1.5\n"
    # a transducer stays in four columns even when acceptor printing is asked
    tr = compile_text("0 1 3 4\n1\n")
    assert print_fst(tr, acceptor=True) == "0\t1\t3\t4\n1\n"


def test_start_state_is_first_line_source_and_printed_first():
    fst = compile_text("2 0 1 1\n0 1 2 2 0.5\n1\n")
    assert fst.start == 2 and fst.num_states == 3
    assert print_fst(fst) == "2\t0\t1\t1\n0\t1\t2\t2\t0.5\n1\n"
    fst = compile_text("3 0.25\n")
    assert (fst.start, fst.num_states, fst.final_weight(3)) == (3, 4, 0.25)


def test_separators_blank_lines_and_crlf_do_not_matter():
    base = compile_text("0\t1\t1\t2\t0.5\n1\t2\t3\t4\n2\n")
    for variant in ("0 1 1 2 0.5\n1 2  3 4\n2\n", "\n0 1 1 2 0.5\r\n\n1\t 2 3 4\r\n2", 
                    "  0 1 1 2 0.5  \n1 2 3 4\n\t2\t\n\n"):
        assert compile_text(variant).equal(base), variant


def test_empty_text_gives_empty_machine_and_prints_empty():
    fst = compile_text("")
    assert fst.num_states == 0 and fst.start == -1
    assert print_fst(fst) == ""
    assert compile_text("\n \n").num_states == 0


def test_final_listed_twice_keeps_last_weight_and_infinity_means_not_final():
    fst = compile_text("0 1 1 1\n1 0.5\n1 2.5\n0 Infinity\n")
    assert fst.final_weight(1) == 2.5
    assert not fst.is_final(0)
    arcs = compile_text("0 1 1 1 Infinity\n1\n").arcs(0)
    assert math.isinf(arcs[0].weight)


def test_weight_formatting_is_cpp_stream_default():
    # C++ `os << float` with precision 6 is printf's %g
    for value in ODD_WEIGHTS[:-1]:
        assert format_weight(value) == "%g" % value
    assert format_weight(float("inf")) == "Infinity"
    assert format_weight(float("-inf")) == "-Infinity"


def test_symbols_in_compile_and_unknown_symbol_names_line():
    table = _letters(3)
    fst = compile_text("0 1 a b 0.5\n1 2 <eps> c\n2\n", isymbols=table, osymbols=table)
    assert fst.arcs(0)[0][:2] == (1, 2) and fst.arcs(1)[0][:2] == (0, 3)
    assert fst.isymbols is table
    assert compile_text("0 1 a b\n1\n", isymbols=table, osymbols=table,
                        keep_isymbols=False).isymbols is None
    with pytest.raises(FstIOError) as err:
        compile_text("0 1 a b\n1 2 a zz\n2\n", isymbols=table, osymbols=table, source="g.txt")
    assert err.value.line == 2 and "'zz'" in str(err.value) and "g.txt" in str(err.value)
    # acceptor mode uses the input table for both sides
    acc = compile_text("0 1 c\n1\n", acceptor=True, isymbols=table)
    assert acc.osymbols is table and acc.arcs(0)[0][:2] == (3, 3)


@pytest.mark.parametrize("line, fragment", [
    ("0 1 2", "columns"),
    ("0 1 1 1 1 1", "columns"),
    ("a 1 1 1", "not an integer"),
    ("0 1.5 1 1", "not an integer"),
    ("-1 1 1 1", "negative"),
    ("0 1 -3 1", "negative"),
    ("0 1 1 1 abc", "bad weight"),
    ("0 1 1 1 nan", "NaN"),
    ("1 NaN", "NaN"),
    ("0 1 1 1 1_0", "bad weight"),
    ("0 1 x 1", "not an integer"),
    ("0 1 1 4294967296", "32 bits"),
    ("0 2000000 1 1", "max_states"),
    ("0 \u0663 1 1", "not an integer"),  # Arabic-Indic digit: int() would take it
])
def test_malformed_lines_name_source_line_and_problem(line, fragment):
    text = "0 1 1 1 0.5\n\n" + line + "\n1\n"
    with pytest.raises(FstIOError) as err:
        compile_text(text, source="bad.txt")
    assert err.value.line == 3
    assert err.value.path == "bad.txt"
    assert fragment in str(err.value)


def test_max_states_can_be_raised():
    fst = compile_text("0 2000000 1 1\n", max_states=2_000_001)
    assert fst.num_states == 2_000_001


def test_fast_and_line_parsers_agree():
    rng = np.random.default_rng(7)
    n, m = 50, 400
    fst = Fst.from_arrays(n, rng.integers(0, n, m), rng.integers(0, 9, m),
                          rng.integers(0, 9, m), rng.choice([0.0, 0.5, 1 / 3], m),
                          rng.integers(0, n, m),
                          final=np.where(rng.random(n) < 0.3, 0.25, np.inf), start=3)
    text = print_fst(fst)
    fast = compile_text(text)
    lines = text.split("\n")
    slow = text_io._build(text_io._parse_lines_slow(
        lines, acceptor=False, ilookup=text_io._int_lookup, olookup=text_io._int_lookup,
        isym_name=None, osym_name=None, state_limit=10**6, source="s",
        semiring=fst.semiring), fst.semiring, None, None)
    assert fast.equal(slow)
    assert fast.equal(fst, delta=1e-5)


def test_read_and_write_text_files(tmp_path):
    fst = compile_text("0 1 1 2 0.5\n1 1.5\n")
    path = tmp_path / "m.fst.txt"
    write_text(fst, path)
    assert path.read_text() == print_fst(fst)
    assert read_text(path).equal(fst)
    with pytest.raises(FstIOError) as err:
        read_text(tmp_path / "missing.txt")
    assert "missing.txt" in str(err.value)
    (tmp_path / "bad.txt").write_bytes(b"0 1 1 1\n\xff\xfe\n")
    with pytest.raises(FstIOError, match="UTF-8"):
        read_text(tmp_path / "bad.txt")
    (tmp_path / "bad2.txt").write_text("0 1 1 1\n0 1 z 1\n")
    with pytest.raises(FstIOError) as err:
        read_text(tmp_path / "bad2.txt")
    assert err.value.line == 2 and "bad2.txt" in str(err.value)


@settings(max_examples=20)
@given(fst=fsts(semiring="log", max_states=8, max_arcs=20))
def test_print_compile_round_trip_without_pynini(fst):
    text = print_fst(fst, show_weight_one=True)
    back = compile_text(text, semiring="log")
    assert print_fst(back, show_weight_one=True) == text


# -- the numba %g formatter and number scanner --------------------------------------
def _kernel_texts(values):
    from kleene.kernels.text import WEIGHT_WIDTH, format_weight_records
    values = np.asarray(values, np.float64)
    records = np.zeros((values.shape[0], WEIGHT_WIDTH), np.uint8)
    lengths = np.zeros(values.shape[0], np.int64)
    format_weight_records(values, records, lengths)
    return [bytes(records[k, :n]).decode("ascii") if n else None
            for k, n in enumerate(lengths.tolist())]


def _near_ties():
    """Values at and around 6-digit rounding boundaries, decade edges and the
    ends of the float range."""
    out = [0.0, -0.0, 9.9999996, 99999.95, 999999.5, 999999.4999, 123456.5, 123457.5,
           1234565.0, 12345.75, 0.000099999996, 0.0001, 1e-5, 1e5, 1e6, 1e22, 1e23,
           5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
           float(np.float32(1e-45)), float(np.finfo(np.float32).max)]
    for k in range(-324, 309):
        for factor in (1.0, 0.99999949999, 0.9999995, 1.0000005, 0.99999999, 3.14159265):
            out.append(factor * 10.0 ** k)
    return out


@settings(max_examples=300)
@given(value=st.one_of(st.floats(), st.floats(width=32), st.integers(-10**9, 10**9).map(float),
                       st.integers(-10**7, 10**7).map(lambda k: k / 8)))
def test_kernel_formats_like_cpp_percent_g(value):
    got = _kernel_texts([value])[0]
    # None: a rounding tie the kernel leaves to Python's %g
    assert got is None or got == format_weight(value)
    assert format_weights(np.array([value]))[0] == format_weight(value)


def test_kernel_formats_edges_and_ties():
    values = _near_ties()
    values += [-v for v in values]
    got = _kernel_texts(values)
    for value, text in zip(values, got):
        assert text is None or text == format_weight(value), value
    # most values are decided by the kernel; exact ties are not
    assert sum(t is None for t in got) < len(values) // 4
    assert _kernel_texts([123456.5, 0.5])[0] is None
    assert format_weights(np.array(values)) == [format_weight(v) for v in values]
    with np.errstate(over="ignore"):
        singles = np.array(values, np.float32)
    assert format_weights(singles) == [format_weight(v) for v in singles.tolist()]


def test_random_bit_patterns_format_like_python():
    rng = np.random.default_rng(5)
    for dtype, itype in ((np.float64, np.uint64), (np.float32, np.uint32)):
        bits = rng.integers(0, np.iinfo(itype).max, 20000, dtype=itype, endpoint=True)
        values = bits.view(dtype)
        assert format_weights(values) == [format_weight(v) for v in values.tolist()]


@given(weights=st.lists(st.floats(width=32, allow_nan=False), min_size=1, max_size=12),
       log64=st.booleans())
def test_print_any_float_weight_equals_pynini(weights, log64):
    require_pynini()
    semiring = "log64" if log64 else "tropical"
    n = len(weights)
    fst = Fst.from_arrays(n + 1, np.arange(n), np.ones(n, np.int64), np.full(n, 2),
                          np.array(weights), np.arange(1, n + 1),
                          final=np.array(weights + [0.5]), start=0, semiring=semiring)
    assert print_fst(fst) == fst.to_pynini().print()
    assert print_fst(fst, show_weight_one=True) == fst.to_pynini().print(show_weight_one=True)


def _kernel_parse(token: str):
    from kleene.kernels.text import WEIGHT_PARSED, _parse_float
    data = np.frombuffer(token.encode("ascii"), np.uint8)
    value, status = _parse_float(data, 0, data.shape[0])
    return value if status == WEIGHT_PARSED else None


@st.composite
def decimal_tokens(draw):
    """Weight tokens as people and printers write them."""
    sign = draw(st.sampled_from(["", "-", "+"]))
    whole = draw(st.text("0123456789", min_size=0, max_size=12))
    frac = draw(st.text("0123456789", min_size=0, max_size=12))
    body = whole + ("." + frac if draw(st.booleans()) or not whole else "")
    if not any(c.isdigit() for c in body):
        body = "0" + body
    if draw(st.booleans()):
        body += draw(st.sampled_from("eE")) + draw(st.sampled_from(["", "-", "+"])) + str(
            draw(st.integers(0, 330)))
    return sign + body


@settings(max_examples=400)
@given(token=st.one_of(decimal_tokens(), st.floats(allow_nan=False).map(repr),
                       st.floats(width=32, allow_nan=False).map(format_weight),
                       st.floats(allow_nan=False).map(lambda v: "%.17g" % v),
                       st.sampled_from(["inf", "-Infinity", "INF", "+iNfInItY", "nan", "1e",
                                        ".", "-", "1.5.3", "0x10", "1_0", "infinit"])))
def test_kernel_parses_weights_exactly_like_float(token):
    got = _kernel_parse(token)
    if got is None:  # left to float(): the caller's path
        return
    expected = float(token)
    assert got == expected and math.copysign(1, got) == math.copysign(1, expected), token
    assert np.float32(got) == np.float32(expected)


def test_kernel_fast_path_covers_printed_weights():
    values = np.random.default_rng(3).standard_normal(2000) * 10.0 ** np.arange(-10, 10).repeat(100)
    tokens = format_weights(values.astype(np.float32)) + ["Infinity", "-Infinity", "0", "-0"]
    for token in tokens:
        assert _kernel_parse(token) == float(token), token


@pytest.mark.parametrize("semiring", ["tropical", "log64"])
def test_compile_reads_any_weight_spelling_like_the_line_parser(semiring):
    spellings = ["0.5", "+0.5", ".5", "5e-1", "5E-01", "0.50000000000000000001", "1e999",
                 "-1e-400", "inf", "-INFINITY", "123456789012345678", "1.", "0001.25",
                 "4.9406564584124654e-324", "1.7976931348623157e308", "-0", "1e22", "1e23",
                 "0.1", "3.4028235e38", "3.4028236e38"]
    text = "".join(f"0\t1\t1\t2\t{w}\n" for w in spellings) + "1\t0.1\n" + "2 1e-45\n"
    sr = kleene.get_semiring(semiring)
    fst = compile_text(text, semiring=semiring)
    with np.errstate(over="ignore"):
        expected = np.array([float(w) for w in spellings]).astype(sr.dtype)
    np.testing.assert_array_equal(fst.weight, expected)
    assert fst.final_weight(1) == sr.dtype(0.1)
    assert fst.final_weight(2) == sr.dtype(1e-45)
    cols = text_io._parse_lines_slow(
        text.split("\n"), acceptor=False, ilookup=text_io._int_lookup,
        olookup=text_io._int_lookup, isym_name=None, osym_name=None, state_limit=10,
        source="s", semiring=sr)
    assert fst.equal(text_io._build(cols, sr, None, None))


@given(fst=odd_weight_fsts(), symbols=st.booleans())
def test_printed_text_takes_the_fast_parser(fst, symbols):
    # no silent fallback to the line parser for fstprint's own output
    table = _letters() if symbols else None
    text = print_fst(fst, isymbols=table, osymbols=table)
    cols = text_io._parse_lines_fast(text, acceptor=False, isymbols=table, osymbols=table,
                                     state_limit=100, semiring=fst.semiring)
    if fst.start >= 0:
        assert cols.start == fst.start
        back = text_io._build(cols, fst.semiring, table, table)
        assert print_fst(back, isymbols=table, osymbols=table) == text
