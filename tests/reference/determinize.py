"""Slow, obviously correct references for determinization tests.

* :func:`label_sequence_weights`: the ``⊕``-sum of path weights per (input
  labels, output labels) pair of an acyclic machine, where epsilon inputs are
  kept as the label 0 (determinization treats ε as an ordinary label) and
  epsilon outputs are dropped (output strings).
* :func:`determinize_acceptor`: the weighted subset construction written with
  Python dicts and frozensets (residuals quantized as OpenFst does).
"""

from __future__ import annotations

import math

import numpy as np

from kleene import FstBuilder


def label_sequence_weights(fst, *, keep_input_epsilons: bool = True,
                           by_output: bool = True) -> dict:
    """``{(inputs, outputs): weight}`` summed over all successful paths of an
    acyclic machine (``outputs`` is ``()`` when ``by_output`` is false)."""
    sr = fst.semiring
    out: dict = {}
    if fst.start < 0:
        return out

    def walk(s, ins, outs, w):
        fw = float(fst.final[s])
        if fw != sr.zero:
            key = (ins, outs if by_output else ())
            total = sr.times(w, fw)
            out[key] = sr.plus(out[key], total) if key in out else total
        for a in range(int(fst.indptr[s]), int(fst.indptr[s + 1])):
            i, o = int(fst.ilabel[a]), int(fst.olabel[a])
            ni = ins + (i,) if (i or keep_input_epsilons) else ins
            no = outs + (o,) if o else outs
            walk(int(fst.nextstate[a]), ni, no, sr.times(w, fst.weight[a]))

    walk(fst.start, (), (), sr.one_value())
    return {k: float(v) for k, v in out.items()}


def same_weights(a: dict, b: dict, tol: float = 2e-3) -> bool:
    """Same keys and weights within ``tol`` (relative for large weights)."""
    if a.keys() != b.keys():
        return False
    for k in a:
        x, y = a[k], b[k]
        if math.isinf(x) or math.isinf(y):
            if x != y:
                return False
        elif abs(x - y) > tol * max(1.0, abs(x)):
            return False
    return True


def _quantize(w: float, delta: float) -> float:
    if math.isinf(w):
        return w
    return math.floor(w / delta + 0.5) * delta


def determinize_acceptor(fst, delta: float = 1e-6, max_states: int = 10_000):
    """Weighted subset construction of an acceptor (ε is a label): states
    are frozensets of ``(state, quantized residual)``; arcs in label order."""
    sr = fst.semiring
    b = FstBuilder(sr)
    if fst.start < 0:
        return b.freeze()
    start = frozenset([(fst.start, float(sr.one))])
    ids = {start: 0}
    todo = [start]
    b.add_state()
    b.set_start(0)
    k = 0
    while k < len(todo):
        subset = todo[k]
        sid = ids[subset]
        k += 1
        final = sr.zero_value()
        for q, r in sorted(subset):
            final = sr.plus(final, sr.times(r, fst.final[q]))
        if float(final) != sr.zero:
            b.set_final(sid, float(final))
        by_label: dict = {}
        for q, r in sorted(subset):
            for a in range(int(fst.indptr[q]), int(fst.indptr[q + 1])):
                by_label.setdefault(int(fst.ilabel[a]), []).append(
                    (int(fst.nextstate[a]), sr.times(r, fst.weight[a])))
        for label in sorted(by_label):
            pairs = by_label[label]
            total = sr.sum(w for _, w in pairs)
            per_state: dict = {}
            for t, w in pairs:
                per_state[t] = sr.plus(per_state[t], w) if t in per_state else w
            dest = frozenset((t, _quantize(float(sr.divide(w, total)), delta))
                             for t, w in per_state.items())
            if dest not in ids:
                if len(ids) >= max_states:
                    raise RuntimeError("reference determinization exceeded max_states")
                ids[dest] = len(ids)
                todo.append(dest)
                b.add_state()
            b.add_arc(sid, label, label, float(total), ids[dest])
    return b.freeze()


def state_count(fst) -> int:
    return int(np.asarray(fst.final).shape[0])
