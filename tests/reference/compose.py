"""Naive references for composition. Deliberately slow and obvious: plain
Python over ``fst.arcs(s)``.

:func:`compose_reference` is the textbook ε-filter construction, expanding
state tuples ``(q1, q2, filter_state)`` breadth first in the order OpenFst's
``ComposeFst`` does (so its numbering can be compared arc for arc with
kleene's and pynini's). :func:`path_weights` and :func:`composed_path_weights`
enumerate path pairs of small acyclic machines: they check composition
through its definition, independently of any filter.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from kleene import Prop

STAY = -1  # this side does not move (OpenFst's implicit self-loop)
NO_STATE = None


def _filter(name, fs, move, info):
    """OpenFst's compose filters, written out as tables.

    ``move`` is ``"eps1"`` (a takes an output-ε arc, b stays), ``"eps2"``
    (b takes an input-ε arc, a stays), ``"epseps"`` (both take ε arcs) or
    ``"match"`` (a real label is matched). ``info`` holds, for the current
    pair, ``noeps1/alleps1`` (a's output ε arcs at q1: none / only those and
    q1 not final) and ``noeps2/alleps2`` (b's input ε arcs at q2). Returns the
    next filter state or ``None`` (the move is blocked)."""
    if name == "trivial":
        return 0
    if name == "null":
        return None if move in ("eps1", "eps2") else 0
    if name == "no_match":
        return None if move == "epseps" else 0
    if name == "sequence":
        if move == "eps2":
            return None if info["alleps1"] else (0 if info["noeps1"] else 1)
        if move == "eps1":
            return None if fs != 0 else 0
        return None if move == "epseps" else 0
    if name == "alt_sequence":
        if move == "eps1":
            return None if info["alleps2"] else (0 if info["noeps2"] else 1)
        if move == "eps2":
            return None if fs == 1 else 0
        return None if move == "epseps" else 0
    if name == "match":
        if move == "eps1":
            if fs == 0:
                return 0 if info["noeps2"] else (None if info["alleps2"] else 1)
            return 1 if fs == 1 else None
        if move == "eps2":
            if fs == 0:
                return 0 if info["noeps1"] else (None if info["alleps1"] else 2)
            return 2 if fs == 2 else None
        if move == "epseps":
            return 0 if fs == 0 else None
        return 0
    raise ValueError(name)


def _state_info(a, b, q1, q2):
    sr = a.semiring
    arcs1, arcs2 = a.arcs(q1), b.arcs(q2)
    ne1 = sum(1 for x in arcs1 if x.olabel == 0)
    ne2 = sum(1 for x in arcs2 if x.ilabel == 0)
    fin1 = a.final_weight(q1) != sr.zero
    fin2 = b.final_weight(q2) != sr.zero
    return {"noeps1": ne1 == 0, "alleps1": ne1 == len(arcs1) and not fin1,
            "noeps2": ne2 == 0, "alleps2": ne2 == len(arcs2) and not fin2}


def _arcs_of(fst, q):
    return range(int(fst.indptr[q]), int(fst.indptr[q + 1]))


def special_matches(b, q2, label, special):
    """The arcs of b matched by a's real output ``label`` at ``q2`` under a
    special matcher ``special = (kind, special_label, phi_loop)``, as
    ``(arc, φ weight, olabel or None)`` triples, from the definitions:
    σ matches every label after the exact matches; ρ matches when nothing
    else does; φ is followed while no arc matches (a φ self-loop matches
    the label itself when phi_loop)."""
    kind, sl, phi_loop = special
    sr = b.semiring
    rewrite = b.properties().get(Prop.ACCEPTOR)
    exact = [k for k in _arcs_of(b, q2) if b.ilabel[k] == label]
    specials = [k for k in _arcs_of(b, q2) if b.ilabel[k] == sl]

    def relabel(k):
        return label if (rewrite and b.olabel[k] == sl) else None

    if kind == "sigma":
        return [(k, sr.one, None) for k in exact] + [(k, sr.one, relabel(k)) for k in specials]
    if kind == "rho":
        if exact:
            return [(k, sr.one, None) for k in exact]
        return [(k, sr.one, relabel(k)) for k in specials]
    # phi
    weight, q, seen = sr.one, q2, set()
    while True:
        exact = [k for k in _arcs_of(b, q) if b.ilabel[k] == label]
        if exact:
            return [(k, weight, None) for k in exact]
        phis = [k for k in _arcs_of(b, q) if b.ilabel[k] == sl]
        if not phis:
            return []
        assert len(phis) == 1, "non-deterministic φ"
        k = phis[0]
        if int(b.nextstate[k]) == q and phi_loop:
            return [(k, weight, relabel(k))]
        assert q not in seen, "φ cycle"
        seen.add(q)
        weight = float(sr.times(weight, b.weight[k]))
        q = int(b.nextstate[k])


def _candidate_moves(a, b, q1, q2, match_input, special=None):
    """The arc pairs ``(k1, k2)`` (global arc indices, STAY = no move) in the
    order OpenFst's ComposeFst tries them at ``(q1, q2)``, each with the φ
    weight picked up and b's rewritten output label (None: unchanged)."""
    range1 = range(int(a.indptr[q1]), int(a.indptr[q1 + 1]))
    range2 = range(int(b.indptr[q2]), int(b.indptr[q2 + 1]))
    one = a.semiring.one
    moves = []
    if special is not None:  # walk a, b's special matcher
        moves += [(STAY, k2, one, None) for k2 in range2 if b.ilabel[k2] == 0]
        for k1 in range1:
            label = int(a.olabel[k1])
            if label == 0:
                moves.append((k1, STAY, one, None))
                moves += [(k1, k2, one, None) for k2 in range2 if b.ilabel[k2] == 0]
            else:
                moves += [(k1,) + m for m in special_matches(b, q2, label, special)]
        return moves
    if match_input:  # walk a's arcs, look labels up among b's input labels
        moves += [(STAY, k2) for k2 in range2 if b.ilabel[k2] == 0]
        for k1 in range1:
            label = int(a.olabel[k1])
            if label == 0:
                moves.append((k1, STAY))
            moves += [(k1, k2) for k2 in range2 if b.ilabel[k2] == label]
    else:  # walk b's arcs, look labels up among a's output labels
        moves += [(k1, STAY) for k1 in range1 if a.olabel[k1] == 0]
        for k2 in range2:
            label = int(b.ilabel[k2])
            if label == 0:
                moves.append((STAY, k2))
            moves += [(k1, k2) for k1 in range1 if a.olabel[k1] == label]
    return [m + (one, None) for m in moves]


def compose_reference(a, b, *, compose_filter="sequence", match="both", special=None):
    """Composition by explicit breadth-first expansion of state tuples.

    ``match`` says which side OpenFst's matcher searches: ``"input"`` (walk
    a's arcs, search b), ``"output"`` (walk b's arcs, search a) or
    ``"both"`` (per state pair, walk the side with fewer arcs, a on ties).
    Returns ``(states, arcs, finals, maps)``: the tuple of every output state,
    the arcs ``(src, ilabel, olabel, weight, dst)`` in order, the final
    weights, and per arc ``(arc of a, arc of b)`` (-1 where a side stays).
    No trimming (compare after ``connect``). ``special = (kind,
    label, phi_loop)`` puts a φ/σ/ρ matcher on b (a is then always walked)."""
    sr = a.semiring
    filt = "sequence" if compose_filter == "auto" else compose_filter
    if a.start < 0 or b.start < 0:
        return [], [], [], []
    ids = {}
    order = []

    def find(t):
        if t not in ids:
            ids[t] = len(order)
            order.append(t)
        return ids[t]

    find((a.start, b.start, 0))
    arcs, finals, maps = [], [], []
    head = 0
    while head < len(order):
        q1, q2, fs = order[head]
        src = head
        head += 1
        f1, f2 = a.final_weight(q1), b.final_weight(q2)
        finals.append(sr.zero if (f1 == sr.zero or f2 == sr.zero)
                      else float(sr.times(f1, f2)))
        info = _state_info(a, b, q1, q2)
        if match == "input":
            match_input = True
        elif match == "output":
            match_input = False
        else:
            match_input = a.out_degree(q1) <= b.out_degree(q2)
        for k1, k2, phi_w, relabel in _candidate_moves(a, b, q1, q2, match_input,
                                                       special):
            if k2 == STAY:
                move = "eps1"
            elif k1 == STAY:
                move = "eps2"
            elif a.olabel[k1] == 0:
                move = "epseps"
            else:
                move = "match"
            nfs = _filter(filt, fs, move, info)
            if nfs is None:
                continue
            n1 = q1 if k1 == STAY else int(a.nextstate[k1])
            n2 = q2 if k2 == STAY else int(b.nextstate[k2])
            il = 0 if k1 == STAY else int(a.ilabel[k1])
            ol = 0 if k2 == STAY else int(b.olabel[k2] if relabel is None else relabel)
            w1 = sr.one if k1 == STAY else float(a.weight[k1])
            w2 = sr.one if k2 == STAY else float(sr.times(phi_w, b.weight[k2]))
            dst = find((n1, n2, nfs))
            arcs.append((src, il, ol, float(sr.times(w1, w2)), dst))
            maps.append((k1, k2))
    return order, arcs, finals, maps


def reference_fst(a, b, **kwargs):
    """:func:`compose_reference` as a kleene ``Fst`` (untrimmed) and its
    arc-map pair."""
    from kleene import Fst
    order, arcs, finals, maps = compose_reference(a, b, **kwargs)
    n = len(order)
    sr = a.semiring
    if n == 0:
        return Fst.empty(sr), (np.zeros(0, np.int64), np.zeros(0, np.int64))
    src = [x[0] for x in arcs]
    out = Fst.from_arrays(n, src, [x[1] for x in arcs], [x[2] for x in arcs],
                          [x[3] for x in arcs], [x[4] for x in arcs],
                          final=np.array(finals, dtype=sr.dtype), start=0, semiring=sr)
    m = np.array(maps, dtype=np.int64).reshape(-1, 2)
    return out, (m[:, 0].copy(), m[:, 1].copy())


# -- path-pair enumeration (the definition of composition) -----------------

def path_weights(fst, max_len=12):
    """``{(input labels, output labels): ⊕-sum of path weights}`` over every
    successful path of an acyclic machine (ε labels dropped)."""
    sr = fst.semiring
    out = defaultdict(lambda: sr.zero)
    if fst.start < 0:
        return {}
    stack = [(fst.start, (), (), sr.one)]
    while stack:
        q, ins, outs, w = stack.pop()
        fw = fst.final_weight(q)
        if fw != sr.zero:
            key = (ins, outs)
            out[key] = float(sr.plus(out[key], sr.times(w, fw)))
        if len(ins) + len(outs) > 2 * max_len:
            continue
        for arc in fst.arcs(q):
            stack.append((arc.nextstate, ins + ((arc.ilabel,) if arc.ilabel else ()),
                          outs + ((arc.olabel,) if arc.olabel else ()),
                          float(sr.times(w, arc.weight))))
    return {k: v for k, v in out.items() if v != sr.zero}


def composed_path_weights(a, b):
    """The weights of ``a ∘ b`` by definition: ⊕ over every pair of paths
    whose middle strings agree (acyclic inputs)."""
    sr = a.semiring
    pa, pb = path_weights(a), path_weights(b)
    by_input = defaultdict(list)
    for (x, y), w in pb.items():
        by_input[x].append((y, w))
    out = defaultdict(lambda: sr.zero)
    for (x, y), w1 in pa.items():
        for z, w2 in by_input.get(y, ()):
            out[(x, z)] = float(sr.plus(out[(x, z)], sr.times(w1, w2)))
    return {k: v for k, v in out.items() if v != sr.zero}
