import numpy as np
import pytest
from hypothesis import given, strategies as st

import kleene
from kleene import Fst, Prop, Props, SymbolTable

from ..helpers import ALL_SEMIRING_NAMES, PYNINI_SEMIRINGS, fsts, require_pynini


@pytest.mark.parametrize("semiring", PYNINI_SEMIRINGS)
@given(data=st.data())
def test_agrees_with_pynini(semiring, data):
    require_pynini()
    fst = data.draw(fsts(semiring, no_start_ok=True))
    assert kleene.verify(fst) == fst.to_pynini().verify()


@pytest.mark.parametrize("semiring", ALL_SEMIRING_NAMES)
def test_sane_machines(semiring):
    assert kleene.verify(Fst.empty(semiring))
    fst = Fst.from_arrays(2, [0, 1], [1, 0], [2, 0], [1.0, 1.0], [1, 1],
                          final=[0.0, 1.0], semiring=semiring)
    assert kleene.verify(fst)


def _raw(**changes):
    """A machine assembled without validation, so it can be broken."""
    fields = dict(indptr=np.array([0, 1, 1]), ilabel=np.array([1], np.int32),
                  olabel=np.array([1], np.int32), nextstate=np.array([1], np.int32),
                  weight=np.array([0.5], np.float32),
                  final=np.array([np.inf, 0.0], np.float32), start=0)
    fields.update(changes)
    return Fst(**fields, semiring="tropical", check=False)


def test_insane_machines():
    assert kleene.verify(_raw())
    assert not kleene.verify(_raw(start=-1))             # states but no start
    assert not kleene.verify(_raw(start=2))              # start out of range
    assert not kleene.verify(_raw(nextstate=np.array([2], np.int32)))
    assert not kleene.verify(_raw(nextstate=np.array([-1], np.int32)))
    assert not kleene.verify(_raw(ilabel=np.array([-3], np.int32)))
    assert not kleene.verify(_raw(olabel=np.array([-3], np.int32)))
    assert not kleene.verify(_raw(weight=np.array([np.nan], np.float32)))
    assert not kleene.verify(_raw(weight=np.array([-np.inf], np.float32)))
    assert not kleene.verify(_raw(final=np.array([np.nan, 0.0], np.float32)))
    assert not kleene.verify(_raw(indptr=np.array([0, 2, 1])))
    assert not kleene.verify("not a machine")


def test_symbol_tables_and_stored_properties():
    fst = _raw()
    table = SymbolTable("t", ["<eps>"])
    assert not kleene.verify(fst.replace(isymbols=table))  # label 1 missing
    table.add_symbol("a")
    assert kleene.verify(fst.replace(isymbols=table, osymbols=table))
    lie = Props().set(Prop.ACYCLIC, False)                  # it is acyclic
    assert not kleene.verify(fst.replace(props=lie))
    truth = Props().set(Prop.ACYCLIC, True)
    assert kleene.verify(fst.replace(props=truth))
