"""encode/decode against pynini's EncodeMapper (same numbering, arc for arc)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kleene
from kleene import FstArgError
from kleene.algorithms.encode import EncodeMapper, decode, encode

from ..helpers import PYNINI_SEMIRINGS, assert_same_fst, fsts, require_pynini

FLAGS = [(True, False), (True, True), (False, True), (False, False)]


@pytest.mark.parametrize("semiring", PYNINI_SEMIRINGS)
@pytest.mark.parametrize("labels,weights", FLAGS)
@given(data=st.data())
def test_encode_matches_pynini(semiring, labels, weights, data):
    pynini = require_pynini()
    a = data.draw(fsts(semiring))
    b = data.draw(fsts(semiring))
    ours = EncodeMapper(encode_labels=labels, encode_weights=weights)
    theirs = pynini.EncodeMapper(a.to_pynini().arc_type(), labels, weights)
    # one mapper for two machines: the table keeps growing in the same order
    for fst in (a, b):
        enc = encode(fst, ours)
        penc = pynini.encode(fst.to_pynini(), theirs)
        assert_same_fst(enc, penc)
        assert_same_fst(decode(enc, ours), pynini.decode(penc, theirs))


@pytest.mark.parametrize("labels,weights", FLAGS)
@given(fst=fsts("tropical"))
def test_decode_inverts_encode_on_trim_machines(labels, weights, fst):
    fst = kleene.connect(fst)
    if np.any((fst.ilabel == 0) & (fst.olabel == 0)):
        # decode folds an ε:ε arc into a dead-end final state into a final
        # weight (OpenFst's RmFinalEpsilon; checked against pynini above),
        # so the round trip is exact on ε-free machines
        fst = kleene.rmepsilon(fst)
    if fst.start < 0:
        return
    mapper = EncodeMapper(encode_labels=labels, encode_weights=weights)
    enc = encode(fst, mapper)
    if labels:
        assert enc.is_acceptor()
    if weights:
        assert enc.has(kleene.Prop.UNWEIGHTED)
    back = decode(enc, mapper)
    assert back.equal(fst, delta=1e-6)


def test_numbering_is_first_appearance():
    fst = kleene.Fst.from_arrays(3, [0, 0, 1], [5, 2, 5], [6, 2, 6], [1.0, 0.0, 1.0],
                                 [1, 2, 2], final=[np.inf, np.inf, 0.0])
    mapper = EncodeMapper()
    enc = encode(fst, mapper)
    assert enc.ilabel.tolist() == [1, 2, 1]
    assert len(mapper) == 2
    i, o, _ = mapper.table()
    assert i.tolist() == [5, 2] and o.tolist() == [6, 2]


def test_errors():
    fst = kleene.Fst.from_arrays(2, [0], [1], [1], [0.0], [1], final=[np.inf, 0.0])
    mapper = EncodeMapper()
    encode(fst, mapper)
    bad = kleene.Fst.from_arrays(2, [0], [7], [7], [0.0], [1], final=[np.inf, 0.0])
    with pytest.raises(FstArgError, match="not in the encode mapper"):
        decode(bad, mapper)
    with pytest.raises(FstArgError, match="semiring|weights"):
        encode(fst.replace(weight=fst.weight.astype(np.float64),
                           final=fst.final.astype(np.float64),
                           semiring=kleene.log64), mapper)
    with pytest.raises(FstArgError):
        encode("abc", mapper)


def test_mapper_write_read_round_trip_and_pynini_reads_it(tmp_path):
    from kleene import FstBuilder
    b = FstBuilder("tropical")
    s, t = b.add_states(2)
    b.set_start(s)
    b.add_arc(s, 1, 2, 0.5, t)
    b.add_arc(s, 3, 3, 1.5, t)
    b.set_final(t, 0.25)
    fst = b.freeze()
    mapper = EncodeMapper(encode_labels=True, encode_weights=True)
    coded = encode(fst, mapper)
    path = tmp_path / "codex"
    mapper.write(path)
    back = EncodeMapper.read(path)
    for ours, theirs in zip(mapper.table(), back.table()):
        np.testing.assert_array_equal(ours, theirs)
    assert decode(coded, back).equal(decode(coded, mapper))
    pynini = require_pynini()
    pmapper = pynini.EncodeMapper.read(str(path))
    pdecoded = pynini.decode(coded.to_pynini(), pmapper)
    assert pynini.isomorphic(pdecoded, decode(coded, mapper).to_pynini())
