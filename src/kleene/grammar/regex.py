r"""A regular-expression compiler: :func:`compile_regex` turns a pattern into
a weighted machine. ``docs/regex.md`` has the same notation with examples.

Symbols
    In ``byte`` (default) and ``utf8`` patterns every character is a symbol
    (in byte patterns a non-ASCII character is its UTF-8 bytes, in
    sequence). With a :class:`~kleene.SymbolTable` token type a symbol is a
    maximal run of characters that are neither whitespace nor ASCII
    punctuation (``the (big | small) dog``).
    Whitespace is ignored outside quotes, so ``a b`` is ``ab``.
    **All ASCII punctuation is reserved** (operators, or kept for later):
    escape it, ``\.``, or quote it, ``"."``, to mean the character.

Atoms
    ``a``              a symbol
    ``\n \t \r \f \v \a``  control characters; ``\xHH`` (a raw byte in byte
                       patterns, a code point in utf8 ones), ``\uHHHH``,
                       ``\UHHHHHHHH`` code points; ``\`` + punctuation is
                       that character
    ``"text"``         a literal string (same escapes; ``""`` is the empty
                       string); ``"[NAME]"`` is a generated symbol such as
                       ``[BOS]`` or ``[TOKEN]`` and ``"[97]"`` the label 97,
                       as in pynini strings (Thrax's notation)
    ``[abc] [a-z] [^0-9]``  classes and ranges; ``^`` negates relative to
                       the alphabet; ``\d \s \w`` (ASCII) and their
                       negations ``\D \S \W`` also work outside brackets
    ``.``              any one symbol of the alphabet (xfst's ``?``)
    ``()``             the empty string
    ``^`` ``$``        beginning and end of string, in rule contexts only

Operators, tightest first (binary ones are left-associative)

    =====================  ==========================================
    ``(...)``              grouping
    ``a:b``                cross product of two atoms (``(ab):(xyz)``,
                           ``a:""`` deletes, ``"":b`` inserts)
    ``* + ? {m} {m,} {,n} {m,n} <w>``  postfix repetition; ``<w>``
                           ⊗-multiplies weight ``w`` onto the operand
    ``~a``                 complement: ``.*`` minus ``a``
    ``ab``                 concatenation (juxtaposition)
    ``a|b  a&b  a-b``      union, intersection, difference (one level,
                           as in foma)
    ``A -> B``, ``A (->) B``  obligatory / optional replacement, with an
                           optional context ``|| L _ R`` (direction
                           ``sim``), ``// L _ R`` (``ltr``) or
                           ``\\ L _ R`` (``rtl``); without a context the
                           direction is ``ltr``
    ``a @ b``              composition (loosest)
    =====================  ==========================================

Replacement rules compile through
:func:`kleene.grammar.cdrewrite.cdrewrite` with ``tau = A:B`` and
``sigma_star = .*``; the markers mean what they mean in foma: ``||`` reads
both contexts on the input side (cdrewrite's simultaneous mode), ``//``
reads the left context on the already-rewritten output (left to right),
``\\`` the right context on the output (right to left). Outside quotes
``\\`` is therefore that marker, not an escaped backslash: write a backslash
as ``"\\"`` or ``\x5c``.

The alphabet of ``.``, ``~``, negated classes and rule contexts is
``alphabet`` (default: bytes 1..255 for byte patterns, the table's symbols
for symbol tables, nothing for utf8) plus every symbol the pattern
mentions (as in foma, where a network's alphabet grows with its symbols).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..core.fst import INDPTR_DTYPE, LABEL_DTYPE, STATE_DTYPE, Fst
from ..core.properties import Prop
from ..core.strings import TokenType, encode_labels
from ..core.symbols import SymbolTable
from ..errors import FstArgError, FstOpError
from ..semirings import Semiring, get_semiring
from .regex_parse import (
    Anchor,
    Any,
    Binary,
    CharClass,
    Complement,
    Concat,
    Lit,
    Node,
    RegexSyntaxError,
    Repeat,
    Rule,
    Weighted,
    parse,
)
from .symbols import BOS, EOS, generated_label

_OPERATOR_NAMES = {"|": "union", "&": "intersection", "-": "difference",
                   "@": "composition", ":": "cross product"}


def compile_regex(pattern: str, *, alphabet: Iterable | str | Fst | None = None,
                  token_type: TokenType = "byte",
                  semiring: str | Semiring = "tropical",
                  max_states: int | None = None) -> Fst:
    r"""The machine a regular expression denotes (notation: the module doc
    and ``docs/regex.md``).

    ``alphabet`` (a string of characters, an iterable of symbols or labels,
    or a machine whose labels are taken) extends the symbols the pattern
    itself mentions; it is what ``.``, ``[^...]``, ``~`` and rule contexts
    range over. Default: bytes 1..255 (byte), the table's symbols (a
    :class:`~kleene.SymbolTable` token type), none (utf8).

    The result: an unweighted acceptor comes back ε-free, deterministic and
    minimal; anything else (weights, transducers) ε-free and trimmed. A
    symbol-table token type is attached as both symbol tables.

    Raises :class:`RegexSyntaxError` (an :class:`~kleene.FstArgError`) with
    the column for a malformed pattern or an impossible operation (e.g. the
    complement of a transducer), :class:`NotImplementedError` for a replace
    rule while :mod:`kleene.grammar.cdrewrite` is unavailable and
    :class:`~kleene.FstOpError` when a determinization (complement,
    difference, the final minimization) would exceed ``max_states``
    (default: determinize's own limit).

    Complexity: parsing O(len(pattern)); compilation is linear in the
    pattern for ``|``, concatenation, repetition (``{m,n}``: O(n) copies)
    and cross products, but ``~``, ``-``, ``&`` and the final
    determinization are exponential in the worst case, ``@`` is a product
    construction and each replace rule costs a cdrewrite.
    """
    sr = get_semiring(semiring)
    if not (isinstance(token_type, SymbolTable) or token_type in ("byte", "utf8")):
        raise FstArgError(f"token_type must be 'byte', 'utf8' or a SymbolTable, "
                          f"not {token_type!r}")
    if max_states is not None and int(max_states) < 1:
        raise FstArgError(f"max_states must be positive, got {max_states}")
    tree = parse(pattern, token_type=token_type, generated=generated_label)
    sigma = _alphabet_labels(alphabet, token_type) | _mentioned(tree)
    sigma.discard(BOS)
    sigma.discard(EOS)
    compiler = _Compiler(pattern, sr, np.array(sorted(sigma), dtype=LABEL_DTYPE),
                         max_states)
    out = compiler.finish(compiler.compile(tree))
    if isinstance(token_type, SymbolTable):
        out = out.replace(isymbols=token_type, osymbols=token_type)
    return out


# -- the alphabet ------------------------------------------------------------------
def _alphabet_labels(alphabet, token_type) -> set:
    if alphabet is None:
        if isinstance(token_type, SymbolTable):
            return {key for key, _ in token_type if key != 0}
        return set(range(1, 256)) if token_type == "byte" else set()
    if isinstance(alphabet, Fst):
        labels = np.concatenate([alphabet.ilabel, alphabet.olabel])
        return set(np.unique(labels[labels > 0]).tolist())
    if isinstance(alphabet, str):
        if isinstance(token_type, SymbolTable):
            return set(encode_labels(alphabet, token_type).tolist())
        alphabet = list(alphabet)
    labels: set = set()
    for item in alphabet:
        if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            if not 0 < int(item) < 2**31:
                raise FstArgError(f"alphabet label {item} is out of range [1, 2**31)")
            labels.add(int(item))
        elif isinstance(item, str):
            if not isinstance(token_type, SymbolTable):  # characters are literal
                item = item.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
            labels.update(encode_labels(item, token_type).tolist())
        else:
            raise FstArgError(f"alphabet items are strings or int labels, not "
                              f"{type(item).__name__}")
    return labels


def _mentioned(node: Node) -> set:
    """Every label a literal or class of the pattern spells."""
    found: set = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Lit):
            found.update(n.labels)
        elif isinstance(n, CharClass):
            for member in n.members:
                found.update(member)
        elif isinstance(n, Concat):
            stack.extend(n.items)
        elif isinstance(n, Binary):
            stack.extend((n.left, n.right))
        elif isinstance(n, (Complement, Repeat, Weighted)):
            stack.append(n.operand)
        elif isinstance(n, Rule):
            stack.extend(x for x in (n.upper, n.lower, n.left, n.right) if x is not None)
    return found


# -- small machines ---------------------------------------------------------------------
def _string_fst(labels, sr: Semiring, weight=None) -> Fst:
    """The linear acceptor of ``labels`` (final weight ``weight``)."""
    labels = np.asarray(labels, dtype=LABEL_DTYPE)
    n = labels.shape[0]
    final = np.full(n + 1, sr.zero, dtype=sr.dtype)
    final[n] = sr.coerce(weight)
    return Fst(np.arange(n + 2, dtype=INDPTR_DTYPE).clip(max=n), labels, labels.copy(),
               np.arange(1, n + 1, dtype=STATE_DTYPE), np.full(n, sr.one, sr.dtype),
               final, 0, sr)


def _symbols_fst(labels: np.ndarray, sr: Semiring) -> Fst:
    """Two states, one arc per label: any one of ``labels``."""
    labels = np.asarray(labels, dtype=LABEL_DTYPE)
    k = labels.shape[0]
    return Fst(np.array([0, k, k], dtype=INDPTR_DTYPE), labels, labels.copy(),
               np.ones(k, dtype=STATE_DTYPE), np.full(k, sr.one, sr.dtype),
               np.array([sr.zero, sr.one], dtype=sr.dtype), 0, sr)


# -- the compiler ---------------------------------------------------------------------
class _Compiler:
    def __init__(self, pattern: str, sr: Semiring, sigma: np.ndarray,
                 max_states: int | None):
        self.pattern = pattern
        self.sr = sr
        self.sigma = sigma
        self.max_states = max_states
        self.in_context = False
        self._sigma_star: Fst | None = None

    def error(self, message: str, pos: int) -> RegexSyntaxError:
        return RegexSyntaxError(message, self.pattern, pos)

    def sigma_star(self) -> Fst:
        if self._sigma_star is None:
            from ..algorithms.closure import closure
            self._sigma_star = closure(_symbols_fst(self.sigma, self.sr))
        return self._sigma_star

    def compile(self, node: Node) -> Fst:
        try:
            return getattr(self, "_" + type(node).__name__.lower())(node)
        except (RegexSyntaxError, NotImplementedError):
            raise
        except FstOpError as exc:
            raise FstOpError(f"{exc} (while compiling the pattern at column "
                             f"{node.pos + 1}: {self.pattern!r})") from exc
        except FstArgError as exc:
            raise self.error(str(exc), node.pos) from exc

    def acceptor(self, fst: Fst, node: Node, what: str, unweighted: bool = False) -> Fst:
        if not fst.has(Prop.ACCEPTOR):
            raise self.error(f"the operand of {what} must be an acceptor, not a "
                             f"transducer", node.pos)
        if unweighted and not fst.has(Prop.UNWEIGHTED):
            raise self.error(f"the operand of {what} must be unweighted (drop its "
                             f"<w> weights)", node.pos)
        return fst

    # -- leaves
    def _lit(self, node: Lit) -> Fst:
        return _string_fst(node.labels, self.sr)

    def _any(self, node: Any) -> Fst:
        return _symbols_fst(self.sigma, self.sr)

    def _charclass(self, node: CharClass) -> Fst:
        from ..algorithms.union import union
        if node.negated:
            excluded = np.array([m[0] for m in node.members], dtype=LABEL_DTYPE)
            return _symbols_fst(np.setdiff1d(self.sigma, excluded), self.sr)
        singles = sorted({m[0] for m in node.members if len(m) == 1})
        longer = [m for m in node.members if len(m) != 1]
        parts = [_string_fst(m, self.sr) for m in longer]
        if singles or not parts:
            parts.insert(0, _symbols_fst(np.array(singles, dtype=LABEL_DTYPE), self.sr))
        return parts[0] if len(parts) == 1 else union(*parts)

    def _anchor(self, node: Anchor) -> Fst:
        if not self.in_context:
            raise self.error(f"{'^' if node.kind == 'BOS' else '$'} (beginning/end of "
                             f"string) is only meaningful in a rule context "
                             f"(A -> B || ^ _ $); patterns always match whole strings",
                             node.pos)
        return _string_fst([BOS if node.kind == "BOS" else EOS], self.sr)

    # -- operators
    def _concat(self, node: Concat) -> Fst:
        from ..algorithms.concat import concat
        parts = [self.compile(item) for item in node.items]
        return concat(*parts)

    def _binary(self, node: Binary) -> Fst:
        if node.op == ":":
            return self.cross(node)
        left = self.compile(node.left)
        right = self.compile(node.right)
        name = _OPERATOR_NAMES[node.op]
        if node.op == "|":
            from ..algorithms.union import union
            return union(left, right)
        if node.op == "@":
            from ..algorithms.compose import compose
            return compose(left, right)
        self.acceptor(left, node.left, f"{name} ({node.op!r})")
        if node.op == "&":
            from ..algorithms.intersect import intersect
            self.acceptor(right, node.right, f"{name} ({node.op!r})")
            return intersect(left, right)
        from ..algorithms.difference import difference
        self.acceptor(right, node.right, f"{name} ({node.op!r})", unweighted=True)
        return difference(left, right)

    def cross(self, node: Binary, what: str = "':'") -> Fst:
        from ..algorithms.concat import concat
        if isinstance(node.left, Lit) and isinstance(node.right, Lit):
            # two strings: pair their labels up, the shorter padded with ε
            upper, lower = node.left.labels, node.right.labels
            n = max(len(upper), len(lower))
            fst = _string_fst(list(upper) + [0] * (n - len(upper)), self.sr)
            return fst.replace(olabel=np.array(list(lower) + [0] * (n - len(lower)),
                                               dtype=LABEL_DTYPE))
        upper = self.acceptor(self.compile(node.left), node.left, f"{what} (left side)")
        lower = self.acceptor(self.compile(node.right), node.right, f"{what} (right side)")
        # A:B is A read with no output, then B written with no input
        return concat(upper.replace(olabel=np.zeros_like(upper.olabel)),
                      lower.replace(ilabel=np.zeros_like(lower.ilabel)))

    def _complement(self, node: Complement) -> Fst:
        from ..algorithms.difference import difference
        operand = self.acceptor(self.compile(node.operand), node.operand, "'~'",
                                unweighted=True)
        return difference(self.sigma_star(), operand)

    def _repeat(self, node: Repeat) -> Fst:
        from ..algorithms.closure import closure
        operand = self.compile(node.operand)
        if node.upper == 0:  # x{0}: only the empty string (pynini's 0 means "no bound")
            return _string_fst([], self.sr)
        return closure(operand, node.lower, node.upper)

    def _weighted(self, node: Weighted) -> Fst:
        operand = self.compile(node.operand)
        weight = self.sr.coerce(node.weight)
        final = np.asarray(self.sr.times(operand.final, weight), dtype=self.sr.dtype)
        return operand.replace(final=np.array(final, copy=True).reshape(-1))

    def _rule(self, node: Rule) -> Fst:
        try:
            from .cdrewrite import cdrewrite
        except ImportError:
            raise NotImplementedError(
                f"replace rules need kleene.grammar.cdrewrite, which is not available "
                f"in this installation (rule at column {node.pos + 1} of "
                f"{self.pattern!r})") from None
        tau = self.cross(Binary(":", node.upper, node.lower, node.pos), "'->'")
        was_in_context = self.in_context
        self.in_context = True
        try:
            left = self.context(node.left, "left")
            right = self.context(node.right, "right")
        finally:
            self.in_context = was_in_context
        try:
            return cdrewrite(tau, left, right, self.sigma_star(),
                             direction=node.direction, mode=node.mode)
        except FstArgError as exc:
            raise self.error(f"replace rule: {exc}", node.pos) from exc

    def context(self, node: Node | None, side: str) -> Fst:
        if node is None:
            return _string_fst([], self.sr)
        fst = self.compile(node)
        return self.acceptor(fst, node, f"the {side} context", unweighted=True)

    # -- the result
    def finish(self, fst: Fst) -> Fst:
        from ..algorithms.determinize import determinize
        from ..algorithms.minimize import minimize
        from ..algorithms.rmepsilon import rmepsilon
        if not fst.has(Prop.NO_EPSILONS) or not fst.has(Prop.COACCESSIBLE) \
                or not fst.has(Prop.ACCESSIBLE):
            fst = rmepsilon(fst)
        if fst.start >= 0 and fst.has(Prop.ACCEPTOR) and fst.has(Prop.UNWEIGHTED):
            try:
                fst = minimize(determinize(fst, max_states=self.max_states))
            except FstOpError as exc:
                raise FstOpError(f"{exc} (determinizing the machine of {self.pattern!r}; "
                                 f"raise max_states)") from exc
        return fst


__all__ = ["RegexSyntaxError", "compile_regex"]
