"""Naive dict-based backoff scoring (the reference for ``NgramModel``), and a
generator of random valid models."""

from __future__ import annotations

import numpy as np

OOV_LOG10 = -100.0


def model_as_dict(model) -> dict[tuple[str, ...], tuple[float, float]]:
    """{n-gram words: (log10 prob, log10 backoff)}."""
    words = model.vocab.words
    out = {}
    for table, lp, bo in zip(model.ngrams, model.logprob, model.backoff):
        for row, p, b in zip(table.tolist(), lp.tolist(), bo.tolist()):
            out[tuple(words[i] for i in row)] = (p, b)
    return out


def naive_log10_prob(table, order: int, context: list[str], word: str) -> float:
    """Standard backoff: P(w|h) = p(h w) if h w is an n-gram, else bo(h) * P(w|h')."""
    h = tuple(context[max(0, len(context) - (order - 1)):]) if order > 1 else ()
    total = 0.0
    while True:
        if h + (word,) in table:
            return total + table[h + (word,)][0]
        if not h:
            unk = table.get(("<unk>",))
            return total + (unk[0] if unk is not None else OOV_LOG10)
        if h in table:
            total += table[h][1]
        h = h[1:]


def naive_score(table, order: int, words: list[str], bos=True, eos=True) -> float:
    """Total log10 probability of a sentence; words not among the unigrams
    are read as <unk>."""
    vocab = {g[0] for g in table if len(g) == 1}
    toks = [w if w in vocab else "<unk>" for w in words]
    hist = ["<s>"] if bos else []
    total = 0.0
    for w in toks + (["</s>"] if eos else []):
        total += naive_log10_prob(table, order, hist, w)
        hist.append(w)
    return total


def random_model(rng: np.random.Generator, counts, *, with_unk: bool | None = None):
    """A valid NgramModel over the n-grams of ``counts`` (which satisfy the
    prefix/suffix invariant) with random log10 probabilities and backoffs;
    ``with_unk`` adds or removes the <unk> unigram."""
    from kleene.lm import NgramModel
    from kleene.lm.vocab import Vocabulary
    ngrams = list(counts.ngrams)
    uni = ngrams[0][:, 0]
    if with_unk is True and Vocabulary.UNK not in uni:
        uni = np.sort(np.append(uni, Vocabulary.UNK))
    elif with_unk is False:
        uni = uni[uni != Vocabulary.UNK]
        # n-grams holding <unk> go too (their unigram would be missing)
        ngrams = [t[~(t == Vocabulary.UNK).any(axis=1)] for t in ngrams]
    ngrams[0] = uni.astype(np.int32).reshape(-1, 1)
    logprob, backoff = [], []
    for k, t in enumerate(ngrams, start=1):
        logprob.append(-rng.uniform(0.05, 3.0, len(t)))
        if k < counts.order:
            b = -rng.uniform(-0.5, 1.5, len(t))
            b[rng.random(len(t)) < 0.2] = 0.0
            backoff.append(b)
        else:
            backoff.append(np.zeros(len(t)))
    return NgramModel(counts.order, counts.vocab, tuple(ngrams), tuple(logprob),
                      tuple(backoff))
