"""Compile time of ``cdrewrite`` rules, kleene vs pynini on the same rule.

Workloads:

- the issue's 100-pair string-map rule between vowels (tau: 100 random
  pairs of 1-4 lowercase letters, left = right = a vowel, sigma_star: every
  byte), obligatory left to right;
- a medium rule (20 pairs, contexts of two letters) in every direction ×
  mode;
- a rule with ``[BOS]``/``[EOS]`` contexts;
- a weighted optional rule (each pair carries a weight).

Before timing, each pair of rules is checked: the rewrites of sample
strings (:func:`kleene.grammar.rewrite.rewrites` vs
``pynini.lib.rewrite.rewrites``) must be the same sets and, for the
weighted rule, the best rewrite must carry the same weight. State counts
of both results are given in the note (kleene's ltr and sim rules are
isomorphic to pynini's; rtl ones may be smaller).
"""

from __future__ import annotations

import random
import string

from .harness import Case, Mismatch, Workload

_VOWELS = "aeiou"
_SAMPLE_SEED = 7


def _pairs(count: int, seed: int, *, weighted: bool = False):
    rng = random.Random(seed)
    out = {}
    while len(out) < count:
        upper = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(1, 4)))
        lower = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(1, 4)))
        out.setdefault(upper, (lower, round(rng.uniform(0.0, 3.0), 2)))
    if weighted:
        return [(u, lo, w) for u, (lo, w) in out.items()]
    return [(u, lo) for u, (lo, _) in out.items()]


def _samples(pairs, count: int = 12) -> list[str]:
    """Strings that contain the rule's inputs between vowels, plus noise."""
    rng = random.Random(_SAMPLE_SEED)
    out = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 4)):
            parts.append(rng.choice(_VOWELS))
            parts.append(rng.choice(pairs)[0])
        parts.append(rng.choice(_VOWELS))
        out.append("".join(parts))
    return out + ["", "xyz", "aa"]


def _check(samples, *, weights: bool):
    def check(kres, pres):
        import pynini
        from pynini.lib import rewrite as rw

        from kleene.grammar.rewrite import rewrites, top_rewrite
        for text in samples:
            ours = sorted(rewrites(text, kres))
            theirs = sorted(rw.rewrites(text, pres))
            if ours != theirs:
                raise Mismatch(f"{text!r}: kleene {ours[:5]} vs pynini {theirs[:5]}")
            if weights:
                best = top_rewrite(text, kres)
                lattice = rw.rewrite_lattice(text, pres)
                if best != rw.top_rewrite(text, pres):
                    # ties may be broken differently: compare the weights
                    ours_w = float(pynini.shortestdistance(
                        pynini.accep(best) @ pynini.project(lattice, "output"),
                        reverse=True)[0])
                    theirs_w = float(pynini.shortestdistance(lattice, reverse=True)[0])
                    if abs(ours_w - theirs_w) > 1e-3:
                        raise Mismatch(f"{text!r}: best rewrite {best!r} ({ours_w}) vs "
                                       f"pynini's ({theirs_w})")
    return check


def _rule_case(make_tau, left: str, right: str, *, direction: str, mode: str,
               samples, weights: bool = False, vowel_contexts: bool = False):
    def build():
        import importlib

        import pynini
        from pynini.lib import byte

        from kleene.grammar.cdrewrite import cdrewrite
        from kleene.grammar.charclass import sigma_star
        from kleene.grammar.ops import union

        cache = importlib.import_module("kleene.grammar.cdrewrite")
        ktau, ptau = make_tau()
        ksigma, psigma = sigma_star("BYTE"), byte.BYTE.closure()
        if vowel_contexts:
            kleft = kright = union(*_VOWELS)
            pleft = pright = pynini.union(*_VOWELS)
        else:
            kleft, kright, pleft, pright = left, right, left, right

        def run_kleene():
            cache.clear_cache()  # from scratch, as pynini (no context DFAs kept)
            return cdrewrite(ktau, kleft, kright, ksigma, direction=direction, mode=mode)

        def run_pynini():
            return pynini.cdrewrite(ptau, pleft, pright, psigma, direction=direction,
                                    mode=mode)

        probe, reference = run_kleene(), run_pynini()
        return Case(kleene=run_kleene, pynini=run_pynini,
                    check=_check(samples, weights=weights), num_states=probe.num_states,
                    num_arcs=probe.num_arcs, input_bytes=0,
                    note=f"result states: kleene {probe.num_states}, pynini "
                         f"{reference.num_states()}; rewrites of {len(samples)} strings "
                         f"checked equal")
    return build


def _string_map_tau(pairs):
    def make():
        import pynini

        from kleene.grammar.builders import string_map
        return string_map(pairs), pynini.string_map(
            [tuple(str(x) for x in p) for p in pairs])
    return make


def workloads(quick: bool) -> list[Workload]:
    requires = ("grammar.cdrewrite:cdrewrite", "grammar.rewrite:rewrites",
                "grammar.builders:string_map", "grammar.charclass:sigma_star")
    big = _pairs(100, seed=0)
    medium = _pairs(20, seed=1)
    weighted = _pairs(20, seed=2, weighted=True)
    out = [Workload("cdrewrite: 100-pair rule between vowels", "100 pairs, V _ V, ltr obl",
                    requires, _rule_case(_string_map_tau(big), "", "", direction="ltr",
                                         mode="obl", samples=_samples(big),
                                         vowel_contexts=True))]
    if quick:
        return out
    for direction in ("ltr", "rtl", "sim"):
        for mode in ("obl", "opt"):
            out.append(Workload(
                f"cdrewrite: medium rule {direction} {mode}", "20 pairs, 'ab' _ 'c'",
                requires, _rule_case(_string_map_tau(medium), "ab", "c",
                                     direction=direction, mode=mode,
                                     samples=[s.replace("a", "ab", 1) + "c"
                                              for s in _samples(medium)])))
    out.append(Workload("cdrewrite: [BOS]/[EOS] contexts", "20 pairs, [BOS] _ [EOS]",
                        requires, _rule_case(_string_map_tau(medium), "[BOS]", "[EOS]",
                                             direction="ltr", mode="obl",
                                             samples=[p[0] for p in medium] + ["zz"])))
    out.append(Workload("cdrewrite: weighted optional rule", "20 weighted pairs, V _ V",
                        requires, _rule_case(_string_map_tau(weighted), "", "",
                                             direction="ltr", mode="opt",
                                             samples=_samples(weighted), weights=True,
                                             vowel_contexts=True)))
    return out
