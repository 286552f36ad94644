"""Naive n-gram counting with dicts: the obviously correct reference for
``kleene.lm.counts``. Sentences are lists of words (boundaries not included)."""

from __future__ import annotations

from collections import Counter


def naive_counts(sentences: list[list[str]], order: int) -> dict[tuple[str, ...], int]:
    """{n-gram words: count} for orders 1..order, each sentence padded with one
    <s> and one </s>, n-grams never crossing sentences."""
    counts: Counter = Counter()
    for words in sentences:
        toks = ["<s>", *words, "</s>"]
        for k in range(1, order + 1):
            for i in range(len(toks) - k + 1):
                counts[tuple(toks[i:i + k])] += 1
    return dict(counts)


def counts_as_dict(counts) -> dict[tuple[str, ...], float]:
    """kleene NgramCounts -> {n-gram words: count}."""
    words = counts.vocab.words
    out = {}
    for table, values in zip(counts.ngrams, counts.counts):
        for row, c in zip(table.tolist(), values.tolist()):
            out[tuple(words[i] for i in row)] = c
    return out


def naive_count_fst(counts: dict[tuple[str, ...], float], order: int):
    """The count machine of ``kleene.lm.counts_to_fst`` as dicts:
    ``(start_history, {history: {"arcs": {word: (count, dest history)},
    "final": count or None, "backoff": dest history or None}})``."""
    histories = {()}
    for g in counts:
        if 1 < len(g) <= order:
            histories.add(g[:-1])

    def longest_state(g):
        for j in range(len(g), -1, -1):
            if g[len(g) - j:] in histories:
                return g[len(g) - j:]
        raise AssertionError("unreachable")

    table = {h: {"arcs": {}, "final": None,
                 "backoff": longest_state(h[1:]) if h else None} for h in histories}
    for g, c in counts.items():
        h, w = g[:-1], g[-1]
        if w == "</s>":
            table[h]["final"] = c
        elif w != "<s>":
            table[h]["arcs"][w] = (c, longest_state(g))
    start = ("<s>",) if ("<s>",) in histories else ()
    return start, table
