import pytest

from kleene.lm import CorpusNotFoundError
from kleene.lm import corpus as corpus_mod
from kleene.lm.corpus import kjv_verses, normalize_words


def _verses(ref):
    try:
        return kjv_verses(ref)
    except FileNotFoundError:
        pytest.skip("bible-kjv not installed (apt-get install bible-kjv bible-kjv-text)")


def test_normalize_words():
    assert normalize_words("And God said, Let there be light: and the LORD's") == \
        ["and", "god", "said", "let", "there", "be", "light", "and", "the", "lord's"]
    assert normalize_words(" -- ") == []


def test_kjv_slice_strips_numbers_and_headings():
    verses = _verses("Genesis 1:1-2:3")
    assert len(verses) == 34  # Genesis 1 has 31 verses, then 2:1-3
    assert verses[0] == "In the beginning God created the heaven and the earth."
    # verse 2 wraps over two lines in bible's output: joined with one space
    assert verses[1].startswith("And the earth was without form") and "  " not in verses[1]
    assert not any(v.startswith("Genesis") or v[0].isdigit() for v in verses)


def test_missing_reader_raises_file_not_found(monkeypatch):
    monkeypatch.setattr(corpus_mod.shutil, "which", lambda name: None)
    with pytest.raises(FileNotFoundError, match="apt-get install bible-kjv"):
        kjv_verses("John 1:1")
    assert issubclass(CorpusNotFoundError, FileNotFoundError)
