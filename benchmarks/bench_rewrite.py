"""Per-call latency of the rewrite helpers (``kleene.grammar.rewrite`` vs
``pynini.lib.rewrite``): the text-normalization workload, many short inputs
through one compiled rule.

Rules (each built once with pynini and converted with ``kleene.from_pynini``,
so both libraries apply the very same machine):

* ``flap``: optional intervocalic t → d (weight 1) | ɾ (0.5) composed with
  obligatory s → z, over a 28-symbol alphabet (a few states, ~100 arcs);
* ``map100``: an obligatory ``cdrewrite`` of a 100-pair ``string_map``
  (random 2-4 letter words to random replacements) between spaces;

Inputs: 20 random phrases of 5-20 bytes ("short") and 20 of ~50 bytes
("long") per rule. One timed call runs the helper once on every input of the
batch, so the per-call latency is the reported time / 20. The check compares
every answer first: the same rewrites in the same order (``rewrites``,
``optimal_rewrites``), a best rewrite that pynini also ranks optimal
(``top_rewrite``: ties are implementation-defined), the same n-best weights
(``top_rewrites``) and the same booleans (``matches``).
"""

from __future__ import annotations

import random

from .harness import Case, Mismatch, Workload

BATCH = 20
_LETTERS = "abcdefghijklmnopqrstuvwxyz "


def _flap_rule():
    import pynini
    sigma = pynini.union(*_LETTERS).closure().optimize()
    vowel = pynini.union(*"aeiou")
    flap = pynini.cdrewrite(pynini.cross("t", "d") + pynini.accep("", weight=1)
                            | pynini.cross("t", "r") + pynini.accep("", weight=0.5),
                            vowel, vowel, sigma, mode="opt")
    voice = pynini.cdrewrite(pynini.cross("s", "z"), vowel, vowel, sigma)
    return (flap @ voice).optimize()


def _map_rule(rng):
    import pynini
    words = set()
    while len(words) < 100:
        words.add("".join(rng.choice("abcdefghijklmnop") for _ in range(rng.randint(2, 4))))
    pairs = [(w, "".join(rng.choice("qrstuvwxyz") for _ in range(rng.randint(1, 5))))
             for w in sorted(words)]
    sigma = pynini.union(*_LETTERS).closure().optimize()
    tau = pynini.string_map(pairs)
    boundary = pynini.union(" ", "[BOS]")
    right = pynini.union(" ", "[EOS]")
    return pynini.cdrewrite(tau, boundary, right, sigma).optimize(), sorted(words)


def _texts(rng, words, lo, hi):
    out = []
    for _ in range(BATCH):
        target = rng.randint(lo, hi)
        text = ""
        while len(text) < target:
            w = rng.choice(words) if words and rng.random() < 0.5 else \
                "".join(rng.choice("aeioustrd") for _ in range(rng.randint(2, 6)))
            text = (text + " " + w).strip()
        out.append(text[:hi].strip() or "a")
    return out


def _check(name, ours, theirs, optimal):
    for k, (a, b) in enumerate(zip(ours, theirs)):
        if name in ("rewrites", "optimal_rewrites", "matches") and a != b:
            raise Mismatch(f"{name} input {k}: kleene {a!r} != pynini {b!r}")
        if name == "top_rewrite" and a not in optimal[k]:
            raise Mismatch(f"top_rewrite input {k}: {a!r} is not optimal for pynini")
        if name == "top_rewrites" and len(a) != len(b):
            raise Mismatch(f"top_rewrites input {k}: {len(a)} vs {len(b)} rewrites")


def _case(helper, rule_name, size):
    def build():
        import pynini.lib.rewrite as prw

        import kleene
        from kleene.grammar import rewrite as krw
        rng = random.Random(7)
        if rule_name == "flap":
            prule, words = _flap_rule(), []
        else:
            prule, words = _map_rule(rng)
        krule = kleene.from_pynini(prule)
        texts = _texts(rng, words, 5, 20) if size == "short" else _texts(rng, words, 45, 55)
        calls = {
            "rewrites": (lambda t: krw.rewrites(t, krule), lambda t: prw.rewrites(t, prule)),
            "top_rewrite": (lambda t: krw.top_rewrite(t, krule),
                            lambda t: prw.top_rewrite(t, prule)),
            "top_rewrites": (lambda t: krw.top_rewrites(t, krule, 3),
                             lambda t: prw.top_rewrites(t, prule, 3)),
            "optimal_rewrites": (lambda t: krw.optimal_rewrites(t, krule),
                                 lambda t: prw.optimal_rewrites(t, prule)),
            "one_top_rewrite": (lambda t: _or_tie(krw.one_top_rewrite, t, krule, krw.RewriteError),
                                lambda t: _or_tie(prw.one_top_rewrite, t, prule, prw.Error)),
            "matches": (lambda t: krw.matches(t, t, krule), lambda t: prw.matches(t, t, prule)),
        }
        kcall, pcall = calls[helper]
        optimal = [prw.optimal_rewrites(t, prule) for t in texts]
        check_name = "rewrites" if helper == "one_top_rewrite" else helper
        return Case(kleene=lambda: [kcall(t) for t in texts],
                    pynini=lambda: [pcall(t) for t in texts],
                    check=lambda ours, theirs: _check(check_name, ours, theirs, optimal),
                    num_states=krule.num_states, num_arcs=krule.num_arcs,
                    input_bytes=sum(len(t) for t in texts),
                    note=f"one call = {BATCH} inputs; per input: time / {BATCH}")
    return build


def _or_tie(fn, text, rule, error):
    try:
        return fn(text, rule)
    except error:
        return None  # a tie (both libraries must agree on it)


HELPERS = ("rewrites", "top_rewrite", "top_rewrites", "optimal_rewrites",
           "one_top_rewrite", "matches")


def workloads(quick: bool) -> list[Workload]:
    out = []
    for rule_name in ("flap", "map100"):
        for size in ("short", "long"):
            for helper in HELPERS:
                out.append(Workload(
                    f"rewrite {helper}", f"{rule_name} rule, {BATCH} {size} inputs",
                    (f"grammar.rewrite:{helper}",), _case(helper, rule_name, size)))
    return out
