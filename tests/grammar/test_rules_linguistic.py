"""Linguistic rewrite rules that show what cdrewrite's direction and mode
mean: vowel harmony, t/d deletion, rhotacism, final devoicing, epenthesis.

Each rule is written once, in the shared grammar vocabulary
(``kleene.examples.lib``: the same code builds the kleene and the pynini
rule), and each example is checked twice: against pynini's rewrites, and
against the expectation worked out by hand from the rule's definition
(explained in the comment beside it):

- ``ltr``: the rule applies left to right; the left context is matched on
  the *output* (rewrites already made), the right one on the input;
- ``rtl``: right to left; the right context on the output, the left on the
  input;
- ``sim``: simultaneously; both contexts on the input;
- ``obl``: every match in context is rewritten; ``opt``: any may be left.
"""

from __future__ import annotations

import math

import pytest

from kleene.grammar.rewrite import rewrites, top_rewrite

from ..helpers import require_pynini

LETTERS = "abcdefghijklmnopqrstuvwxyz"
VOWELS = "aeiou"
CONSONANTS = "".join(c for c in LETTERS if c not in VOWELS)


def vocabularies():
    """(kleene, pynini) grammar vocabularies (pynini skipped if absent)."""
    require_pynini()
    from kleene.examples.lib import kleene_lib, pynini_lib
    return kleene_lib(), pynini_lib()


def sigma_star(lib, extra: str = ""):
    """The closure of the lowercase letters (plus ``extra`` symbols)."""
    return lib.closure(lib.union(*(LETTERS + extra)))


def outputs(text: str, krule, prule) -> set[str]:
    """kleene's rewrites of ``text``, asserted equal to pynini's."""
    from pynini.lib import rewrite as pynini_rewrite
    ours = set(rewrites(text, krule))
    theirs = set(pynini_rewrite.rewrites(text, prule))
    assert ours == theirs, f"{text!r}: kleene {sorted(ours)} vs pynini {sorted(theirs)}"
    return ours


# -- vowel harmony: directionality -----------------------------------------------------

def harmony(lib, direction: str, *, progressive: bool):
    """The archiphoneme ``A`` of a suffix becomes ``e`` next to an ``e``
    (consonants may intervene): progressive ``A → e / e C* _``, or
    regressive ``A → e / _ C* e``. An ``A`` the rule does not reach stays."""
    consonants = lib.closure(lib.union(*CONSONANTS))
    context = lib.accep("e") + consonants if progressive else consonants + lib.accep("e")
    left, right = (context, "") if progressive else ("", context)
    return lib.cdrewrite(lib.cross("A", "e"), left, right, sigma_star(lib, "A"),
                         direction=direction)


@pytest.mark.parametrize("direction", ["ltr", "rtl", "sim"])
def test_progressive_harmony_spreads_only_left_to_right(direction):
    kl, pl = vocabularies()
    krule, prule = (harmony(lib, direction, progressive=True) for lib in (kl, pl))
    # "tekAlAr": the first A follows "ek" on the input, so it is in context in
    # every direction. The second A follows "Al" on the input (not e C*),
    # but "el" on the output once the first A has become e. Only ltr
    # matches the left context on the output, so only ltr spreads the
    # harmony to the second suffix; rtl and sim read the left context on the
    # input.
    expected = {"ltr": "tekeler", "rtl": "tekelAr", "sim": "tekelAr"}[direction]
    assert outputs("tekAlAr", krule, prule) == {expected}
    # no e before the suffixes: nothing to agree with, in every direction
    assert outputs("tokAlAr", krule, prule) == {"tokAlAr"}


@pytest.mark.parametrize("direction", ["ltr", "rtl", "sim"])
def test_regressive_harmony_spreads_only_right_to_left(direction):
    kl, pl = vocabularies()
    krule, prule = (harmony(lib, direction, progressive=False) for lib in (kl, pl))
    # "AlAke": the second A precedes "ke" (C* e) on the input: in context in
    # every direction. The first A precedes "lA" on the input but "le" on
    # the output once the second A is e; only rtl matches the right context
    # on the output, so only rtl reaches it.
    expected = {"ltr": "Aleke", "rtl": "eleke", "sim": "Aleke"}[direction]
    assert outputs("AlAke", krule, prule) == {expected}


# -- t/d deletion: optionality and weights -------------------------------------------

def td_deletion(lib, *, mode: str, weight=None):
    """English t/d deletion: a word-final t or d after a consonant may be
    dropped (``[td] → ε / C _ (' ' | [EOS])``); deleting costs ``weight``."""
    deletion = lib.union(lib.cross("t", ""), lib.cross("d", ""))
    if weight is not None:
        deletion = lib.cross(lib.union("t", "d"), lib.accep("", weight=weight))
    return lib.cdrewrite(deletion, lib.union(*CONSONANTS), lib.union(" ", "[EOS]"),
                         sigma_star(lib, " "), mode=mode)


def test_optional_td_deletion_gives_every_combination():
    kl, pl = vocabularies()
    krule, prule = (td_deletion(lib, mode="opt") for lib in (kl, pl))
    # "west": t is final after s: kept or dropped
    assert outputs("west", krule, prule) == {"west", "wes"}
    # "best friend": t (after s, before ' ') and d (after n, final) are each
    # kept or dropped independently: 2 x 2 outputs
    assert outputs("best friend", krule, prule) == {"best friend", "bes friend",
                                                    "best frien", "bes frien"}
    # "at": t follows a vowel, not a consonant: never deleted
    assert outputs("at", krule, prule) == {"at"}


def test_obligatory_td_deletion_always_deletes():
    kl, pl = vocabularies()
    krule, prule = (td_deletion(lib, mode="obl") for lib in (kl, pl))
    assert outputs("best friend", krule, prule) == {"bes frien"}


@pytest.mark.parametrize("cost, preferred", [(1.5, "best friend"), (-0.5, "bes frien")])
def test_weights_choose_the_preferred_variant(cost, preferred):
    """Optional deletion with a cost per deletion: the best rewrite keeps
    both consonants when deleting costs (1.5 each), drops both when it pays
    (-0.5 each); every variant's weight is the number of deletions times
    the cost."""
    from pynini.lib import rewrite as pynini_rewrite
    kl, pl = vocabularies()
    krule, prule = (td_deletion(lib, mode="opt", weight=cost) for lib in (kl, pl))
    assert top_rewrite("best friend", krule) == preferred
    assert pynini_rewrite.top_rewrite("best friend", prule) == preferred
    deletions = {"best friend": 0, "bes friend": 1, "best frien": 1, "bes frien": 2}
    weighted = dict(rewrites("best friend", krule, with_weights=True))
    assert set(weighted) == set(deletions)
    for text, count in deletions.items():
        assert math.isclose(weighted[text], count * cost, abs_tol=1e-5), text


# -- rhotacism: the rule, and what other rules do to its context -----------------------

def rhotacism(lib, direction: str = "ltr"):
    """Latin rhotacism: ``s → r / V _ V``."""
    vowel = lib.union(*VOWELS)
    return lib.cdrewrite(lib.cross("s", "r"), vowel, vowel, sigma_star(lib),
                         direction=direction)


@pytest.mark.parametrize("direction", ["ltr", "rtl", "sim"])
def test_rhotacism_between_vowels(direction):
    kl, pl = vocabularies()
    krule, prule = (rhotacism(lib, direction) for lib in (kl, pl))
    # *genesis -> generis: the s between e and i becomes r; the final s is
    # not followed by a vowel and stays. The rule's output r is not a vowel
    # and its input s is not either, so no application creates or destroys
    # another's context: all three directions agree ("asasa": both s).
    assert outputs("genesis", krule, prule) == {"generis"}
    assert outputs("asasa", krule, prule) == {"arara"}
    assert outputs("est", krule, prule) == {"est"}


def test_h_deletion_feeds_rhotacism():
    """``h → ε`` before rhotacism feeds it ("ahsa": the deletion brings s
    next to a vowel, "asa", which rhotacism then rewrites: "ara"); in the
    other order rhotacism sees "hs" and does nothing, then h goes: "asa"."""
    kl, pl = vocabularies()
    built = {}
    for lib in (kl, pl):
        h_deletion = lib.cdrewrite(lib.cross("h", ""), "", "", sigma_star(lib))
        rho = rhotacism(lib)
        built[lib.name] = ((h_deletion @ rho).optimize(), (rho @ h_deletion).optimize())
    (kfeed, kcounter), (pfeed, pcounter) = built["kleene"], built["pynini"]
    assert outputs("ahsa", kfeed, pfeed) == {"ara"}
    assert outputs("ahsa", kcounter, pcounter) == {"asa"}


def test_syncope_bleeds_rhotacism():
    """Syncope of a vowel before ``s`` (``V → ε / _ s``) applied first
    removes rhotacism's left context ("asa" -> "sa": s no longer follows a
    vowel); applied second it finds no s left ("asa" -> "ara")."""
    kl, pl = vocabularies()
    built = {}
    for lib in (kl, pl):
        syncope = lib.cdrewrite(lib.cross(lib.union(*VOWELS), ""), "", "s",
                                sigma_star(lib))
        rho = rhotacism(lib)
        built[lib.name] = ((syncope @ rho).optimize(), (rho @ syncope).optimize())
    (kbleed, kother), (pbleed, pother) = built["kleene"], built["pynini"]
    assert outputs("asa", kbleed, pbleed) == {"sa"}
    assert outputs("asa", kother, pother) == {"ara"}


# -- final devoicing: [EOS] -------------------------------------------------------------

def devoicing(lib, direction: str):
    """German final devoicing: ``[bdgvz] → [ptkfs] / _ [EOS]``."""
    tau = lib.string_map([("b", "p"), ("d", "t"), ("g", "k"), ("v", "f"), ("z", "s")])
    return lib.cdrewrite(tau, "", "[EOS]", sigma_star(lib), direction=direction)


@pytest.mark.parametrize("direction", ["ltr", "rtl", "sim"])
def test_final_devoicing(direction):
    kl, pl = vocabularies()
    krule, prule = (devoicing(lib, direction) for lib in (kl, pl))
    # only the last symbol is followed by [EOS]: "hund" -> "hunt", "tag" ->
    # "tak", "bad" -> "bat" (its initial b is not final), while the d of
    # "hunde" is followed by e and stays
    assert outputs("hund", krule, prule) == {"hunt"}
    assert outputs("hunde", krule, prule) == {"hunde"}
    assert outputs("tag", krule, prule) == {"tak"}
    assert outputs("bad", krule, prule) == {"bat"}
    assert outputs("", krule, prule) == {""}


# -- epenthesis: an insertion rule -------------------------------------------------------

def epenthesis(lib, mode: str = "obl"):
    """English plural epenthesis: insert e between a sibilant and a final
    plural s: ``ε → e / [sxz] _ s [EOS]``."""
    return lib.cdrewrite(lib.cross("", "e"), lib.union("s", "x", "z"),
                         lib.accep("s") + "[EOS]", sigma_star(lib), mode=mode)


def test_epenthesis_inserts_between_sibilants():
    kl, pl = vocabularies()
    krule, prule = (epenthesis(lib) for lib in (kl, pl))
    # "boxs": the only position after a sibilant and before "s"+end is
    # between x and s: "boxes". "buss" likewise (between the two s).
    assert outputs("boxs", krule, prule) == {"boxes"}
    assert outputs("buss", krule, prule) == {"buses"}
    # "cats": the position before the final s follows t: no insertion
    assert outputs("cats", krule, prule) == {"cats"}
    # "box": no final s after the x: no insertion
    assert outputs("box", krule, prule) == {"box"}


def test_optional_epenthesis_keeps_the_original_too():
    kl, pl = vocabularies()
    krule, prule = (epenthesis(lib, "opt") for lib in (kl, pl))
    assert outputs("boxs", krule, prule) == {"boxs", "boxes"}
