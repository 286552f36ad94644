"""Backoff n-gram models as weighted acceptors (the grammar G of speech
decoding graphs), and sentence scoring through them.

:func:`model_to_fst` turns an :class:`~kleene.lm.model.NgramModel` (or an
ARPA file read with :func:`kleene.lm.arpa.read_arpa`) into G with Kaldi's
``arpa2fst`` layout:

- one state per history: the empty history (state 0, the unigram state),
  and every n-gram below the highest order that does not end in ``</s>``;
  the history ``<s>`` is the start state (for a unigram model the start is
  state 0);
- an arc per explicit n-gram ``h w``, from the state of ``h``, labelled
  ``w`` (word ids of the vocabulary, which are also symbol-table keys), with
  cost ``-ln(10) * log10 P(w | h)`` (natural-log costs, as Kaldi), to the
  state of ``h w`` — for the highest order to the state of its last N-1
  words, since a longer history never matters;
- a backoff arc from every history state to the state of its history minus
  the first word, with cost ``-ln(10) * backoff(h)``;
- ``</s>`` is no label: ``P(</s> | h)`` is the final cost of ``h``'s state;
  ``<s>`` costs nothing (it is the start).

Two readings of the backoff arcs:

``backoff="phi"``
    Failure transitions labelled ``#phi`` (appended to the symbol table):
    taken only when the state has no arc for the word. This is exactly the
    ARPA backoff model: the cost of every sentence is ``-ln(10)`` times
    :meth:`NgramModel.score_sentence`. Final weights are resolved through the
    backoff chain on every state, so G is exact even for consumers that do
    not follow φ arcs for final weights. Use it with
    ``kleene.compose(x, G, phi_label=phi, special_side="b")`` or
    :func:`score_with_fst`.
``backoff="epsilon"``
    Kaldi's G.fst: backoff arcs are ``#0:<eps>`` (``disambig="#0"``, as
    ``arpa2fst --disambig-symbol=#0``; ``#0`` is appended to the table when
    absent) or ``<eps>:<eps>`` (``disambig=None``). Finals are only the
    explicit ``h </s>`` n-grams. Read as ordinary ε arcs, paths may back off
    where an explicit n-gram exists, so the tropical best path can cost less
    than the exact model (never more: the exact path is one of them).
    Unlike ``arpa2fst`` without ``--disambig-symbol``, ``<s>``/``</s>`` are
    never arc labels here.

With the default ``remove_redundant=False`` the states and arcs are those of
kaldilm's ``arpa2fst`` (isomorphic, weights equal to float32 rounding).
``remove_redundant=True`` drops history states with no arc of their own
(n-grams that nothing continues), as Kaldi's C++ ``arpa2fst`` does with a
disambiguation symbol: arcs into such a state go straight to its backoff
state with the backoff cost added. Both readings stay exact.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np

from ..core.fst import Fst
from ..core.properties import Prop, Props
from ..core.symbols import SymbolTable
from ..errors import FstArgError, FstOpError
from ..kernels import g_hashed as _kh
from ..kernels import ngram_fst as _k
from ..semirings import get_semiring
from .errors import LmModelError
from .model import WordTable

LN10 = math.log(10.0)
#: the symbol of φ (failure) backoff arcs in G's symbol table
PHI_SYMBOL = "#phi"
_INF = np.inf


def model_to_fst(model, *, backoff: Literal["phi", "epsilon"] = "phi",
                 disambig: str | None = "#0", symbols: SymbolTable | None = None,
                 remove_redundant: bool = False,
                 semiring: Literal["tropical64", "tropical", "log64", "log"] = "tropical64",
                 ) -> Fst:
    """The backoff WFST G of an n-gram model (layout in the module doc).

    ``model``: an :class:`~kleene.lm.model.NgramModel` (any object with its
    ``order``, ``vocab``, ``ngrams``, ``logprob``, ``backoff`` fields).
    ``backoff``: ``"phi"`` (exact failure arcs labelled ``#phi``) or
    ``"epsilon"`` (Kaldi's ``#0:<eps>`` arcs with ``disambig="#0"``, or
    ``<eps>:<eps>`` with ``disambig=None``; ``disambig`` is ignored by the φ
    form). ``symbols``: the table whose keys become labels (e.g. a Kaldi
    ``words.txt``); default: the model's vocabulary (word id = label). The
    backoff symbol is appended to a copy of it when absent; a model word
    missing from ``symbols`` raises :class:`~kleene.errors.FstSymbolError`.
    ``semiring``: ``"tropical64"`` (default: float64 costs, exact to ~1e-12)
    or ``"tropical"`` (float32, OpenFst's standard arc type that Kaldi reads);
    the log semirings give the same machine (G is deterministic in the φ
    reading).

    Preconditions: the model satisfies the ARPA invariant (every k-gram's
    prefix and suffix are (k-1)-grams; :meth:`NgramModel.validate`) —
    otherwise :class:`~kleene.lm.errors.LmModelError`. n-grams with ``<s>``
    after the first word or ``</s>`` before the last are skipped, as Kaldi
    does.

    Complexity: O(n log n) for n n-grams in total (numpy/numba passes, no
    Python work per n-gram); about 3 arrays of n entries of extra memory.
    """
    if backoff not in ("phi", "epsilon"):
        raise FstArgError(f"model_to_fst: backoff must be 'phi' or 'epsilon', not {backoff!r}")
    sr = get_semiring(semiring)
    if sr.name not in ("tropical", "log"):
        raise FstArgError(f"model_to_fst: semiring must be tropical or log, not {semiring!r}")
    order, ngrams, logprob, backoffs = _model_tables(model)
    vocab = model.vocab
    table, labels, backoff_label = _labels(vocab, symbols, backoff, disambig)
    parts = _build(order, ngrams, logprob, backoffs, int(vocab.BOS), int(vocab.EOS),
                   remove_redundant)
    return _assemble(parts, labels, backoff_label, backoff, table, sr)


# -- model tables ----------------------------------------------------------------
def _model_tables(model):
    try:
        order = int(model.order)
        ngrams = [np.ascontiguousarray(g, dtype=np.int32) for g in model.ngrams]
        logprob = [np.asarray(p, dtype=np.float64) for p in model.logprob]
        backoffs = [np.asarray(b, dtype=np.float64) for b in model.backoff]
    except AttributeError as exc:
        raise FstArgError(f"model_to_fst expects an NgramModel, got {type(model).__name__}"
                          ) from exc
    if order < 1 or len(ngrams) != order or len(logprob) != order or len(backoffs) != order:
        raise LmModelError(f"model of order {order} must have {order} n-gram, logprob and "
                           "backoff tables")
    for k, (g, p, b) in enumerate(zip(ngrams, logprob, backoffs), start=1):
        if g.ndim != 2 or g.shape[1] != k or p.shape != (len(g),) or b.shape != (len(g),):
            raise LmModelError(f"the {k}-gram tables have inconsistent shapes "
                               f"{g.shape}, {p.shape}, {b.shape}")
    return order, ngrams, logprob, backoffs


def _labels(vocab, symbols, backoff, disambig):
    """(symbol table of G, label of every word id, backoff label)."""
    words = vocab.words
    if symbols is None:
        table = vocab.to_symbol_table()
        labels = np.arange(len(words), dtype=np.int32)
    else:
        if not isinstance(symbols, SymbolTable):
            raise FstArgError(f"symbols must be a kleene.SymbolTable, not "
                              f"{type(symbols).__name__}")
        table = symbols.copy()
        labels = np.fromiter((table.find(w) for w in words), dtype=np.int64,
                             count=len(words))
        labels[vocab.EPS] = 0
        missing = [w for w, lab in zip(words, labels) if lab < 0 and w != "<eps>"]
        if missing:
            from ..errors import FstSymbolError
            raise FstSymbolError(
                f"model_to_fst: {len(missing)} model words are not in the symbol table "
                f"{table.name!r} (first: {missing[:5]}); add them or omit symbols=")
        labels = labels.astype(np.int32)
    if backoff == "phi":
        backoff_label = table.add_symbol(PHI_SYMBOL)
    elif disambig is not None:
        backoff_label = table.add_symbol(disambig)
    else:
        backoff_label = 0
    if backoff_label != 0 and backoff_label in set(labels[1:].tolist()):
        raise FstArgError("model_to_fst: the backoff symbol is also a model word")
    return table, labels, backoff_label


# -- structure ---------------------------------------------------------------------
class _Parts:
    """Arrays of G before labels are mapped: states, arcs (by source),
    backoff arcs (one per non-root state), finals, start."""

    __slots__ = (
        "arc_cost",
        "arc_dest",
        "arc_src",
        "arc_word",
        "bo_cost",
        "bo_dest",
        "final",
        "num_states",
        "start",
    )


def _build(order, ngrams, logprob, backoffs, bos, eos, remove_redundant) -> _Parts:
    n_rows = [len(g) for g in ngrams]
    # parent (prefix) and suffix rows in the table one order down; the
    # empty history is "row 0" of an imaginary 0-gram table
    parent = [np.zeros(n_rows[0], np.int64)]
    suffix = [np.zeros(n_rows[0], np.int64)]
    keys = [ngrams[0][:, 0].astype(np.int64)]
    vsize = np.int64(max(int(g.max()) if g.size else 0 for g in ngrams) + 1)
    if n_rows[0] > 1 and np.any(np.diff(keys[0]) <= 0):
        raise LmModelError("the unigram table must be sorted and unique")
    for k in range(2, order + 1):
        g = ngrams[k - 1]
        p = _k.parent_rows(ngrams[k - 2], g) if len(g) else np.zeros(0, np.int64)
        if np.any(p < 0):
            bad = g[int(np.argmax(p < 0))]
            raise LmModelError(f"the {k}-gram {bad.tolist()} has no ({k - 1})-gram prefix: "
                               "the model breaks the ARPA invariant (run validate())")
        key = p * vsize + g[:, -1]
        if len(key) > 1 and np.any(np.diff(key) <= 0):
            raise LmModelError(f"the {k}-gram table must be sorted and unique")
        # the suffix w2..wk is (suffix of the prefix w2..w_{k-1}) + wk
        skey = suffix[k - 2][p] * vsize + g[:, -1]
        s = np.searchsorted(keys[k - 2], skey)
        found = s < len(keys[k - 2])
        found[found] = keys[k - 2][s[found]] == skey[found]
        if not found.all():
            bad = g[int(np.argmax(~found))]
            raise LmModelError(f"the {k}-gram {bad.tolist()} has no ({k - 1})-gram suffix: "
                               "the model breaks the ARPA invariant (run validate())")
        parent.append(p)
        suffix.append(s.astype(np.int64))
        keys.append(key)

    # n-grams Kaldi skips: <s> after the first word, </s> before the last
    valid = [np.ones(n_rows[0], bool)]
    for k in range(2, order + 1):
        g = ngrams[k - 1]
        valid.append(valid[k - 2][parent[k - 1]] & (g[:, -1] != bos)
                     & (g[:, -2] != eos))
    last = [g[:, -1] for g in ngrams]
    # histories: below the top order, valid, not ending in </s>
    is_hist = [valid[k - 1] & (last[k - 1] != eos) for k in range(1, order)]
    if remove_redundant:
        for k in range(1, order):
            child = np.bincount(parent[k][valid[k]], minlength=n_rows[k - 1]) > 0
            keep = child | (last[k - 1] == bos) if k == 1 else child
            is_hist[k - 1] &= keep

    # state numbers: 0 = empty history, then histories order by order, row order
    state = []
    next_id = 1
    for k in range(1, order):
        ids = np.full(n_rows[k - 1], -1, np.int64)
        count = int(is_hist[k - 1].sum())
        ids[is_hist[k - 1]] = np.arange(next_id, next_id + count)
        next_id += count
        state.append(ids)
    num_states = next_id

    # where an n-gram's history leads: its own state, or (removed) its
    # backoff state with the backoff cost added
    bo_cost_rows = [-LN10 * b for b in backoffs]
    res_state, res_cost = [], []
    for k in range(1, order):
        if k == 1:
            low_s = np.zeros(n_rows[0], np.int64)
            low_c = np.zeros(n_rows[0])
        else:
            low_s = res_state[k - 2][suffix[k - 1]]
            low_c = res_cost[k - 2][suffix[k - 1]]
        own = state[k - 1] >= 0
        res_state.append(np.where(own, state[k - 1], low_s))
        res_cost.append(np.where(own, 0.0, low_c + bo_cost_rows[k - 1]))

    final = np.full(num_states, _INF)
    src_parts, word_parts, dest_parts, cost_parts = [], [], [], []
    for k in range(1, order + 1):
        g_last = last[k - 1]
        cost = -LN10 * logprob[k - 1]
        src = np.zeros(n_rows[k - 1], np.int64) if k == 1 else \
            np.where(valid[k - 1], state[k - 2][parent[k - 1]], -1)
        ends = valid[k - 1] & (g_last == eos)
        if ends.any():
            final[src[ends]] = cost[ends]
        arcs = valid[k - 1] & (g_last != eos) & (g_last != bos)
        if k < order:
            dest, extra = res_state[k - 1], res_cost[k - 1]
        elif k == 1:
            dest, extra = np.zeros(n_rows[0], np.int64), np.zeros(n_rows[0])
        else:  # top order: the state of the last N-1 words
            dest = res_state[k - 2][suffix[k - 1]]
            extra = res_cost[k - 2][suffix[k - 1]]
        src_parts.append(src[arcs])
        word_parts.append(g_last[arcs])
        dest_parts.append(dest[arcs])
        cost_parts.append(cost[arcs] + extra[arcs])
    parts = _Parts()
    parts.num_states = num_states
    parts.arc_src = np.concatenate(src_parts)
    parts.arc_word = np.concatenate(word_parts)
    parts.arc_dest = np.concatenate(dest_parts)
    parts.arc_cost = np.concatenate(cost_parts)
    if parts.arc_src.size and parts.arc_src.min() < 0:
        raise LmModelError("an n-gram's history is not a state (its prefix ends in </s>)")

    # backoff arcs of states 1..num_states-1, in state order
    bo_dest = np.zeros(num_states, np.int64)
    bo_cost = np.zeros(num_states)
    for k in range(1, order):
        rows = np.flatnonzero(state[k - 1] >= 0)
        ids = state[k - 1][rows]
        if k == 1:
            bo_dest[ids] = 0
            bo_cost[ids] = bo_cost_rows[0][rows]
        else:
            sfx = suffix[k - 1][rows]
            bo_dest[ids] = res_state[k - 2][sfx]
            bo_cost[ids] = bo_cost_rows[k - 1][rows] + res_cost[k - 2][sfx]
    parts.bo_dest = bo_dest
    parts.bo_cost = bo_cost
    parts.final = final

    start = 0
    if order >= 2:
        row = np.searchsorted(keys[0], bos)
        if row < n_rows[0] and keys[0][row] == bos and state[0][row] >= 0:
            start = int(state[0][row])
    parts.start = start
    return parts


def _resolve_finals(parts: _Parts) -> np.ndarray:
    """φ reading of the final weights: a state without ``h </s>`` gets its
    backoff cost plus its backoff state's (resolved) final. Backoff states
    have smaller numbers, so one pass in state order suffices."""
    final = parts.final.copy()
    missing = np.flatnonzero(final == _INF)
    missing = missing[missing > 0]
    # states are numbered by order, so process in increasing chunks where
    # every backoff destination is already resolved
    while missing.size:
        dest = parts.bo_dest[missing]
        ready = ~np.isin(dest, missing)
        idx = missing[ready]
        final[idx] = parts.bo_cost[idx] + final[parts.bo_dest[idx]]
        missing = missing[~ready]
    return final


def _assemble(parts: _Parts, labels, backoff_label, backoff, table, sr) -> Fst:
    n = parts.num_states
    n_words = len(parts.arc_src)
    word_count = np.bincount(parts.arc_src, minlength=n)
    has_bo = np.ones(n, np.int64)
    has_bo[0] = 0
    degree = word_count + has_bo
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(degree, out=indptr[1:])
    word_start = np.zeros(n + 1, np.int64)
    np.cumsum(word_count, out=word_start[1:])
    # word arcs come sorted by source (state numbers follow table rows);
    # the backoff arc goes first (label 0) or last (#0/#phi appended)
    bo_first = backoff_label == 0
    offset = np.arange(n_words, dtype=np.int64) - word_start[parts.arc_src]
    pos = indptr[parts.arc_src] + offset + (has_bo[parts.arc_src] if bo_first else 0)
    m = int(indptr[-1])
    ilabel = np.empty(m, np.int32)
    nextstate = np.empty(m, np.int32)
    weight = np.empty(m, sr.dtype)
    word_labels = labels[parts.arc_word]
    ilabel[pos] = word_labels
    nextstate[pos] = parts.arc_dest
    weight[pos] = parts.arc_cost
    states = np.arange(1, n)
    bo_pos = indptr[states] if bo_first else indptr[states + 1] - 1
    ilabel[bo_pos] = backoff_label
    nextstate[bo_pos] = parts.bo_dest[1:]
    weight[bo_pos] = parts.bo_cost[1:]
    olabel = ilabel.copy()
    if backoff == "epsilon" and backoff_label != 0:
        olabel[bo_pos] = 0  # Kaldi's #0:<eps>
    final = _resolve_finals(parts) if backoff == "phi" else parts.final
    final = final.astype(sr.dtype)

    no_backoff_arcs = n == 1
    acceptor = backoff == "phi" or backoff_label == 0 or no_backoff_arcs
    props = (Props().set(Prop.ACCEPTOR, acceptor)
             .set(Prop.NO_IEPSILONS, backoff_label != 0 or no_backoff_arcs)
             .set(Prop.NO_OEPSILONS, (acceptor and backoff_label != 0) or no_backoff_arcs)
             .set(Prop.ACCESSIBLE, True))
    fst = Fst(indptr, ilabel, olabel, nextstate, weight, final, parts.start, sr,
              table, table, props, check=False)
    monotone = bool(np.all(np.diff(labels[1:].astype(np.int64)) > 0))
    if monotone and (bo_first or backoff_label > int(labels.max(initial=0))):
        return fst.replace(props=props.set(Prop.ILABEL_SORTED, True))
    from ..algorithms.arcsort import arcsort
    return arcsort(fst, sort_type="ilabel")


# -- scoring -----------------------------------------------------------------------
def backoff_label_of(G: Fst) -> tuple[int, str]:
    """``(label, reading)`` of G's backoff arcs, from its symbol table:
    ``#phi`` → φ, ``#0`` → ε (disambiguated), otherwise label 0 → ε."""
    table = G.isymbols
    if table is not None:
        phi = table.find(PHI_SYMBOL)
        if phi >= 0:
            return int(phi), "phi"
        zero = table.find("#0")
        if zero >= 0:
            return int(zero), "epsilon"
    return 0, "epsilon"


def _sentence_ids(sentences, key_of: dict, unk_id: int):
    """Flattened label ids (``unk_id``, possibly -1, for words not in
    ``key_of``) and sentence offsets. One dict look-up per word."""
    get = key_of.get
    ids: list[int] = []
    offsets = [0]
    for sentence in sentences:
        words = sentence.split() if isinstance(sentence, str) else sentence
        ids.extend([get(w, unk_id) for w in words])
        offsets.append(len(ids))
    return np.asarray(ids, dtype=np.int64), np.asarray(offsets, dtype=np.int64)


_RESERVED = frozenset(("<s>", "</s>", "<eps>", PHI_SYMBOL, "#0"))
_RESERVED_ID = -2


def score_with_fst(G: Fst, sentences: Iterable[str | Sequence[str]], *,
                   symbols: SymbolTable | None = None,
                   reading: Literal["auto", "phi", "epsilon"] = "auto",
                   backoff_label: int | None = None, eos: bool = True,
                   unk: str = "<unk>", oov_log10: float | None = None,
                   method: Literal["walk", "compose"] = "walk") -> np.ndarray:
    """log10 probability of every sentence under G (float64 array; ``-inf``
    where G rejects it).

    ``sentences``: strings (split on whitespace) or word sequences, without
    ``<s>``/``</s>`` (the start state and final weights stand for them;
    ``eos=False`` leaves the final weight out; with ``remove_redundant=True``
    machines that prefix score can include backoff costs paid early). Words
    are looked up in ``symbols`` (default G's input table); a word without
    an arc at the unigram state (the end of the backoff chains) is out of
    vocabulary: it is read as ``unk`` when G has a unigram arc for that, as
    :class:`~kleene.lm.model.NgramModel` does; otherwise the sentence is
    rejected (``-inf``), or, with ``oov_log10`` given (kenlm and
    ``NgramModel`` use -100), the word costs that after the backoff weights
    on the way down and the walk resumes at the unigram state. The compose
    method rejects such sentences.

    ``reading``: ``"phi"`` gives exactly the model's probability (failure
    semantics); ``"epsilon"`` the tropical best path with backoff arcs as ε
    transitions — Kaldi's reading of G, which is ≥ the exact probability
    (a path may back off past an explicit n-gram when that is cheaper).
    ``"auto"`` takes the reading from the table (``#phi`` → φ, else ε), and
    the backoff label too unless ``backoff_label`` is given.

    ``method``: ``"walk"`` follows G directly (a numba kernel; needs at most
    one backoff arc per state, as :func:`model_to_fst` builds);
    ``"compose"`` composes each sentence's linear acceptor with G (φ
    matcher or ε arcs) and takes the tropical shortest distance — slow, a
    cross-check for machines of any shape.

    Complexity (walk): O(words * order) expected hash probes for φ (a
    binary search per probe, O(log degree), on machines with two arcs of
    one state sharing an input label); the ε reading
    also carries every reachable state (a few per order).
    """
    scorer = GScorer(G, symbols=symbols, reading=reading, backoff_label=backoff_label,
                     unk=unk)
    # one call: the hashed walk's table (O(arcs) to build) pays off only for
    # enough words; fewer take the binary-search walk
    scorer._min_words_to_hash = G.num_arcs // 16
    return scorer.score(sentences, eos=eos, oov_log10=oov_log10, method=method)


class GScorer:
    """:func:`score_with_fst` with G's preparation done once: the backoff
    arc of every state, the unigram state, the word → label dict and the
    out-of-vocabulary map (O(V + E) at construction), the hashed arc table
    of the φ walk (O(E), at the first φ :meth:`score`), then O(words) per
    :meth:`score` call. Arguments as in :func:`score_with_fst`."""

    def __init__(self, G: Fst, *, symbols: SymbolTable | None = None,
                 reading: Literal["auto", "phi", "epsilon"] = "auto",
                 backoff_label: int | None = None, unk: str = "<unk>"):
        if not isinstance(G, Fst):
            raise FstArgError(f"score_with_fst expects a kleene.Fst, not {type(G).__name__}")
        label, auto_reading = backoff_label_of(G)
        if backoff_label is not None:
            label = int(backoff_label)
        if reading == "auto":
            reading = auto_reading
        if reading not in ("phi", "epsilon"):
            raise FstArgError(f"score_with_fst: reading must be auto, phi or epsilon, "
                              f"not {reading!r}")
        if reading == "phi" and label == 0:
            raise FstArgError("score_with_fst: the φ reading needs a backoff label other "
                              "than 0 (G has no #phi symbol: pass backoff_label=)")
        table = symbols if symbols is not None else G.isymbols
        if table is None:
            raise FstArgError("score_with_fst: G has no symbol table; pass symbols=")
        if not G.has(Prop.ILABEL_SORTED):
            from ..algorithms.arcsort import arcsort
            G = arcsort(G, sort_type="ilabel")
        self.G, self.label, self.reading = G, label, reading
        src = G.arc_source
        is_bo = G.ilabel == label
        counts = np.bincount(src[is_bo], minlength=G.num_states)
        self._several_backoffs = bool(counts.size and counts.max() > 1)
        backoff_arc = np.full(G.num_states, -1, np.int64)
        backoff_arc[src[is_bo]] = np.flatnonzero(is_bo)
        self.backoff_arc = backoff_arc
        # the unigram state ends every backoff chain; its words are the vocabulary
        root = G.start
        for _ in range(G.num_states):
            if root < 0 or backoff_arc[root] < 0:
                break
            root = int(G.nextstate[backoff_arc[root]])
        self.root = root
        key_of = {sym: key for key, sym in table}
        unk_id = key_of.get(unk, -1)
        # words without a unigram arc are out of vocabulary: read as <unk>
        # when G has a unigram arc for it, else -1 (rejected or priced)
        top = max(max(key_of.values(), default=0), int(G.ilabel.max(initial=0))) + 1
        known = np.zeros(top, bool)
        if root >= 0:
            known[G.ilabel[G.indptr[root]:G.indptr[root + 1]]] = True
        oov_id = unk_id if 0 <= unk_id < top and known[unk_id] else -1
        self.key_of = {w: (k if known[k] else oov_id) for w, k in key_of.items()}
        self.oov_id = oov_id
        for w in _RESERVED:  # marked, to be refused by score()
            self.key_of[w] = _RESERVED_ID
        self._word_table = WordTable(list(self.key_of), list(self.key_of.values()), oov_id)
        self._hashed_walk = None  # built by the first φ walk
        self._min_words_to_hash = 0

    def _hashed(self):
        """``(keys, arcs, arcs_f, states, states_f, n_labels)`` for
        :func:`~kleene.kernels.g_hashed.phi_walk_hashed`, built once; None
        when G has two arcs of one state with the same input label (the
        binary-search walk then keeps its choice of arc) or labels too large
        for the keys. Memory: 32 bytes per state, and 24 bytes per slot at
        1.5 slots per arc (backoff arcs excluded)."""
        if self._hashed_walk is None:
            G = self.G
            ilabel = G.ilabel.astype(np.int64)
            n_labels = int(ilabel.max(initial=0)) + 1
            same_state = np.diff(G.arc_source) == 0
            if (np.any((np.diff(ilabel) == 0) & same_state) or ilabel.min(initial=0) < 0
                    or (G.num_states + 1) * n_labels >= 2**62):
                self._hashed_walk = ()
                return None
            # the backoff arcs stay out when no word maps to their label
            skip = -1 if self.label in set(self.key_of.values()) else self.label
            num_arcs = G.num_arcs - (int(np.count_nonzero(ilabel == skip)) if skip >= 0
                                     else 0)
            # per state: backoff state, backoff weight, final weight, stored arcs
            states = np.full((G.num_states, 4), -1, np.int64)
            states_f = states.view(np.float64)
            has = self.backoff_arc >= 0
            arcs = self.backoff_arc[has]
            states[has, 0] = G.nextstate[arcs]
            states_f[has, 1] = G.weight[arcs]
            states_f[:, 2] = G.final
            states[:, 3] = np.bincount(G.arc_source[ilabel != skip],
                                       minlength=G.num_states)
            slots = num_arcs * 3 // 2 + 1  # load <= 2/3
            keys = np.empty(slots, np.int64)
            arcs_f = np.empty((slots, 3), np.float64)
            _kh.build_arc_table(G.indptr, ilabel, G.nextstate, G.weight, n_labels, skip,
                                np.ascontiguousarray(states[:, 0]), keys, arcs_f)
            self._hashed_walk = (keys, arcs_f.view(np.int64), arcs_f, states, states_f,
                                 n_labels)
        return self._hashed_walk or None

    def score(self, sentences: Iterable[str | Sequence[str]], *, eos: bool = True,
              oov_log10: float | None = None,
              method: Literal["walk", "compose"] = "walk") -> np.ndarray:
        """log10 probability of every sentence (see :func:`score_with_fst`)."""
        if not isinstance(sentences, (list, tuple)):
            sentences = list(sentences)
        fast = self._word_table.encode(sentences)
        if fast is not None:
            words, offsets = fast
        else:
            words, offsets = _sentence_ids(sentences, self.key_of, self.oov_id)
        if words.size and words.min() == _RESERVED_ID:
            raise FstArgError(f"score_with_fst: sentences must not contain any of "
                              f"{sorted(_RESERVED)}; the start state and final weights "
                              "stand for <s> and </s>")
        oov_cost = _INF if oov_log10 is None else -LN10 * float(oov_log10)
        if method == "compose":
            costs = _score_by_composition(self.G, words, offsets, self.label, self.reading,
                                          eos)
        elif method == "walk":
            if self._several_backoffs:
                raise FstArgError("score_with_fst: a state has several backoff arcs; "
                                  "use method='compose'")
            G = self.G
            hashed = None
            if self.reading == "phi" and (self._hashed_walk is not None
                                          or len(words) >= self._min_words_to_hash):
                hashed = self._hashed()
            if hashed is not None:
                costs, status = _kh.phi_walk_hashed(*hashed[:5], G.start, words, offsets,
                                                    bool(eos), self.root, float(oov_cost),
                                                    hashed[5])
            else:
                kernel = _k.phi_walk if self.reading == "phi" else _k.epsilon_walk
                costs, status = kernel(G.indptr, G.ilabel, G.nextstate, G.weight, G.final,
                                       G.start, self.backoff_arc, words, offsets,
                                       bool(eos), self.root, float(oov_cost))
            if status == _k.BACKOFF_CYCLE:
                raise FstOpError("score_with_fst: G's backoff arcs form a cycle; "
                                 "a backoff model's histories only get shorter")
        else:
            raise FstArgError(f"score_with_fst: method must be 'walk' or 'compose', "
                              f"not {method!r}")
        return -costs / LN10


def _score_by_composition(G, words, offsets, label, reading, eos):
    from ..algorithms.compose import compose
    from ..algorithms.relabel import relabel
    from ..algorithms.shortest_distance import shortest_distance
    sr = get_semiring("tropical", G.weight.dtype)
    if G.semiring is not sr:
        G = G.replace(semiring=sr)
    if not eos:  # a sentence may end anywhere, with nothing to pay
        G = G.replace(final=np.zeros(G.num_states, G.weight.dtype))
    if reading == "epsilon" and label != 0:
        G = relabel(G, ipairs=[(label, 0)])
    out = np.empty(len(offsets) - 1)
    for i in range(len(offsets) - 1):
        ids = words[offsets[i]:offsets[i + 1]]
        if np.any(ids < 0):
            out[i] = _INF
            continue
        n = len(ids)
        line = Fst(np.r_[np.arange(n + 1), n].astype(np.int64), ids.astype(np.int32),
                   ids.astype(np.int32), np.arange(1, n + 1, dtype=np.int32),
                   np.zeros(n, sr.dtype), np.r_[np.full(n, _INF), 0.0].astype(sr.dtype),
                   0, sr)
        if reading == "phi":
            lattice = compose(line, G, phi_label=label, special_side="b")
        else:
            lattice = compose(line, G)
        if lattice.num_states == 0:
            out[i] = _INF
            continue
        out[i] = float(shortest_distance(lattice, reverse=True)[lattice.start])
    return out


__all__ = [
    "LN10",
    "PHI_SYMBOL",
    "GScorer",
    "backoff_label_of",
    "model_to_fst",
    "score_with_fst",
]
