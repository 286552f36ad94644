import numpy as np
import pytest

from kleene.errors import FstIndexError
from kleene.lm import LmArgError, Vocabulary


def test_special_ids_are_fixed():
    v = Vocabulary()
    assert v.words == ["<eps>", "<s>", "</s>", "<unk>"]
    assert (v.EPS, v.BOS, v.EOS, v.UNK) == (0, 1, 2, 3)
    assert [v.id(w) for w in v.words] == [0, 1, 2, 3]
    assert len(v) == 4


def test_add_id_word_ids():
    v = Vocabulary.from_words(["the", "cat", "the", "<unk>"])
    assert v.words[4:] == ["the", "cat"]
    assert v.add("dog") == 6 and v.add("dog") == 6
    assert v.id("cat") == 5 and v.word(5) == "cat"
    assert v.id("never-seen") == Vocabulary.UNK
    ids = v.ids(["the", "zzz", "dog"])
    assert ids.dtype == np.int32 and ids.tolist() == [4, 3, 6]
    assert "cat" in v and "zzz" not in v


def test_errors():
    v = Vocabulary()
    with pytest.raises(FstIndexError):
        v.word(4)
    with pytest.raises(LmArgError):
        v.add("two words")
    with pytest.raises(ValueError):
        v.add("")


def test_symbol_table_round_trip():
    v = Vocabulary(["a", "b"])
    t = v.to_symbol_table()
    assert [t.find(i) for i in range(len(v))] == v.words
    assert Vocabulary.from_symbol_table(t) == v
