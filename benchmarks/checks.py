"""Agreement checks run before anything is timed. Each returns a function
``check(kleene_result, pynini_result)`` that raises
:class:`~benchmarks.harness.Mismatch` with a message saying what differs."""

from __future__ import annotations

import numpy as np

from .generate import to_pynini_fast
from .harness import Mismatch

DELTA = 1e-3


def _as_fst(result):
    """Drops an arc_map if the operation returned ``(fst, arc_map)``."""
    if isinstance(result, tuple):
        return result[0]
    return result


def _describe(pfst) -> str:
    return f"{pfst.num_states()} states / {sum(1 for s in pfst.states() for _ in pfst.arcs(s))} arcs"


def fst_agrees(kfst, pfst, delta: float = DELTA, *, what: str = "result") -> None:
    """kleene's machine equals pynini's arc for arc, or failing that is
    isomorphic to it (same machine up to state numbering and arc order)."""
    import pywrapfst
    ours = to_pynini_fast(_as_fst(kfst))
    if pywrapfst.equal(ours, pfst, delta=delta):
        return
    if pywrapfst.isomorphic(ours, pfst, delta=delta):
        return
    raise Mismatch(f"{what}: kleene's machine ({_describe(ours)}) is not isomorphic "
                   f"to pynini's ({_describe(pfst)})")


def same_fst(delta: float = DELTA):
    def check(kres, pres):
        fst_agrees(kres, pres, delta)
    return check


def as_accurate_as_pynini(reference_pfst_fn, atol: float = 1e-4):
    """For float32 results that are long sums (log-semiring potentials of
    ~1e3, where both libraries carry ~1e-3 of rounding): same states and arcs
    as pynini, and kleene's largest weight error against a float64 reference
    (``reference_pfst_fn()``, e.g. pynini in log64) is at most 1.5 times
    pynini's own, plus ``atol``."""
    def check(kres, pres):
        from kleene import from_pynini
        ours, theirs = _as_fst(kres), from_pynini(pres)
        ref = from_pynini(reference_pfst_fn())
        for name in ("indptr", "ilabel", "olabel", "nextstate"):
            if not (np.array_equal(getattr(ours, name), getattr(theirs, name))
                    and np.array_equal(getattr(ref, name), getattr(theirs, name))):
                raise Mismatch(f"push: {name} differs from pynini's (same topology expected)")
        for name in ("weight", "final"):
            r = getattr(ref, name).astype(np.float64)
            a = getattr(ours, name).astype(np.float64)
            b = getattr(theirs, name).astype(np.float64)
            finite = np.isfinite(r)
            if not (np.array_equal(np.isfinite(a), finite)
                    and np.array_equal(np.isfinite(b), finite)):
                raise Mismatch(f"{name}s: infinite weights differ from the reference")
            ek = np.abs(a[finite] - r[finite]).max(initial=0.0)
            ep = np.abs(b[finite] - r[finite]).max(initial=0.0)
            if ek > 1.5 * ep + atol:
                raise Mismatch(f"{name}s: kleene's error vs float64 is {ek:.3g}, "
                               f"pynini's {ep:.3g}")
    return check


def pynini_distances(weights) -> np.ndarray:
    """pynini's list of weights as floats (``Infinity`` for zero)."""
    return np.array([float(str(w).replace("Infinity", "inf")) for w in weights])


def same_distances(delta: float = DELTA):
    """Equal per-state distances, relative tolerance ``delta`` (states that
    pynini does not list are unreachable: semiring zero)."""
    def check(kres, pres):
        ours = np.asarray(kres, dtype=np.float64)
        theirs = pynini_distances(pres)
        if theirs.shape[0] < ours.shape[0]:
            theirs = np.concatenate([theirs, np.full(ours.shape[0] - theirs.shape[0], np.inf)])
        if ours.shape != theirs.shape:
            raise Mismatch(f"distance arrays differ in length: {ours.shape} vs {theirs.shape}")
        both_inf = np.isinf(ours) & np.isinf(theirs) & (np.sign(ours) == np.sign(theirs))
        close = np.isclose(ours, theirs, rtol=delta, atol=delta) | both_inf
        if not close.all():
            bad = np.flatnonzero(~close)
            i = bad[0]
            raise Mismatch(f"{bad.size} of {ours.size} distances differ, first at state "
                           f"{i}: kleene {ours[i]} vs pynini {theirs[i]}")
    return check


def _total_weight(pfst) -> float:
    import pynini
    if pfst.start() < 0:
        return float("inf")
    d = pynini_distances(pynini.shortestdistance(pfst, reverse=True))
    return float(d[pfst.start()]) if d.size else float("inf")


def same_shortest_paths(delta: float = DELTA):
    """Isomorphic results; when the n-best list has ties isomorphism may fail
    legitimately, so fall back to equal total weight and equal path count."""
    def check(kres, pres):
        import pywrapfst
        ours = to_pynini_fast(_as_fst(kres))
        if pywrapfst.isomorphic(ours, pres, delta=delta):
            return
        wk, wp = _total_weight(ours), _total_weight(pres)
        nk, np_ = _count_paths(ours), _count_paths(pres)
        if abs(wk - wp) > delta * max(1.0, abs(wp)) or nk != np_:
            raise Mismatch(f"shortest paths differ: kleene {nk} paths, best total "
                           f"{wk}; pynini {np_} paths, best total {wp}")
    return check


def _count_paths(pfst) -> int:
    """Number of successful paths of an acyclic machine."""
    if pfst.start() < 0:
        return 0
    it = pfst.paths()
    count = 0
    while not it.done():
        count += 1
        it.next()
    return count


def randgen_valid(input_pfst, npath: int, max_checked: int = 50):
    """Random samples cannot be compared with pynini's: instead check that
    kleene's sample is a non-empty acyclic machine with at most ``npath``
    paths, each of which the input machine accepts (composition of the path's
    input and output strings with the input is non-empty)."""
    def check(kres, pres):
        import pynini
        ours = to_pynini_fast(_as_fst(kres))
        if ours.start() < 0:
            raise Mismatch("randgen returned the empty machine")
        if not ours.properties(pynini.ACYCLIC, True):
            raise Mismatch("randgen returned a cyclic machine")
        it = ours.paths()
        count = 0
        while not it.done():
            count += 1
            if count <= max_checked:
                _require_accepted(input_pfst, it.ilabels(), it.olabels())
            it.next()
        if not 1 <= count <= npath:
            raise Mismatch(f"randgen returned {count} paths, asked for {npath}")
    return check


def _chain(labels, arc_type):
    import pynini
    f = pynini.Fst(arc_type=arc_type)
    f.add_states(len(labels) + 1)
    f.set_start(0)
    one = pynini.Weight.one(f.weight_type())
    for k, lab in enumerate(labels):
        f.add_arc(k, pynini.Arc(lab, lab, one, k + 1))
    f.set_final(len(labels))
    return f


def _require_accepted(input_pfst, ilabels, olabels) -> None:
    import pynini
    arc_type = input_pfst.arc_type()
    ilabels = [x for x in ilabels if x]
    olabels = [x for x in olabels if x]
    left = pynini.compose(_chain(ilabels, arc_type), input_pfst)
    both = pynini.compose(left, _chain(olabels, arc_type))
    if both.start() < 0 or both.num_states() == 0:
        raise Mismatch(f"randgen path {ilabels[:10]}...:{olabels[:10]}... is not "
                       "accepted by the input machine")


def text_agrees(kres, pres, arc_type: str = "standard") -> None:
    """Two AT&T text dumps describe the same machine (compiled by OpenFst,
    compared arc for arc with a tolerance; print precision differs)."""
    a, b = _compile(kres, arc_type), _compile(pres, arc_type)
    import pywrapfst
    if not pywrapfst.equal(a, b, delta=DELTA):
        raise Mismatch(f"printed text differs: kleene's compiles to {_describe(a)}, "
                       f"pynini's to {_describe(b)}")


def _compile(text: str, arc_type: str):
    import pywrapfst
    c = pywrapfst.Compiler(arc_type=arc_type, keep_state_numbering=True)
    c.write(text)
    return c.compile()
