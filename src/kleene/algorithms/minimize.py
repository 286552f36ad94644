"""Minimization of deterministic weighted automata (OpenFst ``Minimize``)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from ..core.fst import INDPTR_DTYPE, LABEL_DTYPE, NO_STATE, STATE_DTYPE, Fst
from ..core.properties import Prop, Props
from ..errors import FstArgError, FstOpError
from ..kernels import minimize as _k
from ..kernels import minimize_acyclic as _ka
from .connect import connect
from .push import push


def quantize(weights: np.ndarray, delta: float) -> np.ndarray:
    """OpenFst's ``Quantize``: rounds to the nearest multiple of ``delta``
    (in the weights' own precision); infinities are kept."""
    w = np.asarray(weights)
    d = w.dtype.type(delta)
    with np.errstate(invalid="ignore", over="ignore"):
        q = (np.floor(w / d + w.dtype.type(0.5)) * d).astype(w.dtype)
    return np.where(np.isfinite(w), q, w)


Algorithm = Literal["auto", "acyclic", "hopcroft"]
_ALL_BITS = np.uint64(0xFFFFFFFFFFFFFFFF)


#: pynini's default for minimize (OpenFst's C++ default is kDelta = 1/1024).
MINIMIZE_DELTA = 1e-6


def minimize(fst: Fst, *, delta: float = MINIMIZE_DELTA, allow_nondet: bool = False) -> Fst:
    """The minimal deterministic machine equivalent to ``fst``.

    As OpenFst: a weighted machine is first pushed towards the initial state
    (:func:`~kleene.push`, which adds an epsilon-arc start state when the
    start lies on a cycle) and its weights quantized to multiples of
    ``delta`` (default 1e-6, pynini's; a coarse grid such as OpenFst's C++
    default 1/1024 changes path weights by up to ``delta/2`` per arc); then
    states are merged when they agree on final weight and,
    label by label, on ``(ilabel, olabel, weight)`` of their arcs into merged
    states (arcs of a transducer are minimized as label pairs). Useless
    states are removed first. The result is isomorphic to
    ``pynini.minimize`` on deterministic acceptors (state numbering differs:
    states are numbered by their smallest member in the trimmed input, and
    keep that member's arcs, sorted by input label).

    With ``allow_nondet=True`` a nondeterministic machine (over an idempotent
    semiring) has its bisimilar states merged without determinizing: an
    equivalent, usually smaller machine that may stay nondeterministic.

    Deviation: OpenFst minimizes a transducer over the Gallic semiring, which
    also pushes output labels towards the start (and splits arcs whose output
    grows to several labels); kleene keeps output labels where they are, so a
    transducer may keep states OpenFst would merge. The result is still
    equivalent and deterministic.

    Preconditions: input-deterministic (epsilon counts as a label), unless
    ``allow_nondet`` (raises :class:`FstOpError`, as OpenFst refuses);
    ``allow_nondet`` needs an idempotent semiring (tropical, boolean);
    pushing needs convergent distances (see :func:`~kleene.push`).

    Complexity: one push (a shortest-distance computation), then for
    deterministic input O(V + E) for an acyclic machine (Revuz's algorithm,
    as OpenFst: states merged by hashing their signatures in reverse
    topological order) and O(E log V) partition refinement
    (Valmari-Lehtinen Hopcroft) for a cyclic one; nondeterministic input
    uses signature refinement, O(R E log E) for R rounds.
    """
    return _minimize(fst, delta=delta, allow_nondet=allow_nondet, algorithm="auto")


def _minimize(fst: Fst, *, delta: float, allow_nondet: bool, algorithm: Algorithm) -> Fst:
    """:func:`minimize` with the partition algorithm for deterministic input
    chosen: ``"auto"`` (acyclic when the trimmed machine is acyclic, else
    Hopcroft), or forced (``"acyclic"`` refuses a cyclic machine). Both
    give the same partition, hence the same result; tests compare them."""
    if not isinstance(fst, Fst):
        raise FstArgError(f"minimize expects a kleene.Fst, not {type(fst).__name__}")
    if not delta > 0:
        raise FstArgError(f"minimize: delta must be positive, got {delta}")
    sr = fst.semiring
    deterministic = fst.has(Prop.I_DETERMINISTIC)
    if not deterministic:
        if not sr.idempotent:
            raise FstOpError(f"minimize: cannot minimize a non-deterministic machine over "
                             f"the non-idempotent {sr} semiring; determinize it first")
        if not allow_nondet:
            raise FstOpError("minimize: the input is not deterministic; determinize it "
                             "first or pass allow_nondet=True to merge bisimilar states")
    if fst.start == NO_STATE or fst.num_states == 0:
        return connect(fst)
    acceptor = fst.is_acceptor()
    weighted = not fst.has(Prop.UNWEIGHTED)
    work = fst
    if weighted:
        work = push(work, delta=delta)
        work = work.replace(weight=quantize(work.weight, delta),
                            final=quantize(work.final, delta), props=work.props)
    work = connect(work)
    if work.start == NO_STATE or work.num_states == 0:
        return work
    if deterministic:
        return _minimize_deterministic(work, acceptor, algorithm)
    n = work.num_states
    code, code_rows = _arc_codes(work)
    initial, _ = _dense(work.final.astype(np.float64) + 0.0)
    tail = work.arc_source.astype(np.int64)
    head = work.nextstate.astype(np.int64)
    blocks, count, rounds = _k.bisimulation(n, tail, code, head, initial, n + 1)
    if rounds > n:            # cannot happen: each round adds a block
        raise FstOpError("minimize: signature refinement did not stabilise")
    return _quotient(work, blocks, int(count), code, code_rows, tail, head,
                     acceptor, deterministic)


def _bits(values: np.ndarray) -> np.ndarray:
    """The float64 bit patterns of ``values`` as int64 (``-0.0`` read as
    ``0.0``): equal bits iff equal weights, quantized weights included."""
    return (values.astype(np.float64) + 0.0).view(np.int64)


def _minimize_deterministic(work: Fst, acceptor: bool, algorithm: Algorithm) -> Fst:
    """Partition and quotient of a trimmed, pushed, quantized deterministic
    machine."""
    if work.has(Prop.ILABEL_SORTED):
        perm = np.arange(work.num_arcs, dtype=np.int64)
    else:       # every state's arcs by input label
        perm = np.lexsort((work.ilabel, work.arc_source))
    cyclic = True
    if algorithm != "hopcroft" and work.props.get(Prop.ACYCLIC) is not False:
        order, status = _ka.reverse_topological_order(work.indptr, work.nextstate, work.start)
        cyclic = bool(status)
    if algorithm == "acyclic" and cyclic:
        raise FstArgError("minimize: the acyclic algorithm needs an acyclic machine")
    if not cyclic:
        table_size, ids_size = _ka.workspace_sizes(work.num_states)
        blocks, count, _ = _ka.acyclic_classes(work.indptr, perm, work.ilabel, work.olabel,
                                               _bits(work.weight), work.nextstate,
                                               _bits(work.final), order, _ALL_BITS,
                                               np.empty(table_size, np.uint64),
                                               np.empty(ids_size, np.int64))
    else:
        n, m = work.num_states, work.num_arcs
        initial, num_initial = _dense(_bits(work.final))
        index_dtype = np.int32 if n + m < 2**31 - 2 else np.int64
        workspace = np.zeros(_k.partition_workspace_size(n, m), index_dtype)
        keys = _arc_keys(work)
        blocks, count = _k.coarsest_partition(
            n, work.arc_source, keys, work.nextstate, initial.astype(index_dtype), num_initial,
            np.argsort(initial, kind="stable"), np.argsort(keys, kind="stable"), workspace)
    state_of, indptr, arc_of, nextstate = _k.deterministic_quotient(
        work.indptr, perm, work.nextstate, blocks, int(count))
    final = np.empty(int(count), work.final.dtype)
    final[state_of] = work.final
    props = (Props().set(Prop.ACCESSIBLE, True).set(Prop.COACCESSIBLE, True)
             .set(Prop.I_DETERMINISTIC, True).set(Prop.ILABEL_SORTED, True))
    if acceptor:
        props = props.set(Prop.ACCEPTOR, True)
    if not cyclic:
        props = props.set(Prop.ACYCLIC, True)
    return Fst(indptr, work.ilabel[arc_of], work.olabel[arc_of], nextstate,
               work.weight[arc_of], final, int(state_of[work.start]), work.semiring,
               work.isymbols, work.osymbols, props, check=False)


def _arc_keys(fst: Fst) -> np.ndarray:
    """An int64 key per arc, equal iff the arcs' ``(ilabel, olabel, weight)``
    are equal (columns that are constant or repeat ilabel are skipped)."""
    key = fst.ilabel.astype(np.int64)
    columns = []
    if not np.array_equal(fst.olabel, fst.ilabel):
        columns.append(fst.olabel.astype(np.int64))
    bits = _bits(fst.weight)
    if bits.shape[0] and not np.all(bits == bits[0]):
        columns.append(bits)
    for column in columns:
        key = _dense(key)[0]
        ranks, count = _dense(column)
        key = key * count + ranks          # both < num_arcs <= 2**31: no overflow
    return key


def _dense(values: np.ndarray):
    """Dense ids (0, 1, ...) of equal values and their number."""
    uniq, inverse = np.unique(values, return_inverse=True)
    return inverse.ravel().astype(np.int64), int(uniq.shape[0])


def _arc_codes(fst: Fst):
    """A dense code per arc for its ``(ilabel, olabel, weight)`` triple, and
    one representative arc per code."""
    m = fst.num_arcs
    packed = np.empty((m, 3), np.int64)
    packed[:, 0] = fst.ilabel
    packed[:, 1] = fst.olabel
    packed[:, 2] = (fst.weight.astype(np.float64) + 0.0).view(np.int64)
    rows = packed.view(np.dtype((np.void, 24))).ravel()
    _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
    return inverse.ravel().astype(np.int64), first


def _quotient(fst: Fst, blocks, count, code, code_rows, tail, head, acceptor,
              deterministic) -> Fst:
    """The machine whose states are the blocks: numbered by smallest member,
    with the distinct (block, code, target block) arcs."""
    n = fst.num_states
    smallest = np.full(count, n, np.int64)
    np.minimum.at(smallest, blocks, np.arange(n, dtype=np.int64))
    rank = np.empty(count, np.int64)
    rank[np.argsort(smallest, kind="stable")] = np.arange(count)
    state_of = rank[blocks]
    src = state_of[tail]
    dst = state_of[head]
    # one arc per (source block, code, target block); arcs sorted by source then code
    key = np.stack([src, code, dst], axis=1)
    rows = np.ascontiguousarray(key).view(np.dtype((np.void, 24))).ravel()
    _, first = np.unique(rows, return_index=True)
    order = first[np.lexsort((dst[first], code[first], src[first]))]
    rep = code_rows[code[order]]
    counts = np.bincount(src[order], minlength=count)
    indptr = np.zeros(count + 1, INDPTR_DTYPE)
    np.cumsum(counts, out=indptr[1:])
    final = np.empty(count, fst.final.dtype)
    final[state_of] = fst.final
    props = Props().set(Prop.ACCESSIBLE, True).set(Prop.COACCESSIBLE, True)
    if acceptor:
        props = props.set(Prop.ACCEPTOR, True)
    if deterministic:
        props = props.set(Prop.I_DETERMINISTIC, True)
    return Fst(indptr, fst.ilabel[rep].astype(LABEL_DTYPE), fst.olabel[rep].astype(LABEL_DTYPE),
               dst[order].astype(STATE_DTYPE), fst.weight[rep], final,
               int(state_of[fst.start]), fst.semiring, fst.isymbols, fst.osymbols,
               props, check=False)
