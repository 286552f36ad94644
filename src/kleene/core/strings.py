"""Strings to and from machines: :func:`accep`, :func:`string` and the label
codecs :func:`encode_labels` / :func:`decode_labels` they share with
:func:`kleene.paths`.

Token types (pynini's names):

``"byte"`` (the default)
    One label per byte of the UTF-8 encoding, 1..255. ``"é"`` is two labels.
``"utf8"``
    One label per Unicode code point (``"é"`` is label 233).
a :class:`~kleene.core.symbols.SymbolTable`
    The text is split on whitespace and each piece is looked up as a symbol;
    decoding joins the symbols with a single space.

Bracket syntax in ``"byte"`` and ``"utf8"`` text (a subset of pynini's):

* ``\\[``, ``\\]`` and ``\\\\`` stand for a literal ``[``, ``]`` and ``\\``;
  a backslash before any other character (or at the end) is itself literal.
* ``[N]`` with ``N`` an integer literal (decimal ``97``, hex ``0x61``, octal
  ``0141``, as C's ``strtol``) is the single label ``N``, 1 <= N < 2**31.
* ``[c]`` with ``c`` one ASCII character other than a digit (escapes allowed
  inside) is that character's label.
* Whitespace inside brackets separates symbols, each read as above or
  below: ``[97 98]`` is two labels, ``[ab c]`` is ``[ab]`` then ``c``
  (pynini's reading). Empty brackets raise :class:`FstArgError` (pynini
  makes a generated symbol with an empty name).
* Any other bracketed span, e.g. ``[BOS]``, is a *generated symbol* in pynini;
  kleene's string layer does not create those and raises
  :class:`~kleene.errors.FstArgError` (the grammar layer handles them).
  Unmatched or nested brackets raise :class:`FstArgError` too (pynini raises
  ``FstStringCompilationError``).

Deviations from pynini, on purpose:

* a NUL character (or ``[0]``) raises :class:`FstArgError`: pynini silently
  turns it into an epsilon arc (label 0), so the machine would not accept the
  string it was built from;
* decoding raises :class:`FstArgError` (a ``ValueError``, like the
  ``UnicodeDecodeError`` pynini raises) for labels that are not bytes in byte
  mode (pynini keeps the low 8 bits of e.g. label 300) or not code points in
  utf8 mode; labels that are not valid UTF-8 in byte mode raise the same
  unless ``errors=`` asks :func:`decode_labels` to replace them;
* with a symbol table, runs of whitespace separate symbols (pynini requires
  single spaces and fails on empty symbols).
"""

from __future__ import annotations

import re
from typing import Callable, Iterator, Literal, Union

import numpy as np

from ..errors import FstArgError, FstOpError
from ..semirings import Semiring, get_semiring
from .fst import INDPTR_DTYPE, LABEL_DTYPE, STATE_DTYPE, Fst
from .properties import ALL_PROPS, Prop, Props
from .symbols import SymbolTable

TokenType = Union[Literal["byte", "utf8"], SymbolTable]

#: Largest label a bracketed integer may name (labels are int32).
_MAX_LABEL = 2**31 - 1
_MAX_CODE_POINT = 0x10FFFF
_BRACKET_CHARS = re.compile(r"[\[\]\\]")
# Outside brackets: an escape, a lone backslash, or a bracket.
_SPECIAL = re.compile(r"\\[\[\]\\]|\\|\[|\]")
_HEX = re.compile(r"0[xX][0-9a-fA-F]+\Z")
_OCT = re.compile(r"0[0-7]+\Z")
_DEC = re.compile(r"[1-9][0-9]*\Z")


# -- encoding ---------------------------------------------------------------
def _check_token_type(token_type) -> None:
    if isinstance(token_type, SymbolTable) or token_type in ("byte", "utf8"):
        return
    raise FstArgError(f"token_type must be 'byte', 'utf8' or a SymbolTable, "
                      f"not {token_type!r}")


def _encode_plain(text: str, token_type: str) -> np.ndarray:
    """Labels of text with no bracket syntax in it (vectorised)."""
    try:
        if token_type == "byte":
            raw = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
        else:
            raw = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    except UnicodeEncodeError as exc:
        raise FstArgError(f"text has a character that cannot be encoded "
                          f"({exc.reason}) at position {exc.start}: "
                          f"{text[exc.start:exc.end]!r}") from None
    return raw.astype(LABEL_DTYPE)


def _bracket_labels(content: str, token_type: str, text: str,
                    generated: "Callable[[str], int] | None" = None) -> np.ndarray:
    """The labels a bracketed span ``[content]`` (already unescaped) names:
    whitespace separates several symbols, as in pynini (``[ab c]`` is the
    generated symbol ``ab`` followed by ``c``)."""
    names = content.split()
    if not names:
        raise FstArgError(f"empty brackets [{content}] in {text!r} name no symbol (pynini "
                          f"would invent a generated symbol with an empty name); "
                          f"write \\[ and \\] for literal brackets")
    if len(names) == 1 and names[0] == content:
        return _bracket_label(content, token_type, text, generated)
    return np.concatenate([_bracket_label(name, token_type, text, generated)
                           for name in names])


def _bracket_label(content: str, token_type: str, text: str,
                   generated: "Callable[[str], int] | None" = None) -> np.ndarray:
    """The label one bracketed symbol ``content`` names."""
    # integers first: "[5]" is label 5, not the character "5" (as in pynini)
    if _DEC.match(content) or _HEX.match(content) or _OCT.match(content) or content == "0":
        value = int(content, 8) if _OCT.match(content) else int(content, 0)
        if not 0 < value <= _MAX_LABEL:
            raise FstArgError(f"bracketed label [{content}] in {text!r} is out of range "
                              f"[1, {_MAX_LABEL}] (label 0 is epsilon)")
        return np.array([value], dtype=LABEL_DTYPE)
    if len(content) == 1 and ord(content) < 128:
        return _encode_plain(content, token_type)
    if generated is not None:
        return np.array([generated(content)], dtype=LABEL_DTYPE)
    raise FstArgError(
        f"bracketed symbol [{content}] in {text!r} is a generated symbol, which "
        f"kleene.accep does not create; use the grammar layer or a SymbolTable "
        f"token type, or escape literal brackets as \\[ and \\]")


def _encode_bracketed(text: str, token_type: str,
                      generated: "Callable[[str], int] | None" = None) -> np.ndarray:
    """Labels of text that uses escapes or brackets (see the module doc)."""
    pieces: list[np.ndarray] = []
    pos = 0
    n = len(text)
    while pos < n:
        m = _SPECIAL.search(text, pos)
        end = m.start() if m else n
        if end > pos:
            pieces.append(_encode_plain(text[pos:end], token_type))
        if m is None:
            break
        tok = m.group()
        if tok == "]":
            raise FstArgError(f"unmatched ']' at position {m.start()} of {text!r}; "
                              f"write \\] for a literal bracket")
        if tok != "[":
            # "\[", "\]", "\\" give the escaped character; a lone "\" is literal
            pieces.append(_encode_plain(tok[-1], token_type))
            pos = m.end()
            continue
        # scan the bracketed span, honouring escapes inside it
        content = []
        i = m.end()
        while True:
            if i >= n:
                raise FstArgError(f"unmatched '[' at position {m.start()} of {text!r}; "
                                  f"write \\[ for a literal bracket")
            c = text[i]
            if c == "\\" and i + 1 < n and text[i + 1] in "[]\\":
                content.append(text[i + 1])
                i += 2
            elif c == "[":
                raise FstArgError(f"nested '[' at position {i} of {text!r}; "
                                  f"write \\[ for a literal bracket")
            elif c == "]":
                break
            else:
                content.append(c)
                i += 1
        pieces.append(_bracket_labels("".join(content), token_type, text, generated))
        pos = i + 1
    if not pieces:
        return np.zeros(0, dtype=LABEL_DTYPE)
    return np.concatenate(pieces)


def encode_labels(text: str, token_type: TokenType = "byte", *,
                  generated: "Callable[[str], int] | None" = None) -> np.ndarray:
    """The int32 labels that spell ``text`` in ``token_type`` (see the module
    doc for the bracket syntax in byte/utf8 modes).

    ``generated`` maps the name inside a bracketed multi-character span such
    as ``[BOS]`` to its label (the grammar layer passes its registry of
    generated symbols); without it such spans raise :class:`FstArgError`.

    Raises :class:`FstArgError` for a NUL character, malformed brackets or
    unencodable text, and :class:`~kleene.errors.FstSymbolError` for a symbol
    missing from the table. Complexity: O(len(text)), vectorised for text
    without brackets or backslashes.
    """
    if not isinstance(text, str):
        raise FstArgError(f"text must be a str, not {type(text).__name__}")
    _check_token_type(token_type)
    if isinstance(token_type, SymbolTable):
        key = token_type.key  # raises FstSymbolError naming symbol and table
        return np.fromiter((key(sym) for sym in text.split()), dtype=LABEL_DTYPE)
    if _BRACKET_CHARS.search(text):
        labels = _encode_bracketed(text, token_type, generated)
    else:
        labels = _encode_plain(text, token_type)
    if labels.size and not labels.all():
        at = int(np.flatnonzero(labels == 0)[0])
        raise FstArgError(f"text {text!r} contains a NUL character (label {at} would be "
                          f"0, the epsilon label); strings cannot spell epsilon")
    return labels


# -- decoding ---------------------------------------------------------------
#: Smallest label a generated symbol can have ([BOS] = U+F8FE; the others
#: start at U+F0000); see :mod:`kleene.grammar.symbols`.
_MIN_GENERATED = 0xF8FE


def _decode_with_generated(labels: np.ndarray, token_type: str, errors: str,
                           generated: "Callable[[int], str | None]") -> str | None:
    """``labels`` decoded with generated symbols written ``[NAME]``, or None
    when no label is a generated symbol."""
    candidates = np.flatnonzero(labels >= _MIN_GENERATED)
    named = [(int(i), generated(int(labels[i]))) for i in candidates.tolist()]
    named = [(i, name) for i, name in named if name is not None]
    if not named:
        return None
    parts = []
    pos = 0
    for i, name in named:
        parts.append(decode_labels(labels[pos:i], token_type, errors=errors))
        parts.append(f"[{name}]")
        pos = i + 1
    parts.append(decode_labels(labels[pos:], token_type, errors=errors))
    return "".join(parts)


def decode_labels(labels, token_type: TokenType = "byte", *,
                  errors: Literal["strict", "replace", "backslashreplace"] = "strict",
                  generated: "Callable[[int], str | None] | None" = None) -> str:
    """The text that ``labels`` spell in ``token_type``; epsilons (label 0)
    are skipped.

    ``generated`` maps a label to the name of its generated symbol (or None
    for an ordinary label); with it, byte and utf8 decoding write generated
    symbols as ``[NAME]``, symmetric to :func:`encode_labels`'s callback (the
    grammar layer passes :func:`kleene.grammar.symbols.generated_name`).

    In byte mode the labels must be bytes (1..255) forming valid UTF-8
    (``errors`` is passed to ``bytes.decode``, so ``"replace"`` tolerates
    broken sequences); in utf8 mode they must be Unicode scalar values. With a
    symbol table the symbols are joined with single spaces and a missing key
    raises :class:`~kleene.errors.FstSymbolError`. Complexity: O(len(labels)).
    """
    _check_token_type(token_type)
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise FstArgError(f"labels must be one-dimensional, got shape {labels.shape}")
    labels = labels[labels != 0].astype(np.int64, copy=False)
    if generated is not None and not isinstance(token_type, SymbolTable):
        text = _decode_with_generated(labels, token_type, errors, generated)
        if text is not None:
            return text
    if isinstance(token_type, SymbolTable):
        symbol = token_type.symbol  # raises FstSymbolError naming key and table
        return " ".join(symbol(k) for k in labels.tolist())
    if labels.size and labels.min() < 0:
        raise FstArgError(f"label {int(labels.min())} is negative; labels are >= 0")
    if token_type == "byte":
        if labels.size and labels.max() > 255:
            raise FstArgError(
                f"label {int(labels.max())} is not a byte (1..255); use "
                f"token_type='utf8' for code points or a SymbolTable")
        data = labels.astype(np.uint8).tobytes()
        try:
            return data.decode("utf-8", errors=errors)
        except UnicodeDecodeError as exc:
            raise FstArgError(
                f"byte labels {list(data[exc.start:exc.end])} at position {exc.start} "
                f"are not valid UTF-8 ({exc.reason}); decode with errors='replace' or "
                f"use token_type='utf8' if the labels are code points") from None
    bad = (labels > _MAX_CODE_POINT) | ((labels >= 0xD800) & (labels <= 0xDFFF))
    if bad.any():
        raise FstArgError(f"label {int(labels[bad][0])} is not a Unicode scalar value; "
                          f"use token_type='byte' or a SymbolTable")
    return labels.astype("<u4").tobytes().decode("utf-32-le")


def decode_label_batch(labels, offsets, token_type: TokenType = "byte", *,
                       generated: "Callable[[int], str | None] | None" = None
                       ) -> Iterator[str]:
    """Yields the text of each of several label sequences stored CSR-style
    (sequence k is ``labels[offsets[k]:offsets[k + 1]]``), as
    :func:`decode_labels` would, lazily: an undecodable sequence raises when
    it is reached. Byte and utf8 batches are converted to bytes once, so the
    cost per sequence is one ``bytes.decode``. O(len(labels) + len(offsets)).
    ``generated`` is as for :func:`decode_labels`.
    """
    _check_token_type(token_type)
    labels = np.asarray(labels)
    offsets = np.asarray(offsets, dtype=np.int64)
    num = offsets.shape[0] - 1
    if generated is not None and labels.size and labels.max() >= _MIN_GENERATED:
        for k in range(num):
            yield decode_labels(labels[offsets[k]:offsets[k + 1]], token_type,
                                generated=generated)
        return
    keep = labels != 0
    kept = labels[keep].astype(np.int64, copy=False)
    fits = False
    if token_type == "byte":
        fits = not kept.size or (kept.min() > 0 and kept.max() <= 255)
        width, codec = 1, "utf-8"
    elif token_type == "utf8":
        fits = not kept.size or (kept.min() > 0 and kept.max() <= _MAX_CODE_POINT and not
                                 ((kept >= 0xD800) & (kept <= 0xDFFF)).any())
        width, codec = 4, "utf-32-le"
    if not fits:  # symbol tables, or bad labels somewhere: one sequence at a time
        for k in range(num):
            yield decode_labels(labels[offsets[k]:offsets[k + 1]], token_type)
        return
    # offsets into the epsilon-free labels
    kept_before = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))
    bounds = (kept_before[offsets] * width).tolist()
    data = kept.astype(np.uint8 if width == 1 else "<u4").tobytes()
    for k in range(num):
        try:
            yield data[bounds[k]:bounds[k + 1]].decode(codec)
        except UnicodeDecodeError:
            yield decode_labels(labels[offsets[k]:offsets[k + 1]], token_type)


# -- accep ------------------------------------------------------------------
def _string_props(labels: np.ndarray, final_is_zero: bool, final_is_one: bool) -> Props:
    """Every property of the linear acceptor, without a kernel pass."""
    value = int(ALL_PROPS)
    if labels.size and not labels.all():  # symbol tables may map to epsilon
        value &= ~(Prop.NO_EPSILONS | Prop.NO_IEPSILONS | Prop.NO_OEPSILONS)
    if final_is_zero:
        value &= ~Prop.COACCESSIBLE
    if not (final_is_zero or final_is_one):
        value &= ~Prop.UNWEIGHTED
    return Props(int(ALL_PROPS), value)


def accep(text: str, *, token_type: TokenType = "byte", weight=None,
          semiring: "str | Semiring" = "tropical",
          generated: "Callable[[str], int] | None" = None) -> Fst:
    """A linear acceptor for ``text``: states 0..n, arc ``i`` goes from state
    ``i`` to ``i + 1`` with the i-th label and weight one, and ``weight``
    (``None``: one) is the final weight of state n, as ``pynini.accep`` does.

    With a symbol-table token type the table is attached as the machine's
    input and output symbols (the same object, not a copy). Every property is
    known on return (acceptor, string-shaped, acyclic, top-sorted,
    deterministic, accessible, coaccessible unless ``weight`` is zero).
    Complexity: O(len(text)), no Python work per character for plain text.
    """
    sr = get_semiring(semiring)
    labels = encode_labels(text, token_type, generated=generated)
    final_weight = sr.coerce(weight)
    n = labels.shape[0]
    final = np.full(n + 1, sr.zero, dtype=sr.dtype)
    final[n] = final_weight
    syms = token_type if isinstance(token_type, SymbolTable) else None
    props = _string_props(labels, bool(sr.is_zero(final_weight)),
                          bool(sr.is_one(final_weight)))
    # state i < n has the single arc i; state n has none
    indptr = np.arange(n + 2, dtype=INDPTR_DTYPE).clip(max=n)
    return Fst(indptr, labels, labels.copy(), np.arange(1, n + 1, dtype=STATE_DTYPE),
               np.full(n, sr.one, dtype=sr.dtype), final, 0, sr, syms, syms, props,
               check=False)


# -- string -----------------------------------------------------------------
def string_labels(fst: Fst) -> np.ndarray:
    """The output labels (epsilons included) of a string-shaped machine's one
    path; raises :class:`FstOpError` saying why the machine is not one.

    String-shaped, as OpenFst checks it: walking from the start state, every
    state has at most one arc, a final state has none, and the walk ends in
    a final state. States off that walk are ignored. Unlike pynini, a walk
    that runs into a cycle raises instead of looping forever.
    Complexity: O(length), in a compiled kernel.
    """
    from ..kernels import paths as _k
    status, state, labels = _k.string_walk(fst.indptr, fst.olabel, fst.nextstate,
                                           fst.final, fst.start, fst.semiring.code)
    if status == _k.STRING_OK:
        return labels
    if status == _k.STRING_NO_START:
        raise FstOpError("not a string machine: it has no start state")
    if status == _k.STRING_FINAL_HAS_ARCS:
        raise FstOpError(f"not a string machine: final state {state} has outgoing arcs")
    if status == _k.STRING_WRONG_DEGREE:
        degree = fst.out_degree(state)
        raise FstOpError(
            f"not a string machine: state {state} has {degree} outgoing arcs "
            + ("and is not final" if degree == 0 else "(a string machine has one)"))
    raise FstOpError("not a string machine: the path from the start state runs into "
                     f"a cycle (at state {state}) and never reaches a final state")


def string(fst: Fst, *, token_type: TokenType = "byte",
           generated: "Callable[[int], str | None] | None" = None) -> str:
    """The one string a string-shaped machine accepts, read from the output
    labels with epsilons skipped (what pynini's ``Fst.string()`` returns, so
    ``cross("ab", "xyz").string() == "xyz"``). The final weight is ignored.

    Raises :class:`FstOpError` when the machine is not string-shaped (see
    :func:`string_labels`) and :class:`FstArgError` /
    :class:`~kleene.errors.FstSymbolError` when the labels do not decode.
    ``generated`` (see :func:`decode_labels`) writes generated symbols as
    ``[NAME]``. Complexity: O(length of the string).
    """
    _check_token_type(token_type)
    return decode_labels(string_labels(fst), token_type, generated=generated)


__all__ = ["accep", "string", "string_labels", "encode_labels", "decode_labels",
           "decode_label_batch", "TokenType"]
