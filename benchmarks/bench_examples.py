"""Compile time of the example grammars (``kleene.examples``), kleene vs
pynini on the identical grammar code.

Each example module builds its grammar from a vocabulary namespace
(``kleene.examples.lib``): ``kleene_lib()`` for kleene, ``pynini_lib()`` for
pynini, so both libraries run exactly the same sequence of grammar
operations. Before timing, the two results are checked to give the same
rewrites (same output strings and weights) on sample inputs of each grammar;
state counts are reported in the note.
"""

from __future__ import annotations

from .harness import Case, Mismatch, Workload

# sample inputs per example, with the token types of its rewrites
_SAMPLES = {
    "cardinals": (["0", "7", "15", "40", "101", "1203", "90017", "999999", "1000000"],
                  "byte"),
    "dates": (["3/5/2024", "03/05/1999", "March 21, 1905", "1.12.2005", "12/31/1900"],
              "byte"),
    "spanish_g2p": (["perro", "pero", "chico", "guitarra", "gente", "hoy", "canción",
                     "pingüino", "honra", "llave"], "utf8"),
}


def _check(name: str):
    samples, token_type = _SAMPLES[name]

    def check(kres, pres):
        from pynini.lib import rewrite as rw

        from kleene.grammar.rewrite import rewrites
        for text in samples:
            ours = rewrites(text, kres, input_token_type=token_type,
                            output_token_type=token_type)
            theirs = rw.rewrites(text, pres, input_token_type=token_type,
                                 output_token_type=token_type)
            if sorted(ours) != sorted(theirs):
                raise Mismatch(f"{name}: {text!r} -> kleene {ours} vs pynini {theirs}")
        if kres.num_states != pres.num_states():
            raise Mismatch(f"{name}: kleene built {kres.num_states} states, "
                           f"pynini {pres.num_states()}")
    return check


def _example(name: str):
    def build():
        import importlib

        from kleene.examples.lib import kleene_lib, pynini_lib
        module = importlib.import_module(f"kleene.examples.{name}")
        kleene_vocabulary, pynini_vocabulary = kleene_lib(), pynini_lib()
        rule_cache = importlib.import_module("kleene.grammar.cdrewrite")
        probe = module.build(kleene_vocabulary)

        def build_with_kleene():
            # cdrewrite keeps the context machines of earlier rules; a timed
            # build must not reuse those of the previous repetition
            rule_cache.clear_cache()
            return module.build(kleene_vocabulary)
        return Case(kleene=build_with_kleene,
                    pynini=lambda: module.build(pynini_vocabulary),
                    check=_check(name), num_states=probe.num_states,
                    num_arcs=probe.num_arcs, input_bytes=0,
                    note="grammar compiled from the same code in both libraries; "
                         "rewrites of sample inputs and state counts checked equal")
    return build


def workloads(quick: bool) -> list[Workload]:
    sizes = {"cardinals": "English number names to 10^6",
             "dates": "dates: ordinals via cdrewrite, years via priority union",
             "spanish_g2p": "17-rule cdrewrite cascade, utf8"}
    requires = ("grammar.cdrewrite:cdrewrite", "grammar.rewrite:rewrites",
                "examples.lib:kleene_lib")
    names = ["cardinals"] if quick else list(sizes)
    return [Workload(f"example grammar: {name}", sizes[name], requires, _example(name))
            for name in names]
