"""Rule-based grapheme-to-phoneme conversion for Spanish spelling.

``grammar()`` maps a lower-case Spanish word (utf8 token type, accents and
"ñ" allowed) to a broad phonemic transcription in IPA, Latin American
pronunciation (seseo: "c" before e/i and "z" are /s/; yeísmo: "ll" and "y"
are /ʝ/). It is an ordered cascade of context-dependent rewrite rules, each
one ``cdrewrite``, composed in order: the classic shape of a G2P or
phonological rule grammar. The rules:

====  ===========================  ==================================
 #    rule                         example
====  ===========================  ==================================
 1    x -> ks                      taxi -> taksi
 2    ch -> tʃ                     chico -> tʃiko
 3    ll -> ʝ                      llave -> ʝabe
 4    g -> x / _ {e,i}             gente -> xente
 5    qu -> k / _ {e,i}            queso -> keso
 6    gu -> g / _ {e,i}            guitarra -> gitara
 7    gü -> gw                     pingüino -> pingwino
 8    c -> s / _ {e,i};  c -> k    cielo -> sielo, casa -> kasa
 9    z -> s, j -> x, v -> b,      zapato -> sapato, jugo -> xugo,
      ñ -> ɲ, h -> ε               niño -> niɲo, hola -> ola
10    y -> i / _ [EOS]; y -> ʝ     hoy -> oi, yo -> ʝo
11    rr -> r;  r -> r / {[BOS],   perro -> pero, rosa -> rosa,
      l, n, s} _ ;  r -> ɾ         honra -> onra, pero -> peɾo
12    á é í ó ú -> a e i o u       canción -> kansion
====  ===========================  ==================================

The cascade order matters: "x" -> "ks" comes first so that the /x/ that
"j" and "g" become is not rewritten again; "ch" goes before the plain "c"
rule; "g" -> "x" goes before "gu" -> "g", so "guitarra" keeps its /g/; and
the trill/tap rule uses a temporary symbol so that the "r" that "rr"
becomes is not rewritten again to a tap.

Run ``python -m kleene.examples.spanish_g2p perro pero chico``.
"""

from __future__ import annotations

import functools
import sys

from kleene.core.fst import Fst
from kleene.examples.lib import kleene_lib

LETTERS = "abcdefghijklmnopqrstuvwxyzáéíóúüñ"
PHONES = "ʃʝɲɾ"
_TRILL = "R"  # temporary symbol for the trill, never in the input or output


@functools.lru_cache(maxsize=None)
def grammar() -> Fst:
    """The G2P transducer (utf8 labels; built once per process)."""
    return build(kleene_lib())


def build(g):
    """Builds the cascade from the vocabulary ``g`` (see :mod:`.lib`)."""
    def u(text: str):
        return g.accep(text, token_type="utf8")

    def chars(text: str):
        return g.union(*(u(c) for c in text))

    sigma_star = g.closure(chars(LETTERS + PHONES + _TRILL))
    front = chars("eiéí")

    def rule(pairs, left=None, right=None):
        tau = g.string_map(list(pairs.items()), input_token_type="utf8",
                           output_token_type="utf8")
        return g.cdrewrite(tau, u("") if left is None else left,
                           u("") if right is None else right, sigma_star)

    cascade = [
        rule({"x": "ks"}),
        rule({"ch": "tʃ"}),
        rule({"ll": "ʝ"}),
        rule({"g": "x"}, right=front),
        rule({"qu": "k"}, right=front),
        rule({"gu": "g"}, right=front),
        rule({"gü": "gw"}),
        rule({"c": "s"}, right=front),
        rule({"c": "k"}),
        rule({"z": "s", "j": "x", "v": "b", "ñ": "ɲ", "h": ""}),
        rule({"y": "i"}, right=u("[EOS]")),
        rule({"y": "ʝ"}),
        rule({"rr": _TRILL}),
        rule({"r": _TRILL}, left=g.union(u("[BOS]"), chars("lns"))),
        rule({"r": "ɾ"}),
        rule({_TRILL: "r"}),
        rule(dict(zip("áéíóú", "aeiou"))),
    ]
    result = g.closure(chars(LETTERS))
    for step in cascade:
        result = g.optimize(result @ step)
    return result


def transcribe(word: str) -> str:
    """The IPA transcription of one lower-case Spanish word."""
    from kleene.grammar.rewrite import one_top_rewrite
    return one_top_rewrite(word, grammar(), input_token_type="utf8",
                           output_token_type="utf8")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    for word in args or ["perro", "pero", "chico", "guitarra", "gente", "hoy",
                         "canción", "pingüino"]:
        print(f"{word}\t{transcribe(word)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
