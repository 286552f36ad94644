"""English cardinal number names, 0 to 1,000,000, as one transducer.

``grammar()`` maps a digit string without leading zeros to its words with
American conventions (no "and"): ``"0" -> "zero"``, ``"15" -> "fifteen"``,
``"40" -> "forty"``, ``"1203" -> "one thousand two hundred three"``,
``"1000000" -> "one million"``. Other inputs (leading zeros, non-digits,
numbers above a million) have no rewrite.

The grammar is the usual factorization into powers of ten: two-digit
numbers from the teens and decades, three-digit numbers as "<digit> hundred"
plus an optional remainder, and thousands as "<1..999> thousand" plus an
optional zero-padded three-digit remainder. Spaces are inserted between
words, so every path spells the words separated by single spaces.

Run ``python -m kleene.examples.cardinals 1203 40 1000000``.
"""

from __future__ import annotations

import functools
import sys

from kleene.core.fst import Fst
from kleene.examples.lib import kleene_lib

_UNITS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
          "seventeen", "eighteen", "nineteen"]
_DECADES = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
            "ninety"]


@functools.lru_cache(maxsize=None)
def grammar() -> Fst:
    """The optimized cardinal-number transducer (built once per process)."""
    return build(kleene_lib())


def build(g):
    """Builds the grammar from the vocabulary ``g`` (see :mod:`.lib`): the
    same code gives the kleene machine and, with ``pynini_lib()``, pynini's."""
    units = g.string_map([(str(d), w) for d, w in enumerate(_UNITS, start=1)])
    teens = g.string_map([(str(n), w) for n, w in enumerate(_TEENS, start=10)])
    decades = g.string_map([(str(d), w) for d, w in enumerate(_DECADES, start=2)])
    insert, delete = g.insert, g.delete

    # 10..99
    two_digits = teens | decades + delete("0") | decades + insert(" ") + units
    # 1..99, and "01".."99" (a zero-padded remainder below one hundred)
    one_to_99 = units | two_digits
    padded_1_to_99 = delete("0") + units | two_digits
    # 100..999
    hundreds = (units + insert(" hundred")
                + (delete("00") | insert(" ") + padded_1_to_99))
    one_to_999 = one_to_99 | hundreds
    # "001".."999": the remainder after "thousand"
    padded_1_to_999 = delete("00") + units | delete("0") + two_digits | hundreds
    thousands = (one_to_999 + insert(" thousand")
                 + (delete("000") | insert(" ") + padded_1_to_999))
    million = delete("1000000") + insert("one million")
    zero = delete("0") + insert("zero")
    return g.optimize(zero | one_to_999 | thousands | million)


def number_name(digits: str) -> str:
    """The words for ``digits`` (raises ``RewriteError`` without a rewrite)."""
    from kleene.grammar.rewrite import one_top_rewrite
    return one_top_rewrite(digits, grammar())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    for digits in args or ["0", "15", "40", "1203", "99999", "1000000"]:
        print(f"{digits}\t{number_name(digits)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
