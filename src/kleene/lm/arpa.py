"""ARPA backoff language-model files: read and write.

Format (as SRILM, KenLM and Kaldi write it)::

    \\data\\
    ngram 1=<count>
    ...
    \\1-grams:
    <log10 prob>\\t<w1>[\\t<log10 backoff>]
    ...
    \\2-grams:
    <log10 prob>\\t<w1> <w2>[\\t<log10 backoff>]
    ...
    \\end\\

Writing uses Python's shortest round-trip float repr, so write -> read gives
back the model's values bit for bit. Files ending in ``.gz`` are gzipped.
"""

from __future__ import annotations

import gzip
import io
import os
import re
from itertools import chain, repeat
from typing import IO

import numpy as np

from .errors import ArpaFormatError, LmModelError
from .model import NgramModel
from .vocab import Vocabulary

_NGRAM_LINE = re.compile(r"^ngram\s+(\d+)\s*=\s*(\d+)$")
_SECTION = re.compile(r"^\\(\d+)-grams:$")


def _open(path_or_file, mode: str):
    if isinstance(path_or_file, (str, os.PathLike)):
        path = os.fspath(path_or_file)
        if path.endswith(".gz"):
            return gzip.open(path, mode + "t", encoding="utf-8"), True, path
        return open(path, mode, encoding="utf-8"), True, path
    return path_or_file, False, getattr(path_or_file, "name", None)


def read_arpa(path_or_file: str | os.PathLike | IO[str]) -> NgramModel:
    """Reads an ARPA file (path, ``.gz`` path or text file object) into an
    :class:`NgramModel`.

    The vocabulary is the four special words then the unigrams in file order.
    N-grams may come in any order (they are sorted); text before ``\\data\\``
    is ignored, as SRILM does. Raises :class:`ArpaFormatError` with the line
    number for: a missing ``\\data\\`` or ``\\end\\``, header counts that do
    not match the sections, non-numeric fields, n-grams of the wrong length,
    duplicate n-grams, words missing from the unigrams, and n-grams whose
    prefix or suffix is missing. O(n log n) for n n-grams.
    """
    f, close, path = _open(path_or_file, "r")
    try:
        text = f.read()
    finally:
        if close:
            f.close()
    model = _parse_fast(text)
    if model is None:  # malformed, or unusual layout: the line-by-line parser
        model = _parse(io.StringIO(text), path)  # reports the exact line
    return model


_WS = np.zeros(256, dtype=bool)
_WS[[9, 10, 11, 12, 13, 32]] = True


def _fields_per_line(section: str) -> np.ndarray:
    """Number of whitespace-separated fields on each line of ``section``
    (vectorised over its utf-8 bytes)."""
    raw = np.frombuffer(section.encode("utf-8"), dtype=np.uint8)
    ws = _WS[raw]
    starts = np.flatnonzero(~ws & np.concatenate(([True], ws[:-1])))
    newlines = np.flatnonzero(raw == 10)
    line_of = np.searchsorted(newlines, starts)
    return np.bincount(line_of, minlength=len(newlines) + 1)


def _marks(text: str) -> list[tuple[str, int, int]]:
    """(line, start, end) of every line starting with a backslash."""
    out = []
    pos = 0 if text.startswith("\\") else text.find("\n\\")
    while pos >= 0:
        start = pos if text[pos] == "\\" else pos + 1
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        out.append((text[start:end].strip(), start, end))
        pos = text.find("\n\\", end)
    return out


def _parse_fast(text: str) -> NgramModel | None:
    """Vectorised parse of a well-formed file; None at the first doubt (the
    caller then runs the checking parser, which reports the error)."""
    marks = _marks(text)
    if len(marks) < 3 or marks[0][0] != "\\data\\" or marks[-1][0] != "\\end\\":
        return None
    declared = []
    for line in text[marks[0][2]:marks[1][1]].split("\n"):
        m = _NGRAM_LINE.match(line.strip())
        if m is None:
            if line.strip():
                return None
            continue
        if int(m.group(1)) != len(declared) + 1:
            return None
        declared.append(int(m.group(2)))
    order = len(declared)
    if order == 0 or len(marks) != order + 2:
        return None
    vocab = Vocabulary()
    get = vocab._index.get  # noqa: SLF001
    tables, logprobs, backoffs = [], [], []
    for k in range(1, order + 1):
        if marks[k][0] != f"\\{k}-grams:":
            return None
        section = text[marks[k][2]:marks[k + 1][1]]
        lens = _fields_per_line(section)
        lens = lens[lens > 0]
        n = len(lens)
        if n != declared[k - 1]:
            return None
        if np.any((lens != k + 1) & (lens != k + 2)) or (k == order and np.any(lens != k + 1)):
            return None
        flat = section.split()
        if len(flat) != int(lens.sum()):  # non-ASCII whitespace: let the slow path judge
            return None
        starts = np.zeros(n, dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        try:
            lp = np.fromiter(map(float, [flat[i] for i in starts.tolist()]),
                             dtype=np.float64, count=n)
            bo = np.zeros(n, dtype=np.float64)
            has = np.flatnonzero(lens == k + 2)
            bo[has] = np.fromiter(map(float, [flat[i] for i in (starts[has] + k + 1).tolist()]),
                                  dtype=np.float64, count=len(has))
        except ValueError:
            return None
        if not np.isfinite(lp).all() or not np.isfinite(bo).all():
            return None
        if k == 1:
            words = [flat[i] for i in (starts + 1).tolist()]
            for w in words:
                if w not in vocab:
                    vocab.add(w)
        else:
            pos = (starts[:, None] + np.arange(1, k + 1)).ravel().tolist()
            words = [flat[i] for i in pos]
        ids = np.fromiter(map(get, words, repeat(-1)), dtype=np.int64, count=len(words))
        if ids.min(initial=0) < 0:
            return None
        table = ids.reshape(n, k)
        perm = np.lexsort(table.T[::-1]) if n else np.zeros(0, dtype=np.int64)
        table = table[perm]
        if n > 1 and (table[1:] == table[:-1]).all(axis=1).any():
            return None
        tables.append(np.ascontiguousarray(table, dtype=np.int32))
        logprobs.append(lp[perm])
        backoffs.append(bo[perm])
    model = NgramModel(order, vocab, tuple(tables), tuple(logprobs), tuple(backoffs))
    try:
        model.validate()
    except LmModelError:
        return None
    return model


def _parse(f, path) -> NgramModel:
    def fail(msg: str, line: int | None):
        raise ArpaFormatError(msg, path=path, line=line)

    lineno = 0
    it = iter(f)
    for raw in it:  # skip to \data\
        lineno += 1
        if raw.strip() == "\\data\\":
            break
    else:
        fail("no \\data\\ line: not an ARPA file", None)
    declared: dict[int, int] = {}
    header_line: dict[int, int] = {}
    section = None
    for raw in it:
        lineno += 1
        line = raw.strip()
        if not line:
            continue
        m = _NGRAM_LINE.match(line)
        if m:
            k, n = int(m.group(1)), int(m.group(2))
            if k != len(declared) + 1:
                fail(f"expected 'ngram {len(declared) + 1}=<count>', got {line!r}", lineno)
            declared[k] = n
            header_line[k] = lineno
            continue
        m = _SECTION.match(line)
        if m:
            section = int(m.group(1))
            break
        if line == "\\end\\":
            break
        fail(f"expected 'ngram <k>=<count>' or '\\1-grams:', got {line!r}", lineno)
    if not declared:
        fail("the \\data\\ section declares no 'ngram <k>=<count>' lines", lineno)
    order = len(declared)
    vocab = Vocabulary()
    index = vocab._index  # noqa: SLF001
    tables, logprobs, backoffs, line_numbers = [], [], [], []
    ended = False
    expected_section = 1
    while section is not None:
        k = section
        if k != expected_section:
            fail(f"expected section \\{expected_section}-grams:, got \\{k}-grams:", lineno)
        if k > order:
            fail(f"section \\{k}-grams: but the header declares order {order}", lineno)
        expected_section += 1
        section_start = lineno
        ids: list[int] = []
        lps: list[float] = []
        bos: list[float] = []
        lines: list[int] = []
        section = None
        for raw in it:
            lineno += 1
            parts = raw.split()
            if not parts:
                continue
            n = len(parts)
            if parts[0].startswith("\\"):
                line = raw.strip()
                m = _SECTION.match(line)
                if m:
                    section = int(m.group(1))
                    break
                if line == "\\end\\":
                    ended = True
                    break
                fail(f"unexpected line {line!r}", lineno)
            if n == k + 1:
                bo = 0.0
            elif n == k + 2:
                try:
                    bo = float(parts[-1])
                except ValueError:
                    fail(f"backoff weight {parts[-1]!r} is not a number (or the line has "
                         f"{k + 1} words, one too many for a {k}-gram)", lineno)
            else:
                fail(f"a {k}-gram line needs a log10 probability, {k} words and an "
                     f"optional backoff weight; got {n} fields", lineno)
            try:
                lp = float(parts[0])
            except ValueError:
                fail(f"log10 probability {parts[0]!r} is not a number", lineno)
            words = parts[1:k + 1]
            if k == 1:
                w = words[0]
                i = index.get(w)
                if i is None:
                    i = vocab.add(w)
                ids.append(i)
            else:
                ids.extend([index.get(w, -1) for w in words])
            lps.append(lp)
            bos.append(bo)
            lines.append(lineno)
        n_found = len(lps)
        if n_found != declared[k]:
            fail(f"the header (line {header_line[k]}) declares {declared[k]} {k}-grams "
                 f"but section \\{k}-grams: (line {section_start}) has {n_found}", lineno)
        table = np.array(ids, dtype=np.int64).reshape(-1, k)
        line_arr = np.array(lines, dtype=np.int64)
        if k > 1 and len(table) and table.min() < 0:
            r = int(np.argmax((table < 0).any(axis=1)))
            fail(f"{k}-gram uses a word that is not among the unigrams", int(line_arr[r]))
        lp_arr = np.array(lps, dtype=np.float64)
        bo_arr = np.array(bos, dtype=np.float64)
        bad = ~np.isfinite(lp_arr)
        if bad.any():
            fail("log10 probability must be finite (write -99 for 'never')",
                 int(line_arr[np.argmax(bad)]))
        if k == order and np.any(bo_arr != 0.0):
            fail(f"the highest order ({order}) cannot have backoff weights",
                 int(line_arr[np.argmax(bo_arr != 0.0)]))
        perm = np.lexsort(table.T[::-1]) if len(table) else np.zeros(0, dtype=np.int64)
        table, lp_arr, bo_arr, line_arr = table[perm], lp_arr[perm], bo_arr[perm], line_arr[perm]
        if len(table) > 1:
            dup = (table[1:] == table[:-1]).all(axis=1)
            if dup.any():
                r = int(np.argmax(dup))
                fail(f"duplicate {k}-gram (first at line {min(line_arr[r], line_arr[r + 1])})",
                     int(max(line_arr[r], line_arr[r + 1])))
        tables.append(np.ascontiguousarray(table, dtype=np.int32))
        logprobs.append(lp_arr)
        backoffs.append(bo_arr)
        line_numbers.append(line_arr)
        if ended:
            break
    if not ended:
        fail("missing \\end\\ (truncated file?)", lineno)
    if len(tables) != order:
        fail(f"the header declares order {order} but only {len(tables)} sections follow",
             lineno)
    model = NgramModel(order, vocab, tuple(tables), tuple(logprobs), tuple(backoffs))
    try:
        model.validate()
    except LmModelError as e:
        line = _invariant_line(model, line_numbers)
        raise ArpaFormatError(str(e), path=path, line=line) from None
    return model


def _invariant_line(model: NgramModel, line_numbers) -> int | None:
    """Line of the first n-gram whose prefix or suffix is missing."""
    from ._index import build_keys, find_rows
    v = len(model.vocab)
    keys, parents = build_keys(model.ngrams, v)
    for k in range(2, model.order + 1):
        table = model.ngrams[k - 1]
        bad = (parents[k - 1] < 0) | (find_rows(keys, v, table[:, 1:]) < 0)
        if bad.any():
            return int(line_numbers[k - 1][np.argmax(bad)])
    return None


def write_arpa(model: NgramModel, path_or_file: str | os.PathLike | IO[str]) -> None:
    """Writes ``model`` as an ARPA file (path, ``.gz`` path or text file).

    N-grams are written in the model's (lexicographic id) order; a backoff
    weight is written for every n-gram below the highest order whose weight
    is not +0.0. Values use the shortest repr that reads back to the same
    float64. O(n) in the n-grams.
    """
    f, close, _ = _open(path_or_file, "w")
    try:
        words = model.vocab.words
        f.write("\n\\data\\\n")
        for k, n in enumerate(model.num_ngrams, start=1):
            f.write(f"ngram {k}={n}\n")
        for k in range(1, model.order + 1):
            f.write(f"\n\\{k}-grams:\n")
            table = model.ngrams[k - 1]
            text = [" ".join([words[i] for i in row]) for row in table.tolist()] \
                if k > 1 else [words[i] for i in table[:, 0].tolist()]
            lps = model.logprob[k - 1].tolist()
            bo = model.backoff[k - 1]
            if k == model.order:
                f.writelines(f"{p!r}\t{t}\n" for p, t in zip(lps, text))
                continue
            has_bo = ((bo != 0.0) | np.signbit(bo)).tolist()
            bos = bo.tolist()
            f.writelines(f"{p!r}\t{t}\t{b!r}\n" if h else f"{p!r}\t{t}\n"
                         for p, t, b, h in zip(lps, text, bos, has_bo))
        f.write("\n\\end\\\n")
    finally:
        if close:
            f.close()


__all__ = ["read_arpa", "write_arpa"]
