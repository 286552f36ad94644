"""A date normalizer: numeric dates to the words a speaker would say.

``grammar()`` reads a whole date in one of three common shapes and says it:

* US ``"3/5/2024"`` or ``"03/05/2024"`` -> ``"march fifth twenty twenty four"``;
* written ``"March 5, 2024"`` (or ``"march 5 2024"``) -> the same words;
* day first ``"5.3.2024"`` -> ``"the fifth of march twenty twenty four"``.

Years 1000..2999 are read as speakers read them: two pairs (``1999``
"nineteen ninety nine", ``1905`` "nineteen oh five"), whole hundreds
(``1900`` "nineteen hundred"), and ``2000``..``2009`` as "two thousand
[five]" in preference to the pair reading (a priority union). Day numbers
become ordinals by rewriting the last word of the cardinal ("one" ->
"first", "twenty" -> "twentieth", "three" -> "third", otherwise "+th") with
``cdrewrite`` rules anchored at ``[EOS]``. The grammar checks shapes, not
calendars: "2/31/2023" is read too.

``normalizer()`` rewrites every date inside running text with a
``cdrewrite`` rule whose contexts are ``[BOS]`` or a space on the left and
``[EOS]`` or a space on the right: "we met on 3/5/2024 at noon" becomes
"we met on march fifth twenty twenty four at noon".

Run ``python -m kleene.examples.dates "we met on 3/5/2024 at noon"``.
"""

from __future__ import annotations

import functools
import sys

from kleene.core.fst import Fst
from kleene.examples import cardinals
from kleene.examples.lib import kleene_lib

MONTHS = ["january", "february", "march", "april", "may", "june", "july",
          "august", "september", "october", "november", "december"]
# the last words of a cardinal whose ordinal is irregular
_IRREGULAR_ORDINALS = {"one": "first", "two": "second", "three": "third",
                       "five": "fifth", "eight": "eighth", "nine": "ninth",
                       "twelve": "twelfth"}


@functools.lru_cache(maxsize=None)
def grammar() -> Fst:
    """The date transducer (built once per process)."""
    return build(kleene_lib())


@functools.lru_cache(maxsize=None)
def normalizer() -> Fst:
    """Rewrites every date in running text (obligatory, left to right)."""
    return build_normalizer(kleene_lib(), grammar())


def build(g, cardinal=None):
    """Builds the date grammar from the vocabulary ``g`` (see :mod:`.lib`);
    ``cardinal`` is the number-name grammar (default: built from ``g``)."""
    insert, delete, union = g.insert, g.delete, g.union
    card = cardinal if cardinal is not None else cardinals.build(g)
    sigma_star = g.closure(g.BYTE)
    nonzero = union(*"123456789")

    # ordinals: the cardinal's last word changes ("twenty one" -> "twenty first")
    irregular = g.string_map(list(_IRREGULAR_ORDINALS.items()) + [("y", "ieth")])
    ordinal = g.optimize(card
                         @ g.cdrewrite(irregular, "", "[EOS]", sigma_star)
                         # "+th" after the final letters that remain cardinal endings
                         @ g.cdrewrite(insert("th"), union("n", "r", "x"), "[EOS]",
                                       sigma_star))

    day = g.optimize((delete("0").ques + nonzero | union("1", "2") + g.DIGIT
                      | "30" | "31") @ ordinal)
    month = g.optimize(delete("0").ques
                       + g.string_map([(str(m), name) for m, name in enumerate(MONTHS, 1)]))

    # years 1000..2999
    tens = g.optimize((nonzero + g.DIGIT) @ card)                      # "10".."99"
    last_pair = (delete("00") + insert(" hundred")
                 | delete("0") + insert(" oh ") + (nonzero @ card)
                 | insert(" ") + tens)
    pair_reading = g.optimize(union("1", "2") + g.DIGIT) @ tens + last_pair
    thousand_reading = ("200" + g.DIGIT | "1000") @ card      # two thousand [n]
    year = g.optimize(g.priority_union(thousand_reading, pair_reading, sigma_star))

    written_month = g.string_map([(name.capitalize(), name) for name in MONTHS]
                                 + [(name, name) for name in MONTHS])
    us = month + delete("/") + insert(" ") + day + delete("/") + insert(" ") + year
    written = written_month + " " + day + delete(",").ques + " " + year
    day_first = (insert("the ") + day + delete(".") + insert(" of ") + month
                 + delete(".") + insert(" ") + year)
    return g.optimize(us | written | day_first)


def build_normalizer(g, dates: Fst):
    """The obligatory left-to-right rule rewriting ``dates`` between a word
    boundary ([BOS] or a space) and another ([EOS] or a space)."""
    return g.cdrewrite(dates, g.union("[BOS]", " "), g.union("[EOS]", " "),
                       g.closure(g.BYTE))


def say_date(text: str) -> str:
    """The words of one date (raises ``RewriteError`` when it is not one)."""
    from kleene.grammar.rewrite import one_top_rewrite
    return one_top_rewrite(text, grammar())


def normalize(text: str) -> str:
    """``text`` with every date in it spelled out."""
    from kleene.grammar.rewrite import one_top_rewrite
    return one_top_rewrite(text, normalizer())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    for text in args or ["we met on 3/5/2024 at noon", "March 21, 1999",
                         "1.12.2005"]:
        print(f"{text}\t{normalize(text)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
