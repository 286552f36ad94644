"""Plain-Python number names and date readings: the independent reference
for the example grammars in :mod:`kleene.examples` (no automata involved).
"""

from __future__ import annotations

UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
         "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen",
         "sixteen", "seventeen", "eighteen", "nineteen"]
DECADES = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty",
           7: "seventy", 8: "eighty", 9: "ninety"}
MONTHS = ["january", "february", "march", "april", "may", "june", "july",
          "august", "september", "october", "november", "december"]


def cardinal(n: int) -> str:
    """American English words for 0 <= n <= 1,000,000 (no "and")."""
    if not 0 <= n <= 1_000_000:
        raise ValueError(n)
    if n == 1_000_000:
        return "one million"
    if n < 20:
        return UNITS[n]
    if n < 100:
        tens, rest = divmod(n, 10)
        return DECADES[tens] + ("" if rest == 0 else " " + UNITS[rest])
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return UNITS[hundreds] + " hundred" + ("" if rest == 0 else " " + cardinal(rest))
    thousands, rest = divmod(n, 1000)
    return cardinal(thousands) + " thousand" + ("" if rest == 0 else " " + cardinal(rest))


def ordinal(n: int) -> str:
    """The ordinal words for 1 <= n (e.g. 21 -> "twenty first")."""
    words = cardinal(n).split(" ")
    last = words[-1]
    irregular = {"one": "first", "two": "second", "three": "third", "five": "fifth",
                 "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}
    if last in irregular:
        last = irregular[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return " ".join(words[:-1] + [last])


def year(n: int) -> str:
    """How a speaker reads a year 1000..2999."""
    if not 1000 <= n <= 2999:
        raise ValueError(n)
    if n == 1000 or 2000 <= n <= 2009:
        return cardinal(n)
    first, last = divmod(n, 100)
    if last == 0:
        return cardinal(first) + " hundred"
    if last < 10:
        return cardinal(first) + " oh " + cardinal(last)
    return cardinal(first) + " " + cardinal(last)


def us_date(month: int, day: int, yr: int) -> str:
    return f"{MONTHS[month - 1]} {ordinal(day)} {year(yr)}"


def day_first_date(month: int, day: int, yr: int) -> str:
    return f"the {ordinal(day)} of {MONTHS[month - 1]} {year(yr)}"
