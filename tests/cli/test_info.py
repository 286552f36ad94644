"""``kleene info``: counts against numpy, property lines against pynini's
(OpenFst's) computed properties on random machines."""

from __future__ import annotations

import numpy as np
from hypothesis import given

from kleene.cli.info import format_info, info_lines

from ..helpers import fsts, require_pynini

# fstinfo line -> pynini property flag name
PROPERTY_LINES = {
    "acceptor": "ACCEPTOR", "input deterministic": "I_DETERMINISTIC",
    "output deterministic": "O_DETERMINISTIC", "input/output epsilons": "EPSILONS",
    "input epsilons": "I_EPSILONS", "output epsilons": "O_EPSILONS",
    "input label sorted": "I_LABEL_SORTED", "output label sorted": "O_LABEL_SORTED",
    "weighted": "WEIGHTED", "cyclic": "CYCLIC",
    "cyclic at initial state": "INITIAL_CYCLIC", "top sorted": "TOP_SORTED",
    "accessible": "ACCESSIBLE", "coaccessible": "COACCESSIBLE", "string": "STRING",
    "weighted cycles": "WEIGHTED_CYCLES",
}


@given(fsts(max_states=7, max_arcs=14))
def test_property_lines_match_openfst(fst):
    pynini = require_pynini()
    pfst = fst.to_pynini()
    lines = dict(info_lines(fst))
    for line, flag in PROPERTY_LINES.items():
        bit = getattr(pynini, flag)
        expected = "y" if pfst.properties(bit, True) == bit else "n"
        assert lines[line] == expected, (line, lines[line], expected, str(pfst))


@given(fsts(max_states=7, max_arcs=14))
def test_counts(fst):
    lines = dict(info_lines(fst))
    assert lines["# of states"] == str(fst.num_states)
    assert lines["# of arcs"] == str(fst.num_arcs)
    assert lines["initial state"] == str(fst.start)
    nfinal = sum(fst.is_final(s) for s in fst.states())
    assert lines["# of final states"] == str(nfinal)
    both = sum(a.ilabel == 0 and a.olabel == 0 for s in fst.states() for a in fst.arcs(s))
    assert lines["# of input/output epsilons"] == str(both)
    assert lines["# of input epsilons"] == str(int((fst.ilabel == 0).sum()))
    assert int(lines["# of connected states"]) <= int(lines["# of accessible states"])
    assert int(lines["# of strongly conn components"]) <= max(fst.num_states, 0)


@given(fsts(max_states=7, max_arcs=14))
def test_reachability_counts_match_pynini_connect(fst):
    require_pynini()
    lines = dict(info_lines(fst))
    connected = fst.to_pynini().connect()
    assert int(lines["# of connected states"]) == connected.num_states()


def test_layout_is_fstinfo_style():
    from kleene import FstBuilder
    b = FstBuilder("log")
    b.add_states(2)
    b.set_start(0)
    b.add_arc(0, 1, 1, 0.5, 1)
    b.set_final(1)
    text = format_info(b.freeze())
    rows = text.splitlines()
    assert rows[0] == "fst type".ljust(50) + "vector"
    assert rows[1] == "arc type".ljust(50) + "log"
    assert rows[2] == "input symbol table".ljust(50) + "none"
    assert "input label multiplicity".ljust(50) + "1" in rows
    assert all(len(r) > 50 and r[:50].rstrip() for r in rows)


def test_multiplicity_counts_repeated_labels():
    from kleene import FstBuilder
    b = FstBuilder()
    b.add_states(2)
    b.set_start(0)
    for label in (1, 1, 2):  # label 1 twice at state 0: (2*2 + 1*1) / 3
        b.add_arc(0, label, 3, 0.0, 1)
    b.set_final(1)
    lines = dict(info_lines(b.freeze()))
    assert np.isclose(float(lines["input label multiplicity"]), 5 / 3, rtol=1e-5)
    assert lines["output label multiplicity"] == "3"
