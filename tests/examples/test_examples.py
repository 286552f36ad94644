"""The example grammars agree with plain-Python references (tests/reference)
that compute the same answers without automata."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, strategies as st

from kleene.examples import cardinals, dates, spanish_g2p
from kleene.grammar.rewrite import RewriteError, rewrites

from ..reference import number_words, spanish_g2p as g2p_reference


# -- cardinals ----------------------------------------------------------------
EDGES = [0, 1, 9, 10, 11, 19, 20, 21, 40, 99, 100, 101, 110, 119, 120, 999, 1000,
         1001, 1010, 1100, 1203, 9999, 10000, 10001, 99999, 100000, 100001,
         999999, 1000000]


def test_cardinal_edges_match_the_reference():
    for n in EDGES:
        assert cardinals.number_name(str(n)) == number_words.cardinal(n), n


@given(st.integers(0, 1_000_000))
def test_cardinals_match_the_reference(n):
    assert rewrites(str(n), cardinals.grammar()) == [number_words.cardinal(n)]


@pytest.mark.parametrize("bad", ["", "01", "007", "1000001", "12a", "-5", "2000000"])
def test_cardinals_reject_what_is_not_a_number_name(bad):
    with pytest.raises(RewriteError):
        cardinals.number_name(bad)


# -- dates ----------------------------------------------------------------------
dates_strategy = st.tuples(st.integers(1, 12), st.integers(1, 31),
                           st.integers(1000, 2999))


@given(dates_strategy, st.booleans(), st.booleans())
def test_us_dates_match_the_reference(date, pad_month, pad_day):
    month, day, year = date
    text = f"{month:02d}" if pad_month else str(month)
    text += "/" + (f"{day:02d}" if pad_day else str(day)) + f"/{year}"
    assert dates.say_date(text) == number_words.us_date(month, day, year)


@given(dates_strategy)
def test_written_and_day_first_dates_match_the_reference(date):
    month, day, year = date
    name = number_words.MONTHS[month - 1].capitalize()
    assert dates.say_date(f"{name} {day}, {year}") == number_words.us_date(month, day, year)
    assert dates.say_date(f"{day}.{month}.{year}") == number_words.day_first_date(
        month, day, year)


def test_years_prefer_two_thousand_and_read_pairs_otherwise():
    # the priority union: 2005 is "two thousand five", never "twenty oh five"
    for year in (1000, 1900, 1905, 1999, 2000, 2005, 2010, 2024, 2999):
        assert dates.say_date(f"1/1/{year}").endswith(number_words.year(year))


@pytest.mark.parametrize("bad", ["13/1/2024", "1/32/2024", "1/1/999", "1/1/3000",
                                 "0/1/2024", "1-1-2024"])
def test_malformed_dates_have_no_reading(bad):
    with pytest.raises(RewriteError):
        dates.say_date(bad)


@given(dates_strategy, st.sampled_from(["we met on ", "", "call me "]),
       st.sampled_from([" at noon", "", " ok"]))
def test_normalizer_rewrites_dates_in_running_text(date, before, after):
    month, day, year = date
    text = f"{before}{month}/{day}/{year}{after}"
    expected = before + number_words.us_date(month, day, year) + after
    assert dates.normalize(text) == expected


def test_normalizer_leaves_text_without_dates_alone():
    for text in ("no dates here", "1/2", "version 3/4/5", "a1/1/2024"):
        assert dates.normalize(text) == text


# -- Spanish G2P -----------------------------------------------------------------
WORDS = ["perro", "pero", "chico", "guitarra", "guerra", "gente", "hoy", "yo",
         "canción", "pingüino", "taxi", "honra", "jugo", "rosa", "cielo", "llave",
         "queso", "zapato", "niño", "hola", "alrededor", "israel", "carro", "coger"]


@pytest.mark.parametrize("word", WORDS)
def test_g2p_matches_the_regex_reference(word):
    assert spanish_g2p.transcribe(word) == g2p_reference.transcribe(word)


@given(st.text(alphabet=spanish_g2p.LETTERS, min_size=1, max_size=10))
def test_g2p_matches_the_regex_reference_on_random_words(word):
    assert spanish_g2p.transcribe(word) == g2p_reference.transcribe(word)


def test_g2p_is_a_function():
    # every word has exactly one transcription: the cascade is deterministic
    rng = random.Random(3)
    for _ in range(50):
        word = "".join(rng.choice(spanish_g2p.LETTERS) for _ in range(rng.randint(1, 8)))
        assert len(rewrites(word, spanish_g2p.grammar(), input_token_type="utf8",
                            output_token_type="utf8")) == 1
