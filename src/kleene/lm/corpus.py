"""Real English text for tests and benchmarks: the King James Bible as
Debian's ``bible-kjv`` reader prints it (``apt-get install bible-kjv
bible-kjv-text``), and a simple word tokenizer."""

from __future__ import annotations

import re
import shutil
import subprocess

from .errors import CorpusNotFoundError, LmError

_VERSE = re.compile(r"^\s+\d+\s(.*)$")
_WORD = re.compile(r"\w+(?:'\w+)*")
FULL_BIBLE = "Genesis 1:1-Revelation 22:21"


def kjv_verses(book_range: str = FULL_BIBLE) -> list[str]:
    """The verses of ``book_range`` (``bible``'s reference syntax, e.g.
    ``"John 1:1-3:36"``), one string per verse, verse numbers and chapter
    headings removed and wrapped lines joined. The whole Bible is ~31k verses
    (~790k words) and takes ~0.1 s. Raises :class:`CorpusNotFoundError`
    (a ``FileNotFoundError``) when the Debian packages are not installed."""
    exe = shutil.which("bible")
    if exe is None:
        raise CorpusNotFoundError(
            "the KJV corpus needs the Debian packages bible-kjv and bible-kjv-text: "
            "apt-get install bible-kjv bible-kjv-text")
    try:
        out = subprocess.run([exe, book_range], capture_output=True, check=True,
                             text=True, timeout=60).stdout
    except subprocess.CalledProcessError as e:
        raise LmError(f"'bible {book_range}' failed ({e.returncode}): "
                      f"{e.stderr.strip()}") from None
    except subprocess.TimeoutExpired:
        raise LmError(f"'bible {book_range}' took over 60 s") from None
    verses: list[str] = []
    current: list[str] | None = None
    for line in out.splitlines():
        m = _VERSE.match(line)
        if m:
            if current:
                verses.append(" ".join(current))
            current = [m.group(1).strip()]
        elif not line.strip():
            if current:
                verses.append(" ".join(current))
            current = None
        elif current is not None:
            current.append(line.strip())
        # else: a chapter heading such as "Genesis 1"
    if current:
        verses.append(" ".join(current))
    if not verses:
        raise LmError(f"'bible {book_range}' printed no verses: check the reference")
    return verses


def normalize_words(text: str) -> list[str]:
    """Lowercased words of ``text`` with punctuation stripped (apostrophes
    inside a word are kept: ``"LORD's"`` -> ``"lord's"``)."""
    return _WORD.findall(text.lower())


__all__ = ["FULL_BIBLE", "kjv_verses", "normalize_words"]
