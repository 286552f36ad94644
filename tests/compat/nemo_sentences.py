"""Seeded generators of English sentences for the NeMo text normalization
comparison (tests/compat/test_nemo.py and benchmarks/bench_nemo.py).

``written_sentences`` gives written-form text for TN (numbers, dates, money,
times, measures, addresses, ordinals, decimals, fractions, Roman numerals,
telephone numbers, electronic addresses), ``spoken_sentences`` spoken-form
text for ITN. Only the inputs are generated here: the expected outputs are
whatever real pynini produces.
"""

from __future__ import annotations

import random

from ..reference.number_words import cardinal, ordinal, year

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_MONTH_ABBR = ["Jan.", "Feb.", "Mar.", "Apr.", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
_NAMES = ["john", "mary.smith", "k.lee", "info", "dev-team", "a_b"]
_DOMAINS = ["example.com", "nvidia.com", "mail.org", "uni.edu", "site.co.uk"]
_STREETS = ["Main St.", "Elm Ave", "Oak Street", "Park Blvd.", "W 5th St", "Lake Dr."]
_UNITS = ["kg", "km", "ft", "mph", "%", "cm", "lbs", "kHz", "GB", "ml", "°C", "mi"]
_ROMAN = ["II", "III", "IV", "IX", "XIV", "XIX", "XLII", "MMXX"]
_SUBJECTS = ["We", "The report", "She", "Our team", "The company", "He", "They"]
_VERBS = ["paid", "saw", "noted", "counted", "expected", "wrote", "measured", "got"]


def _int(rng: random.Random) -> int:
    return rng.choice([rng.randint(0, 20), rng.randint(21, 999), rng.randint(1000, 99999),
                       rng.randint(100000, 9999999)])


def _cardinal_text(rng: random.Random) -> str:
    n = _int(rng)
    text = f"{n:,}" if n >= 1000 and rng.random() < 0.5 else str(n)
    return ("-" + text) if rng.random() < 0.1 else text


def _decimal(rng: random.Random) -> str:
    whole = rng.choice([0, rng.randint(1, 99), rng.randint(100, 9999)])
    frac = rng.randint(1, 999)
    text = f"{whole}.{frac}"
    if rng.random() < 0.2:
        text += rng.choice([" million", " billion", " thousand"])
    return text


def _money(rng: random.Random) -> str:
    cur = rng.choice(["$", "£", "€", "$", "$"])
    amount = rng.choice([str(rng.randint(1, 999)), f"{rng.randint(1, 999)}.{rng.randint(0, 99):02d}",
                         f"{rng.randint(1, 99)},{rng.randint(0, 999):03d}",
                         f"{rng.randint(1, 9)}.{rng.randint(1, 9)} million"])
    return cur + amount


def _date(rng: random.Random) -> str:
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    yr = rng.randint(1900, 2030)
    return rng.choice([f"{_MONTHS[month - 1]} {day}, {yr}", f"{rng.choice(_MONTH_ABBR)} {day}, {yr}",
                       f"{_MONTHS[month - 1]} {day}", f"{month:02d}/{day:02d}/{yr}",
                       f"{yr}-{month:02d}-{day:02d}", f"{rng.choice([19, 20])}{rng.randint(0, 9)}0s",
                       f"{day} {_MONTHS[month - 1]} {yr}"])


def _time(rng: random.Random) -> str:
    h = rng.randint(1, 12)
    m = rng.randint(0, 59)
    return rng.choice([f"{h}:{m:02d}", f"{h}:{m:02d}am", f"{h}:{m:02d} p.m.", f"{h} pm",
                       f"{rng.randint(13, 23)}:{m:02d}", f"{h}:{m:02d} a.m. EST"])


def _measure(rng: random.Random) -> str:
    value = rng.choice([str(rng.randint(1, 500)), f"{rng.randint(0, 99)}.{rng.randint(1, 9)}"])
    unit = rng.choice(_UNITS)
    return value + (unit if unit in ("%", "°C") or rng.random() < 0.5 else " " + unit)


def _address(rng: random.Random) -> str:
    return f"{rng.randint(1, 9999)} {rng.choice(_STREETS)}"


def _ordinal(rng: random.Random) -> str:
    n = rng.choice([rng.randint(1, 31), rng.randint(32, 199)])
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _fraction(rng: random.Random) -> str:
    return rng.choice([f"{rng.randint(1, 9)}/{rng.randint(2, 16)}",
                       f"{rng.randint(1, 9)} {rng.randint(1, 3)}/{rng.randint(4, 8)}"])


def _roman(rng: random.Random) -> str:
    return rng.choice(["Chapter ", "World War ", "Louis ", "Henry ", "Part "]) + rng.choice(_ROMAN)


def _phone(rng: random.Random) -> str:
    a, b, c = rng.randint(200, 999), rng.randint(200, 999), rng.randint(0, 9999)
    return rng.choice([f"{a}-{b}-{c:04d}", f"({a}) {b}-{c:04d}", f"+1 {a}-{b}-{c:04d}"])


def _electronic(rng: random.Random) -> str:
    return rng.choice([f"{rng.choice(_NAMES)}@{rng.choice(_DOMAINS)}",
                       f"www.{rng.choice(_DOMAINS)}", f"https://{rng.choice(_DOMAINS)}/docs"])


WRITTEN_KINDS = {
    "cardinal": _cardinal_text, "decimal": _decimal, "money": _money, "date": _date,
    "time": _time, "measure": _measure, "address": _address, "ordinal": _ordinal,
    "fraction": _fraction, "roman": _roman, "telephone": _phone, "electronic": _electronic,
}


def written_sentences(count: int, seed: int = 0) -> list[str]:
    """``count`` written-form sentences, each with one to three semiotic
    items, cycling through every kind so each is represented."""
    rng = random.Random(seed)
    kinds = list(WRITTEN_KINDS)
    out = []
    for i in range(count):
        items = [WRITTEN_KINDS[kinds[i % len(kinds)]](rng)]
        for _ in range(rng.randint(0, 2)):
            items.append(WRITTEN_KINDS[rng.choice(kinds)](rng))
        subject, verb = rng.choice(_SUBJECTS), rng.choice(_VERBS)
        out.append(f"{subject} {verb} " + " and ".join(items) + rng.choice([".", "", "!", " today."]))
    return out


def _spoken_money(rng: random.Random) -> str:
    dollars = rng.randint(1, 999)
    text = f"{cardinal(dollars)} dollars"
    if rng.random() < 0.5:
        text += f" and {cardinal(rng.randint(1, 99))} cents"
    return text


def _spoken_date(rng: random.Random) -> str:
    month = _MONTHS[rng.randint(0, 11)].lower()
    return rng.choice([f"{month} {ordinal(rng.randint(1, 28))} {year(rng.randint(1900, 2030))}",
                       f"the {ordinal(rng.randint(1, 28))} of {month}",
                       f"{month} {year(rng.randint(1900, 2030))}"])


def _spoken_time(rng: random.Random) -> str:
    h = rng.randint(1, 12)
    m = rng.choice([0, 5, 15, 30, 45, rng.randint(1, 59)])
    minutes = "" if m == 0 else (" oh " + cardinal(m) if m < 10 else " " + cardinal(m))
    return f"{cardinal(h)}{minutes} " + rng.choice(["a m", "p m", "o'clock", "pm"])


def _spoken_measure(rng: random.Random) -> str:
    return f"{cardinal(rng.randint(1, 500))} " + rng.choice(
        ["kilograms", "kilometers", "feet", "miles per hour", "percent", "centimeters"])


def _spoken_decimal(rng: random.Random) -> str:
    digits = " ".join(cardinal(int(d)) for d in str(rng.randint(1, 999)))
    return f"{cardinal(rng.randint(0, 99))} point {digits}"


def _spoken_phone(rng: random.Random) -> str:
    digits = f"{rng.randint(200, 999)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
    return " ".join(cardinal(int(d)) for d in digits)


def _spoken_email(rng: random.Random) -> str:
    return f"{rng.choice(['john', 'mary', 'info'])} at {rng.choice(['example', 'nvidia'])} dot com"


SPOKEN_KINDS = {
    "cardinal": lambda rng: cardinal(min(_int(rng), 999999)),
    "ordinal": lambda rng: ordinal(rng.randint(1, 199)),
    "money": _spoken_money, "date": _spoken_date, "time": _spoken_time,
    "measure": _spoken_measure, "decimal": _spoken_decimal, "telephone": _spoken_phone,
    "electronic": _spoken_email,
}


def spoken_sentences(count: int, seed: int = 0) -> list[str]:
    """``count`` lowercase spoken-form sentences for ITN."""
    rng = random.Random(seed + 1)
    kinds = list(SPOKEN_KINDS)
    out = []
    for i in range(count):
        items = [SPOKEN_KINDS[kinds[i % len(kinds)]](rng)]
        if rng.random() < 0.4:
            items.append(SPOKEN_KINDS[rng.choice(kinds)](rng))
        subject, verb = rng.choice(_SUBJECTS).lower(), rng.choice(_VERBS)
        out.append(f"{subject} {verb} " + " and ".join(items))
    return out
