"""ε-normalization (OpenFst ``EpsNormalize``, pynini ``epsnormalize``).

OpenFst's construction, followed step for step so that the result is arc for
arc pynini's: every arc ``a:b/w`` becomes an acceptor arc ``a`` whose weight
is the *gallic* weight ``{b: w}`` (a set of (output string, weight) pairs,
pairs with equal strings ⊕-summed); ε-removal of that acceptor removes the
input-ε arcs, collecting their outputs into the weights; factoring then
spells each weight's string out as a chain of ``ε:label`` arcs after the
arc that carries its first label, and a final weight with a string becomes
such a chain ending in one final state (added last).

The gallic arithmetic runs in Python (weights are small dicts); the ε-removal
replays OpenFst's in-place schedule, ordered by the numba kernel that orders
plain ε-removal.
"""

from __future__ import annotations

from collections import deque
from typing import Literal

import numpy as np

from ..core.fst import Fst
from ..errors import FstArgError, FstOpError
from ..kernels.rmepsilon import epsilon_scc_order
from .rmepsilon import SHORTEST_DELTA


#: Most distinct output strings one ε-closure weight may hold before the
#: closure is declared infinite.
_MAX_STRINGS = 1000


class _Gallic:
    """Gallic (union of (string, weight)) arithmetic over one semiring;
    weights are dicts ``{labels tuple: float}`` (the empty dict is zero)."""

    def __init__(self, sr):
        self.sr = sr
        self.one = {(): float(sr.one)}

    def plus(self, a, b):
        if not a:
            return b
        if not b:
            return a
        out = dict(a)
        for s, w in b.items():
            out[s] = float(self.sr.plus(out[s], w)) if s in out else w
        return out

    def times(self, a, b):
        out = {}
        zero = self.sr.zero
        for s1, w1 in a.items():
            for s2, w2 in b.items():
                w = float(self.sr.times(w1, w2))
                if w == zero:
                    continue
                s = s1 + s2
                out[s] = float(self.sr.plus(out[s], w)) if s in out else w
        return out

    def approx_equal(self, a, b, delta):
        if a.keys() != b.keys():
            return False
        return all(a[s] == b[s] or abs(a[s] - b[s]) <= delta for s in a)


def _sorted_components(weight):
    """Union components in OpenFst's order: shorter strings first, then
    lexicographic."""
    return sorted(weight.items(), key=lambda kv: (len(kv[0]), kv[0]))


def epsnormalize(fst: Fst, *, eps_norm_type: Literal["input", "output"] = "input",
                 delta: float = SHORTEST_DELTA, max_relaxations: int | None = None,
                 state_threshold: int | None = None) -> Fst:
    """An equivalent machine that is ε-normalized: ε-removed (no ε:ε arcs,
    for functional input; OpenFst leaves ε:ε arcs to the final state where a
    state has several final outputs) and, with ``eps_norm_type="input"``, such that along every path all arcs
    with an ε input label come after all arcs with a non-ε input label
    (``"output"``: the same with output labels). Outputs that an input-ε arc
    produced are moved onto the next non-ε input arc (its first label) and
    the ε-input arcs that follow it.

    The result is arc for arc ``pynini.epsnormalize`` (same numbering and
    order; weights up to float rounding).

    Preconditions: the machine must be functional (OpenFst's precondition:
    otherwise the result is still equivalent but spells alternative outputs
    on parallel arcs), and no cycle of input-ε arcs may produce output (the
    set of outputs would be infinite; OpenFst loops, kleene raises
    :class:`FstOpError` after ``max_relaxations`` relaxations of one state,
    default ``2V + 2`` / ``10V + 1000``). Input-ε cycles must converge as in
    :func:`kleene.rmepsilon`. A cycle whose shifted outputs outgrow its
    inputs makes the factored machine infinite (OpenFst loops): kleene
    raises :class:`FstOpError` past ``state_threshold`` states (default
    ``1000 + 10 (V + E)``).

    Complexity: the ε-removal's (see :func:`kleene.rmepsilon`) times the size
    of the gallic weights (number of distinct output strings per ε-closure
    path set), in pure Python; then O(V' + E') for the factoring, V' and E'
    the result's size. Suited to grammar-sized machines, not to millions of
    arcs.
    """
    if not isinstance(fst, Fst):
        raise FstArgError(f"epsnormalize expects a kleene.Fst, not {type(fst).__name__}")
    if eps_norm_type not in ("input", "output"):
        raise FstArgError(f"eps_norm_type must be 'input' or 'output', got {eps_norm_type!r}")
    if eps_norm_type == "output":
        from .invert import invert
        return invert(epsnormalize(invert(fst), delta=delta, max_relaxations=max_relaxations,
                                   state_threshold=state_threshold))
    sr = fst.semiring
    n = fst.num_states
    if fst.start < 0:
        return Fst.empty(sr).replace(isymbols=fst.isymbols, osymbols=fst.osymbols)
    if max_relaxations is None:
        max_relaxations = 2 * n + 2 if sr.idempotent else 10 * n + 1000
    g = _Gallic(sr)
    arcs, finals = _gallic_rmepsilon(fst, g, float(delta), int(max_relaxations))
    arcs, finals, start = _connect(arcs, finals, fst.start)
    if state_threshold is None:
        state_threshold = 1000 + 10 * (n + fst.num_arcs)
    return _factor(arcs, finals, start, g, fst, int(state_threshold))


def _gallic_rmepsilon(fst, g, delta, budget):
    """OpenFst's in-place RmEpsilon on the gallic acceptor (ε = input ε)."""
    n = fst.num_states
    zero = fst.semiring.zero
    ilabel = fst.ilabel.tolist()
    olabel = fst.olabel.tolist()
    nextstate = fst.nextstate.tolist()
    weight = fst.weight.tolist()
    indptr = fst.indptr.tolist()
    # arcs[s]: list of (label, gallic weight, nextstate)
    arcs = [[(ilabel[a], {((olabel[a],) if olabel[a] else ()): weight[a]}, nextstate[a])
             for a in range(indptr[s], indptr[s + 1]) if weight[a] != zero]
            for s in range(n)]
    finals = [{(): float(w)} if w != zero else {} for w in fst.final.tolist()]
    noneps_in = [False] * n
    noneps_in[fst.start] = True
    for a, lab in enumerate(ilabel):
        if lab != 0:
            noneps_in[nextstate[a]] = True
    order = epsilon_scc_order(fst.indptr, fst.ilabel, fst.ilabel, fst.nextstate, n)
    processed = [False] * n
    for s in order.tolist():
        if not noneps_in[s]:
            continue
        dist = _closure_distances(s, arcs, processed, g, delta, budget)
        new_arcs, index, fin = [], {}, {}
        stack, visited = [s], set()
        while stack:
            u = stack.pop()
            if u in visited:
                continue
            visited.add(u)
            du = dist.get(u, {})
            for lab, w, t in arcs[u]:
                w = g.times(du, w)
                if lab == 0:
                    if t not in visited:
                        stack.append(t)
                    continue
                key = (lab, t)
                if key in index:
                    i = index[key]
                    new_arcs[i] = (lab, g.plus(new_arcs[i][1], w), t)
                else:
                    index[key] = len(new_arcs)
                    new_arcs.append((lab, w, t))
            fin = g.plus(fin, g.times(du, finals[u]))
        new_arcs.reverse()
        arcs[s] = new_arcs
        finals[s] = fin
        processed[s] = True
    for s in range(n):
        if not noneps_in[s]:
            arcs[s] = []
    return arcs, finals


def _closure_distances(s, arcs, processed, g, delta, budget):
    """Gallic ε-closure distances from ``s`` (generic algorithm, FIFO)."""
    dist = {s: g.one}
    resid = {s: g.one}
    queue = deque([s])
    queued = {s}
    pops = {}
    while queue:
        u = queue.popleft()
        queued.discard(u)
        pops[u] = pops.get(u, 0) + 1
        if pops[u] > budget or len(dist[u]) > _MAX_STRINGS:
            raise FstOpError(
                "epsnormalize: the input-ε closure does not converge: a cycle of arcs "
                "with ε input produces output (infinitely many output strings) or has "
                "weight at least one. The input must be functional with no such cycle.")
        r = resid.pop(u, {})
        if processed[u]:
            continue
        for lab, w, t in arcs[u]:
            if lab != 0:
                continue
            w = g.times(r, w)
            if not w:
                continue
            old = dist.get(t, {})
            new = g.plus(old, w)
            if not g.approx_equal(old, new, delta):
                dist[t] = new
                resid[t] = g.plus(resid.get(t, {}), w)
                if t not in queued:
                    queue.append(t)
                    queued.add(t)
    return dist


def _connect(arcs, finals, start):
    """OpenFst ``Connect`` on the gallic machine (keeps relative order)."""
    n = len(arcs)
    acc = [False] * n
    acc[start] = True
    stack = [start]
    while stack:
        u = stack.pop()
        for _, _, t in arcs[u]:
            if not acc[t]:
                acc[t] = True
                stack.append(t)
    rev = [[] for _ in range(n)]
    for u in range(n):
        for _, _, t in arcs[u]:
            rev[t].append(u)
    coacc = [bool(f) for f in finals]
    stack = [u for u in range(n) if coacc[u]]
    while stack:
        u = stack.pop()
        for p in rev[u]:
            if not coacc[p]:
                coacc[p] = True
                stack.append(p)
    keep = [acc[u] and coacc[u] for u in range(n)]
    if not keep[start]:
        return [], [], -1
    new_id, k = {}, 0
    for u in range(n):
        if keep[u]:
            new_id[u] = k
            k += 1
    out_arcs = [[(lab, w, new_id[t]) for lab, w, t in arcs[u] if keep[t]]
                for u in range(n) if keep[u]]
    out_finals = [finals[u] for u in range(n) if keep[u]]
    return out_arcs, out_finals, new_id[start]


def _factor(arcs, finals, start, g, fst, state_threshold):
    """OpenFst's FactorWeightFst (arcs and final weights) expanded in state
    order, then FromGallic with a super-final state added last."""
    sr = fst.semiring
    if start < 0:
        return Fst.empty(sr).replace(isymbols=fst.isymbols, osymbols=fst.osymbols)
    elements = [(start, None)]          # (state or -1, residual string or None = one)
    ids = {(start, None): 0}

    def find(state, residual):
        key = (state, residual)
        i = ids.get(key)
        if i is None:
            if len(elements) >= state_threshold:
                raise FstOpError(
                    f"epsnormalize: the result exceeds state_threshold={state_threshold} "
                    f"states: a cycle moves more output labels than it reads input "
                    f"labels once the ε-input outputs are shifted, so the factored "
                    f"machine is infinite (OpenFst loops). Pass a larger "
                    f"state_threshold if the result is merely large.")
            i = ids[key] = len(elements)
            elements.append(key)
        return i

    out_src, out_il, out_ol, out_w, out_dst = [], [], [], [], []
    out_final = []
    superfinal_arcs = []   # (state, olabel, weight)

    def emit(s, lab, comp_string, comp_w, dest):
        if len(comp_string) > 1:  # pragma: no cover - factoring guarantees <= 1
            raise FstOpError("epsnormalize: internal factoring error")
        out_src.append(s)
        out_il.append(lab)
        out_ol.append(comp_string[0] if comp_string else 0)
        out_w.append(comp_w)
        out_dst.append(dest)

    def factorable(w):
        return len(w) > 1 or (len(w) == 1 and len(next(iter(w))) > 1)

    s = 0
    while s < len(elements):
        state, residual = elements[s]
        res_w = g.one if residual is None else {residual: float(sr.one)}
        if state >= 0:
            for lab, w, t in arcs[state]:
                w = g.times(res_w, w)
                if not w:
                    continue
                if not factorable(w):
                    ((string, ww),) = w.items()
                    emit(s, lab, string, ww, find(t, None))
                    continue
                for string, ww in _sorted_components(w):
                    if len(string) <= 1:
                        emit(s, lab, string, ww, find(t, None))
                    else:
                        emit(s, lab, string[:1], ww, find(t, string[1:]))
        fw = res_w if state < 0 else g.times(res_w, finals[state])
        if factorable(fw):
            out_final.append(None)
            for string, ww in _sorted_components(fw):
                if len(string) <= 1:
                    emit(s, 0, string, ww, find(-1, None))
                else:
                    emit(s, 0, string[:1], ww, find(-1, string[1:]))
        elif not fw:
            out_final.append(None)
        else:
            ((string, ww),) = fw.items()
            if string:
                superfinal_arcs.append((s, string[0], ww))
                out_final.append(None)
            else:
                out_final.append(ww)
        s += 1
    num = len(elements)
    if superfinal_arcs:
        # ArcMap appends the final arc after each state's arcs: merge by state
        superfinal = num
        num += 1
        out_final.append(float(sr.one))
        for st_, lab, ww in superfinal_arcs:
            out_src.append(st_)
            out_il.append(0)
            out_ol.append(lab)
            out_w.append(ww)
            out_dst.append(superfinal)
    final = np.array([sr.zero if f is None else f for f in out_final], dtype=sr.dtype)
    src = np.array(out_src, dtype=np.int64)
    order = np.argsort(src, kind="stable")
    indptr = np.zeros(num + 1, np.int64)
    np.cumsum(np.bincount(src, minlength=num), out=indptr[1:])
    return Fst(indptr, np.array(out_il, np.int32)[order], np.array(out_ol, np.int32)[order],
               np.array(out_dst, np.int32)[order], np.array(out_w, sr.dtype)[order], final,
               0, sr, fst.isymbols, fst.osymbols)
