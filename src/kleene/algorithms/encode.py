"""Encoding labels and weights into single labels (OpenFst ``Encode`` /
``Decode``, pynini ``EncodeMapper``, ``encode``, ``decode``).

An :class:`EncodeMapper` is a table from tuples ``(ilabel, olabel, weight)``
to new labels ``1, 2, ...`` numbered in order of first appearance. Which
parts of an arc make up its tuple depends on the flags: with
``encode_labels`` both labels (otherwise only the input label), with
``encode_weights`` the weight (otherwise the weight stays on the arc).
Epsilon pairs get a label like any other pair (``ε:ε`` is not special), as in
OpenFst. The table grows as machines are encoded, so several machines encoded
with one mapper share one numbering.
"""

from __future__ import annotations

import numpy as np

from ..core.fst import INDPTR_DTYPE, LABEL_DTYPE, NO_STATE, STATE_DTYPE, Fst
from ..core.properties import Prop, Props
from ..errors import FstArgError
from ..kernels.encode import encode_fresh, number_keys
from ..kernels.graph import coaccessible_states
from .connect import connect

# Final weights encoded as "arcs" have this label pair in the table (OpenFst
# uses kNoLabel for the final pseudo-arc, so they never share a label with a
# real epsilon arc); decoding turns them back into epsilons.
_FINAL_LABEL = -1


class EncodeMapper:
    """A growing table of encoded ``(ilabel, olabel, weight)`` tuples.

    ``EncodeMapper(encode_labels=True, encode_weights=False)`` mirrors
    ``pynini.EncodeMapper(arc_type, encode_labels, encode_weights)``; the
    semiring is fixed by the first machine encoded with it.
    """

    def __init__(self, *, encode_labels: bool = True, encode_weights: bool = False):
        self.encode_labels = bool(encode_labels)
        self.encode_weights = bool(encode_weights)
        self.semiring = None
        self.isymbols = None
        self.osymbols = None
        # table columns (label k is row k - 1) and the key -> label index
        self._ilabel = np.zeros(0, np.int64)
        self._olabel = np.zeros(0, np.int64)
        self._weight = np.zeros(0, np.float64)
        # packed key -> label; None until a second encode needs it (rebuilt
        # from the table columns then)
        self._index: dict[bytes, int] | None = {}

    def __len__(self) -> int:
        """Number of labels handed out so far."""
        return int(self._ilabel.shape[0])

    def __repr__(self) -> str:
        return (f"<kleene.EncodeMapper labels={self.encode_labels} "
                f"weights={self.encode_weights} size={len(self)}>")

    def table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The decoded tuples as arrays ``(ilabel, olabel, weight)``; row
        ``k - 1`` is label ``k``. Final weights appear with labels ``-1``."""
        return self._ilabel.copy(), self._olabel.copy(), self._weight.copy()

    @classmethod
    def from_table(cls, ilabel, olabel, weight, *, semiring, encode_labels: bool = True,
                   encode_weights: bool = False, isymbols=None,
                   osymbols=None) -> EncodeMapper:
        """A mapper whose label ``k`` is row ``k - 1`` of the given tuples (the
        inverse of :meth:`table`). Raises :class:`FstArgError` when a tuple
        repeats."""
        from ..semirings import get_semiring
        mapper = cls(encode_labels=encode_labels, encode_weights=encode_weights)
        mapper.semiring = get_semiring(semiring)
        mapper.isymbols, mapper.osymbols = isymbols, osymbols
        ilabel = np.asarray(ilabel, np.int64)
        labels = mapper._labels_for(ilabel, np.asarray(olabel, np.int64),
                                    np.asarray(weight, np.float64))
        if not np.array_equal(labels, np.arange(1, ilabel.shape[0] + 1)):
            raise FstArgError("the encode table lists a tuple twice")
        return mapper

    def write(self, path) -> None:
        """Writes OpenFst's binary encode table (``pynini.EncodeMapper.write``,
        fstencode's mapper file)."""
        from ..io.encode_table import write_encode_table
        write_encode_table(self, str(path))

    @classmethod
    def read(cls, path) -> EncodeMapper:
        """Reads OpenFst's binary encode table (raises :class:`FstIOError`)."""
        from ..io.encode_table import read_encode_table
        return read_encode_table(str(path))

    # -- internal ------------------------------------------------------
    def _bind(self, fst: Fst) -> None:
        if self.semiring is None:
            self.semiring = fst.semiring
            self.isymbols, self.osymbols = fst.isymbols, fst.osymbols
        elif (self.semiring.name, self.semiring.dtype) != (fst.semiring.name,
                                                            fst.semiring.dtype):
            raise FstArgError(f"encode: the mapper holds {self.semiring} weights but the "
                              f"machine is {fst.semiring}; use one mapper per semiring")

    def _key_index(self) -> dict:
        """The packed-key -> label dict, rebuilt from the table if needed."""
        if self._index is None:
            rows = _packed_rows(self._ilabel, self._olabel, self._weight)[1]
            self._index = {row.tobytes(): k for k, row in enumerate(rows, start=1)}
        return self._index

    def _labels_for(self, ilab, olab, wts) -> np.ndarray:
        """Labels for the key rows, adding unseen keys in order of first
        appearance. One hash pass over the keys (kernels/encode.py, O(m)
        expected); the Python loop runs over distinct keys only, and not at
        all for a fresh mapper."""
        m = ilab.shape[0]
        if m == 0:
            return np.zeros(0, np.int64)
        packed, rows = _packed_rows(ilab, olab, wts)
        # ranks of the distinct keys in order of first appearance
        inverse, first = number_keys(packed[:, 0], packed[:, 1], packed[:, 2])
        num_keys = first.shape[0]
        if self._ilabel.shape[0] == 0:
            # fresh mapper: labels 1, 2, ... in order of first appearance
            self._ilabel = packed[first, 0].copy()
            self._olabel = packed[first, 1].copy()
            self._weight = packed[first, 2].view(np.float64).copy()
            self._index = None
            return inverse + 1
        label_of_uniq = np.empty(num_keys, np.int64)
        index = self._key_index()
        new_keys = []
        for u in range(num_keys):
            key = rows[first[u]].tobytes()
            label = index.get(key)
            if label is None:
                label = len(index) + 1
                index[key] = label
                new_keys.append(first[u])
            label_of_uniq[u] = label
        if new_keys:
            idx = np.asarray(new_keys, np.int64)
            self._ilabel = np.concatenate([self._ilabel, packed[idx, 0]])
            self._olabel = np.concatenate([self._olabel, packed[idx, 1]])
            self._weight = np.concatenate([self._weight, packed[idx, 2].view(np.float64)])
        return label_of_uniq[inverse]


def _packed_rows(ilab, olab, wts) -> tuple[np.ndarray, np.ndarray]:
    """The keys as an ``(m, 3)`` int64 array (the weight's bits, -0.0 made
    0.0, in the last column) and as one 24-byte void row each."""
    m = ilab.shape[0]
    packed = np.empty((m, 3), np.int64)
    packed[:, 0] = ilab
    packed[:, 1] = olab
    packed[:, 2] = (np.asarray(wts, np.float64) + 0.0).view(np.int64)  # -0.0 -> 0.0
    return packed, packed.view(np.dtype((np.void, 24))).ravel()


def encode(fst: Fst, mapper: EncodeMapper) -> Fst:
    """Replaces every arc's tuple by its label in ``mapper`` (which grows).

    With ``encode_labels`` the result is an acceptor whose labels are the
    codes of the ``(ilabel, olabel)`` pairs; otherwise only input labels are
    replaced (output labels stay). With ``encode_weights`` arc weights become
    one and every final state gets an arc, labelled with the code of its final
    weight, to a new super-final state (the last state, final with weight
    one), as OpenFst does; arcs of a state are encoded before its final
    weight, states in order, which fixes the numbering.

    Preconditions: the machine's semiring matches the mapper's (the first
    machine encoded fixes it).

    Complexity: O(E log E) (one sort of the packed keys) plus O(K) Python work
    for the K distinct tuples.
    """
    if not isinstance(fst, Fst):
        raise FstArgError(f"encode expects a kleene.Fst, not {type(fst).__name__}")
    if not isinstance(mapper, EncodeMapper):
        raise FstArgError("encode expects a kleene.EncodeMapper as its second argument")
    mapper._bind(fst)
    sr = fst.semiring
    n, m = fst.num_states, fst.num_arcs
    labels_too = mapper.encode_labels
    weights_too = mapper.encode_weights
    if mapper._ilabel.shape[0] == 0:
        return _encode_fresh(fst, mapper)
    arc_o = fst.olabel if labels_too else np.zeros(m, np.int64)
    arc_w = fst.weight if weights_too else np.broadcast_to(np.float64(sr.one), (m,))
    if not weights_too:
        codes = mapper._labels_for(fst.ilabel, arc_o, arc_w)
        ilabel = codes.astype(LABEL_DTYPE)
        olabel = ilabel if labels_too else fst.olabel
        props = _encoded_props(fst, labels_too)
        return Fst(fst.indptr, ilabel, olabel.copy(), fst.nextstate, fst.weight,
                   fst.final, fst.start, sr, None if labels_too else fst.isymbols,
                   None if labels_too else fst.osymbols, props, check=False)
    # Final weights become arcs to a super-final state, placed after the
    # state's own arcs: slot of arc a of state s is a + s, of s's final s + indptr[s+1].
    is_final = ~sr.is_zero(fst.final)
    final_states = np.flatnonzero(is_final)
    k = final_states.shape[0]
    src = fst.arc_source.astype(np.int64)
    finals_before = np.concatenate([[0], np.cumsum(is_final, dtype=np.int64)])
    arc_slot = np.arange(m, dtype=np.int64) + finals_before[src]
    final_slot = fst.indptr[final_states + 1] + finals_before[final_states]
    total = m + k
    key_i = np.empty(total, np.int64)
    key_o = np.empty(total, np.int64)
    key_w = np.empty(total, np.float64)
    key_i[arc_slot], key_o[arc_slot], key_w[arc_slot] = fst.ilabel, arc_o, arc_w
    key_i[final_slot] = _FINAL_LABEL
    key_o[final_slot] = _FINAL_LABEL if labels_too else 0
    key_w[final_slot] = fst.final[final_states]
    codes = mapper._labels_for(key_i, key_o, key_w).astype(LABEL_DTYPE)
    superfinal = n
    nextstate = np.empty(total, STATE_DTYPE)
    nextstate[arc_slot] = fst.nextstate
    nextstate[final_slot] = superfinal
    olabel = np.empty(total, LABEL_DTYPE)
    if labels_too:
        olabel[:] = codes
    else:
        olabel[arc_slot] = fst.olabel
        olabel[final_slot] = 0
    indptr = np.empty(n + 2, INDPTR_DTYPE)
    indptr[:n + 1] = fst.indptr + finals_before
    indptr[n + 1] = total
    final = np.full(n + 1, sr.zero, sr.dtype)
    final[superfinal] = sr.one
    weight = np.full(total, sr.one, sr.dtype)
    start = fst.start
    props = Props().set(Prop.UNWEIGHTED, True)
    if labels_too:
        props = props.set(Prop.ACCEPTOR, True)
    return Fst(indptr, codes, olabel, nextstate, weight, final, start, sr,
               None, None if labels_too else fst.osymbols, props, check=False)


def _encode_fresh(fst: Fst, mapper: EncodeMapper) -> Fst:
    """:func:`encode` with a mapper that holds no tuples yet (optimize's
    case): one kernel pass numbers the tuples and lays out the machine. Same
    result as the general path. O(E) expected."""
    sr = fst.semiring
    n = fst.num_states
    labels_too, weights_too = mapper.encode_labels, mapper.encode_weights
    def bits(values):  # float64 bit patterns, -0.0 made 0.0 (as _packed_rows)
        return (np.asarray(values, np.float64) + 0.0).view(np.int64)
    codes, indptr, olabel, nextstate, key_i, key_o, key_w = encode_fresh(
        fst.indptr, fst.ilabel, fst.olabel, bits(fst.weight), fst.nextstate, fst.final,
        bits(fst.final), sr.code, labels_too, weights_too, _FINAL_LABEL)
    mapper._ilabel, mapper._olabel = key_i, key_o
    mapper._weight = key_w.view(np.float64)
    mapper._index = None
    if not weights_too:
        olabel = codes if labels_too else fst.olabel.copy()
        return Fst(fst.indptr, codes, olabel, fst.nextstate, fst.weight, fst.final, fst.start,
                   sr, None if labels_too else fst.isymbols,
                   None if labels_too else fst.osymbols, _encoded_props(fst, labels_too),
                   check=False)
    total = codes.shape[0]
    final = np.full(n + 1, sr.zero, sr.dtype)
    final[n] = sr.one
    props = Props().set(Prop.UNWEIGHTED, True)
    if labels_too:
        props = props.set(Prop.ACCEPTOR, True)
        olabel = codes
    return Fst(indptr.astype(INDPTR_DTYPE, copy=False), codes, olabel, nextstate,
               np.full(total, sr.one, sr.dtype), final, fst.start, sr, None,
               None if labels_too else fst.osymbols, props, check=False)


def _encoded_props(fst: Fst, labels_too: bool) -> Props:
    props = Props()
    if labels_too:
        props = props.set(Prop.ACCEPTOR, True)
    for p in (Prop.ACYCLIC, Prop.ACCESSIBLE, Prop.COACCESSIBLE, Prop.UNWEIGHTED):
        v = fst.props.get(p)
        if v is not None:
            props = props.set(p, v)
    return props


def decode(fst: Fst, mapper: EncodeMapper) -> Fst:
    """Replaces encoded labels by the tuples they stand for in ``mapper``.

    Label 0 stays epsilon. Decoded final-weight arcs become epsilon arcs,
    and then, as OpenFst's ``Decode`` does, epsilon arcs into final states
    with no successful continuation are folded into final weights
    (``RmFinalEpsilon``) and the machine is trimmed (``connect``), so
    ``decode(encode(A), m)`` gives back a trimmed ``A``.

    Preconditions: every non-zero label is in the mapper (raises
    :class:`FstArgError`); with ``encode_labels`` input and output labels of
    each arc are equal and with ``encode_weights`` arc weights are one (as
    OpenFst checks).

    Complexity: O(V + E).
    """
    if not isinstance(fst, Fst):
        raise FstArgError(f"decode expects a kleene.Fst, not {type(fst).__name__}")
    if not isinstance(mapper, EncodeMapper):
        raise FstArgError("decode expects a kleene.EncodeMapper as its second argument")
    if mapper.semiring is not None:
        mapper._bind(fst)
    sr = fst.semiring
    lab = fst.ilabel.astype(np.int64)
    if np.any(lab > len(mapper)):
        bad = int(lab[lab > len(mapper)][0])
        raise FstArgError(f"decode: label {bad} is not in the encode mapper ({len(mapper)} "
                          "labels); decode with the mapper that encoded the machine")
    coded = lab > 0
    if mapper.encode_labels and np.any(fst.olabel[coded] != fst.ilabel[coded]):
        raise FstArgError("decode: a label-encoded arc has different input and output "
                          "labels; decode an acceptor produced by encode")
    if mapper.encode_weights and np.any(~sr.is_one(fst.weight[coded])):
        raise FstArgError("decode: a weight-encoded arc has a weight other than one")
    row = lab[coded] - 1
    ilabel = fst.ilabel.copy()
    ilabel[coded] = np.maximum(mapper._ilabel[row], 0)
    olabel = fst.olabel.copy()
    if mapper.encode_labels:
        olabel[coded] = np.maximum(mapper._olabel[row], 0)
    weight = fst.weight.copy()
    if mapper.encode_weights:
        weight[coded] = mapper._weight[row]
    final = fst.final.copy()
    indptr, ilabel, olabel, nextstate, weight, final = _rm_final_epsilon(
        fst, ilabel, olabel, weight, final)
    out = Fst(indptr, ilabel, olabel, nextstate, weight, final, fst.start, sr,
              mapper.isymbols if mapper.encode_labels else fst.isymbols,
              mapper.osymbols if mapper.encode_labels else fst.osymbols, check=False)
    if out.start == NO_STATE:
        return out
    return connect(out)


def _rm_final_epsilon(fst, ilabel, olabel, weight, final):
    """OpenFst's ``RmFinalEpsilon`` on arrays: an epsilon arc into a final
    state that cannot reach a final state by any arc is removed and its
    weight times that state's final weight is added to the source's final
    weight. Vectorised; O(V + E)."""
    sr = fst.semiring
    n = fst.num_states
    if fst.num_arcs == 0:
        return fst.indptr, ilabel, olabel, fst.nextstate, weight, final
    co = coaccessible_states(fst.indptr, fst.nextstate, final, sr.code)
    src = fst.arc_source.astype(np.int64)
    nxt = fst.nextstate.astype(np.int64)
    has_live_arc = np.zeros(n, bool)
    has_live_arc[src[co[nxt]]] = True
    dead_end_final = ~sr.is_zero(final) & ~has_live_arc
    drop = dead_end_final[nxt] & (ilabel == 0) & (olabel == 0)
    if not np.any(drop):
        return fst.indptr, ilabel, olabel, fst.nextstate, weight, final
    contrib = np.asarray(sr.times(final[nxt[drop]], weight[drop]), np.float64)
    new_final = final.astype(np.float64)
    _plus_at(sr, new_final, src[drop], contrib)
    final = new_final.astype(sr.dtype)
    keep = ~drop
    counts = np.bincount(src[keep], minlength=n)
    indptr = np.zeros(n + 1, INDPTR_DTYPE)
    np.cumsum(counts, out=indptr[1:])
    return (indptr, ilabel[keep], olabel[keep], fst.nextstate[keep], weight[keep], final)


def _plus_at(sr, acc: np.ndarray, index: np.ndarray, values: np.ndarray) -> None:
    """``acc[index] ⊕= values`` (unbuffered, like ``np.add.at``)."""
    if sr.name == "tropical":
        np.minimum.at(acc, index, values)
    elif sr.name == "log":
        neg = -acc
        np.logaddexp.at(neg, index, -values)
        acc[:] = -neg
    elif sr.name == "real":
        np.add.at(acc, index, values)
    else:
        np.maximum.at(acc, index, values)
