"""Synchronization (OpenFst ``Synchronize``, pynini ``synchronize``)."""

from __future__ import annotations

import numpy as np

from ..core.fst import INDPTR_DTYPE, LABEL_DTYPE, STATE_DTYPE, Fst
from ..core.properties import Prop, Props
from ..errors import FstArgError, FstOpError

_NO_STATE = -1


def synchronize(fst: Fst, *, state_threshold: int | None = None) -> Fst:
    """An equivalent transducer in which, along every path, the delay (output
    labels read minus input labels read) is zero or strictly increasing
    (OpenFst ``Synchronize``): every arc carries an input and an output
    label, both non-ε, except on a trailing part of a path where one side
    is ε throughout.

    Construction (OpenFst's ``SynchronizeFst``, so ``pynini.synchronize``
    numbers states and orders arcs the same): a result state is a triple
    ``(input state, residual input string, residual output string)``; the
    start is ``(start, ε, ε)``. For each arc ``q -i:o/w-> r`` of the input:
    if, after appending ``i`` to the residual input and ``o`` to the residual
    output, either residual is still empty, the result arc is ``ε:ε/w`` to
    ``(r, I·i, O·o)``; otherwise it emits the first label of each residual,
    ``first(I·i):first(O·o)/w``, to ``(r, rest(I·i), rest(O·o))``. A state is
    final (with the input's final weight) only when both residuals are
    empty; a final input state with leftover residuals instead gets an arc,
    weighted by the final weight, emitting the residuals' first labels (ε for
    an exhausted side) to a state ``(none, rests)`` which continues the same
    way with weight one until both residuals are empty and it is final with
    weight one. States are numbered in order of discovery and expanded in
    that order; arcs keep the input's arc order, the final arc last.

    Preconditions: none for finite delay. A transducer with a cycle whose
    input and output lengths differ (unbounded delay) has no finite
    synchronized form: the construction stops after ``state_threshold``
    states (default ``max(1_000_000, 100 * num_states)``), or once the
    residual strings of its states hold more than ``16 * state_threshold``
    labels in all, and raises :class:`FstOpError`. Acceptors and machines with equal-length labels on
    every cycle always terminate.

    Complexity: O(V' + E') dictionary operations, with V' result states and
    E' result arcs, times the residual string length for hashing (bounded
    by the maximum delay of the input).
    """
    n_in = fst.num_states
    if state_threshold is None:
        state_threshold = max(1_000_000, 100 * n_in)
    elif state_threshold < 1:
        raise FstArgError(f"state_threshold must be at least 1, got {state_threshold}")
    sr = fst.semiring
    zero, one = sr.zero, sr.one
    if fst.start < 0:
        return Fst(np.zeros(1, INDPTR_DTYPE), np.zeros(0, LABEL_DTYPE),
                   np.zeros(0, LABEL_DTYPE), np.zeros(0, STATE_DTYPE),
                   np.zeros(0, sr.dtype), np.zeros(0, sr.dtype), -1, sr,
                   fst.isymbols, fst.osymbols, Props(), check=False)
    indptr = fst.indptr.tolist()
    ilabel = fst.ilabel.tolist()
    olabel = fst.olabel.tolist()
    nextstate = fst.nextstate.tolist()
    in_final = fst.final.tolist()
    zero_f = float(zero)
    one_f = float(one)

    # result states: (input state or -1, residual input, residual output)
    elements: list[tuple[int, tuple, tuple]] = []
    ids: dict[tuple[int, tuple, tuple], int] = {}

    # residual labels held by all states: keeps a long single-path delay
    # (residuals growing by one label per state) from taking quadratic time
    label_budget = [16 * state_threshold]

    def find_state(element):
        sid = ids.get(element)
        if sid is None:
            sid = len(elements)
            label_budget[0] -= len(element[1]) + len(element[2])
            if sid >= state_threshold or label_budget[0] < 0:
                raise FstOpError(
                    f"synchronize: more than {state_threshold} states (or "
                    f"{16 * state_threshold} residual labels); the "
                    "transducer has unbounded delay (a cycle whose input and "
                    "output lengths differ), so no finite synchronized form "
                    "exists. Raise state_threshold if the delay is bounded "
                    "but large.")
            ids[element] = sid
            elements.append(element)
        return sid

    out_counts: list[int] = []
    out_ilabel: list[int] = []
    out_olabel: list[int] = []
    out_next: list[int] = []
    out_final: list[float] = []
    weight_src: list[int] = []     # input arc index, or -1 for a final arc
    final_weight_of: list[float] = []

    find_state((fst.start, (), ()))
    s = 0
    while s < len(elements):
        q, istr, ostr = elements[s]
        count = 0
        if q != _NO_STATE:
            for a in range(indptr[q], indptr[q + 1]):
                i, o = ilabel[a], olabel[a]
                ni = istr + (i,) if i else istr
                no = ostr + (o,) if o else ostr
                if ni and no:
                    out_ilabel.append(ni[0])
                    out_olabel.append(no[0])
                    dest = find_state((nextstate[a], ni[1:], no[1:]))
                else:
                    out_ilabel.append(0)
                    out_olabel.append(0)
                    dest = find_state((nextstate[a], ni, no))
                out_next.append(dest)
                weight_src.append(a)
                final_weight_of.append(zero_f)
                count += 1
            fw = in_final[q]
        else:
            fw = one_f
        if fw != zero_f and (istr or ostr):
            out_ilabel.append(istr[0] if istr else 0)
            out_olabel.append(ostr[0] if ostr else 0)
            out_next.append(find_state((_NO_STATE, istr[1:], ostr[1:])))
            weight_src.append(-1)
            final_weight_of.append(fw)
            count += 1
            out_final.append(zero_f)
        else:
            out_final.append(fw)
        out_counts.append(count)
        s += 1

    # acceptors stay acceptors (both residuals always agree); a finite
    # result is acyclic exactly when the input's reachable part is
    props = Props()
    for p in (Prop.ACCEPTOR, Prop.ACYCLIC):
        if fst.props.get(p):
            props = props.set(p, True)
    n_out = len(elements)
    out_indptr = np.zeros(n_out + 1, INDPTR_DTYPE)
    np.cumsum(np.asarray(out_counts, np.int64), out=out_indptr[1:])
    src = np.asarray(weight_src, np.int64)
    weight = np.asarray(final_weight_of, sr.dtype)
    from_arc = src >= 0
    weight[from_arc] = fst.weight[src[from_arc]]
    return Fst(out_indptr, np.asarray(out_ilabel, LABEL_DTYPE),
               np.asarray(out_olabel, LABEL_DTYPE),
               np.asarray(out_next, STATE_DTYPE), weight,
               np.asarray(out_final, sr.dtype), 0, sr, fst.isymbols,
               fst.osymbols, props, check=False)
