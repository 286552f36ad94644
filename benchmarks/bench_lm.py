"""N-gram language models on the King James Bible (Debian's bible-kjv):
counting + modified Kneser-Ney estimation, ARPA -> G against kaldilm's
arpa2fst, and held-out scoring against kenlm.

The corpus is the whole KJV (about 31k verses, 790k words; ``--quick``:
Genesis), normalised with :func:`kleene.lm.corpus.normalize_words`; the last
3000 verses (quick: 300) are held out for scoring. pynini has no n-gram
tools, so these rows have no pynini time: their peers are kaldilm (ARPA -> G)
and kenlm (scoring), reported in their own columns of the Peers table and
their own Summary lines (absent when the package is not installed). Every
workload checks its result against the peer (or an invariant) before timing:

- count + MKN: the model validates, and kenlm, loading kleene's ARPA file,
  gives the same held-out perplexity (1e-4);
- ARPA -> G: kaldilm's machine, read back from its text output, is
  isomorphic to kleene's ε/#0 G (weights to 1e-4); both sides parse the ARPA
  file inside the timed call;
- perplexity / score_with_fst: equal to kenlm's ``Model.score`` summed over
  the held-out sentences (1e-4 per sentence).
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile

import numpy as np

from .harness import Case, Mismatch, PeerCase, Skip, Workload

_TMP: list[str] = []


def _tmpdir() -> str:
    if not _TMP:
        path = tempfile.mkdtemp(prefix="kleene-bench-lm-")
        atexit.register(shutil.rmtree, path, True)
        _TMP.append(path)
    return _TMP[0]


def workloads(quick: bool) -> list[Workload]:
    out = []
    label = "KJV Genesis" if quick else "KJV"
    for order in (3, 5):
        size = f"{label} {order}-gram"
        out.append(Workload("lm count+mkn", size, ("lm.smoothing:make_model",),
                            functools.partial(_estimate_case, quick, order)))
        out.append(Workload("lm arpa2fst", size, ("lm.fst:model_to_fst",),
                            functools.partial(_arpa2fst_case, quick, order)))
        out.append(Workload("lm perplexity", size, ("lm.model:NgramModel",),
                            functools.partial(_perplexity_case, quick, order)))
        out.append(Workload("lm score_with_fst", size, ("lm.fst:score_with_fst",),
                            functools.partial(_score_fst_case, quick, order)))
    return out


# -- shared inputs (built once per process) ----------------------------------------
@functools.lru_cache(maxsize=None)
def _corpus(quick: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    from kleene.lm.corpus import kjv_verses, normalize_words
    try:
        verses = kjv_verses("Genesis 1:1-50:26" if quick else "Genesis 1:1-Revelation 22:21")
    except FileNotFoundError as exc:
        raise Skip(str(exc)) from None
    sentences = [" ".join(normalize_words(v)) for v in verses]
    held = 300 if quick else 3000
    return tuple(sentences[:-held]), tuple(sentences[-held:])


@functools.lru_cache(maxsize=None)
def _model_files(quick: bool, order: int):
    """(model, ARPA path, words.txt path) of the MKN model of the training part."""
    from kleene.lm import count_ngrams, write_arpa
    from kleene.lm.fst import model_to_fst
    from kleene.lm.smoothing import make_model
    train, _ = _corpus(quick)
    model = make_model(count_ngrams(train, order), "mkn")
    path = os.path.join(_tmpdir(), f"kjv-{int(quick)}-{order}.arpa")
    write_arpa(model, path)
    words = os.path.join(_tmpdir(), f"kjv-{int(quick)}-{order}.words.txt")
    model_to_fst(model, backoff="epsilon").isymbols.write_text(words)
    return model, path, words


def _kenlm():
    try:
        import kenlm
    except ImportError:
        return None
    return kenlm


def _kenlm_scores(path: str, sentences) -> np.ndarray:
    model = _kenlm().Model(path)
    return np.array([model.score(s, bos=True, eos=True) for s in sentences])


def _num_tokens(sentences) -> int:
    return sum(len(s.split()) + 1 for s in sentences)


# -- count + estimate ------------------------------------------------------------------
def _estimate_case(quick: bool, order: int) -> Case:
    from kleene.lm import count_ngrams, write_arpa
    from kleene.lm.smoothing import make_model
    train, held = _corpus(quick)

    def run():
        return make_model(count_ngrams(train, order), "mkn")

    def check(model, _peer):
        model.validate()
        if _kenlm() is None:
            return
        path = os.path.join(_tmpdir(), "estimate-check.arpa")
        write_arpa(model, path)
        want = _kenlm_scores(path, held).sum()
        got, _, _ = model.score_corpus(held)
        if not np.isclose(got, want, rtol=1e-4):
            raise Mismatch(f"held-out log10 prob {got} vs kenlm {want}")

    tokens = _num_tokens(train)
    model, _, _ = _model_files(quick, order)
    return Case(kleene=run, pynini=None, check=check, num_states=0,
                num_arcs=sum(model.num_ngrams), input_bytes=sum(len(s) for s in train),
                note=f"{tokens:,} training tokens (with </s>); no peer (lmplz is a "
                     f"binary); tokens/s = {tokens:,} / time; kenlm checks perplexity")


# -- ARPA -> G -------------------------------------------------------------------------
def _arpa2fst_case(quick: bool, order: int) -> Case:
    from kleene.core.symbols import SymbolTable
    from kleene.lm.arpa import read_arpa
    from kleene.lm.fst import model_to_fst
    model, path, words = _model_files(quick, order)
    table = SymbolTable.read_text(words)

    def run():
        return model_to_fst(read_arpa(path), backoff="epsilon", symbols=table,
                            semiring="tropical")

    peer = None
    try:
        import kaldilm
    except ImportError:
        kaldilm = None
    if kaldilm is not None:
        def peer():
            return kaldilm.arpa2fst(path, disambig_symbol="#0", read_symbol_table=words,
                                    max_arpa_warnings=0)

    def check_kaldilm(text, G):
        import kleene
        from kleene.io.text import compile_text
        K = compile_text(text, semiring="tropical")
        if (K.num_states, K.num_arcs) != (G.num_states, G.num_arcs):
            raise Mismatch(f"kaldilm: {K.num_states} states {K.num_arcs} arcs, kleene "
                           f"{G.num_states} / {G.num_arcs}")
        if not kleene.isomorphic(G.replace(isymbols=None, osymbols=None), K, delta=1e-4):
            raise Mismatch("kleene's G is not isomorphic to kaldilm's")

    G = run()
    size = os.path.getsize(path) / 2**20

    def check(again, _none):  # the timed call must give the machine kaldilm checked
        if not (again.num_arcs == G.num_arcs and np.array_equal(again.indptr, G.indptr)
                and np.array_equal(again.nextstate, G.nextstate)
                and np.array_equal(again.weight, G.weight)):
            raise Mismatch("model_to_fst gave a different G on a second run")

    peers = {}
    if peer is not None:
        peers["kaldilm"] = PeerCase(run=peer, check=lambda text, _none: check_kaldilm(text, G))
    return Case(kleene=run, pynini=None, check=check, num_states=G.num_states,
                num_arcs=G.num_arcs, input_bytes=os.path.getsize(path), peers=peers,
                note=f"peer kaldilm.arpa2fst (also formats its text result); ARPA file "
                     f"{size:.1f} MiB, parsed inside both timings")


# -- scoring ----------------------------------------------------------------------------
def _perplexity_case(quick: bool, order: int) -> Case:
    model, path, _ = _model_files(quick, order)
    _, held = _corpus(quick)

    def run():
        return model.perplexity(held)

    peers, want = {}, None
    if _kenlm() is not None:
        kmodel = _kenlm().Model(path)

        def peer():
            total = sum(kmodel.score(s, bos=True, eos=True) for s in held)
            return 10 ** (-total / _num_tokens(held))

        want = peer()
        ours = model.perplexity(held)

        def check_kenlm(peer_ppl, _none):
            if not np.isclose(peer_ppl, ours, rtol=1e-4):
                raise Mismatch(f"kenlm's perplexity {peer_ppl} vs the model's {ours}")

        peers["kenlm"] = PeerCase(run=peer, check=check_kenlm)

    def check(ppl, _none):
        if want is not None and not np.isclose(ppl, want, rtol=1e-4):
            raise Mismatch(f"perplexity {ppl} vs kenlm {want}")

    return Case(kleene=run, pynini=None, check=check, num_states=0, peers=peers,
                num_arcs=sum(model.num_ngrams), input_bytes=sum(len(s) for s in held),
                note=f"{len(held)} held-out sentences, {_num_tokens(held):,} tokens; peer "
                     "kenlm.Model.score in a Python loop (ARPA-loaded probing model)")


def _score_fst_case(quick: bool, order: int) -> Case:
    from kleene.lm.fst import GScorer, model_to_fst
    model, path, _ = _model_files(quick, order)
    _, held = _corpus(quick)
    G = model_to_fst(model, backoff="phi")
    scorer = GScorer(G)  # prepared once, as kenlm.Model is loaded once

    def run():
        return scorer.score(held, oov_log10=-100.0)

    exact = np.array([model.score_sentence(s) for s in held])
    peers = {}
    if _kenlm() is not None:
        kmodel = _kenlm().Model(path)

        def peer():
            return np.array([kmodel.score(s, bos=True, eos=True) for s in held])

        def check_kenlm(peer_scores, _none):
            if not np.allclose(peer_scores, exact, rtol=1e-4, atol=1e-4):
                raise Mismatch("kenlm's scores differ from the model's")

        peers["kenlm"] = PeerCase(run=peer, check=check_kenlm)

    def check(scores, _none):
        if not np.allclose(scores, exact, rtol=1e-9, atol=1e-9):
            raise Mismatch("G's φ scores differ from the model's")

    return Case(kleene=run, pynini=None, check=check, num_states=G.num_states,
                num_arcs=G.num_arcs, input_bytes=0, peers=peers,
                note=f"φ-form G, {_num_tokens(held):,} tokens; peer kenlm.Model.score loop")
