"""The parser of :func:`kleene.grammar.regex.compile_regex`: pattern text to
an abstract syntax tree. The notation is documented in
:mod:`kleene.grammar.regex` and ``docs/regex.md``.

A recursive-descent parser, one method per precedence level (loosest
first)::

    pattern  := compose EOF
    compose  := rule ('@' rule)*
    rule     := boolean [('->' | '(->)') boolean [('||' | '//' | '\\\\') context]]
    context  := [boolean] '_' [boolean]
    boolean  := concat (('|' | '&' | '-') concat)*
    concat   := prefix+
    prefix   := '~' prefix | postfix
    postfix  := cross ('*' | '+' | '?' | '{m}' | '{m,}' | '{,n}' | '{m,n}' | '<w>')*
    cross    := atom [':' atom]
    atom     := literal | '"' string '"' | '[' class ']' | '.' | '^' | '$'
              | '(' [compose] ')' | escape

Literals are resolved to label sequences here (so the compiler never sees
raw text); every node keeps the 0-based position it starts at, for errors.
"""

from __future__ import annotations

import string as _string
from collections.abc import Callable
from dataclasses import dataclass

from ..core.strings import encode_labels
from ..core.symbols import SymbolTable
from ..errors import FstArgError

#: Largest bound allowed in ``{m,n}`` (the machine has O(n) copies).
MAX_REPEAT = 10_000

#: ASCII punctuation is reserved: operators, or kept for later use. Escape
#: (``\\#``) or quote (``"#"``) it to mean the character itself.
RESERVED = frozenset(_string.punctuation)

_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}
_CLASS_ESCAPES = {
    "d": "0123456789",
    "s": " \t\n\r\f\v",
    "w": _string.ascii_letters + _string.digits + "_",
}


class RegexSyntaxError(FstArgError):
    """A malformed pattern (or a well-formed one asking for an impossible
    operation, such as the complement of a transducer). ``pattern``,
    ``position`` (0-based) and ``column`` (1-based) say where; the message
    repeats the pattern with a caret under that column."""

    def __init__(self, message: str, pattern: str, position: int):
        position = max(0, min(int(position), len(pattern)))
        self.pattern = pattern
        self.position = position
        self.column = position + 1
        self.reason = message
        # tabs and newlines would shift the caret: show them as spaces
        shown = pattern.translate({9: " ", 10: " ", 13: " "})
        super().__init__(f"{message} at column {self.column}\n  {shown}\n  "
                         f"{' ' * position}^")


# -- the tree ------------------------------------------------------------------
@dataclass(frozen=True)
class Lit:
    """A sequence of labels (one character, or a quoted string; ``()`` and
    ``""`` are the empty sequence)."""
    labels: tuple
    pos: int


@dataclass(frozen=True)
class CharClass:
    """``[...]``, ``\\d``, ...: a union of label sequences; when ``negated``,
    the alphabet minus those (single) labels."""
    members: tuple  # of label tuples
    negated: bool
    pos: int


@dataclass(frozen=True)
class Any:
    """``.``: any one symbol of the alphabet."""
    pos: int


@dataclass(frozen=True)
class Anchor:
    """``^`` / ``$``: beginning / end of string, in rule contexts only."""
    kind: str  # "BOS" or "EOS"
    pos: int


@dataclass(frozen=True)
class Concat:
    items: tuple
    pos: int


@dataclass(frozen=True)
class Binary:
    """``|`` union, ``&`` intersection, ``-`` difference, ``@`` composition,
    ``:`` cross product."""
    op: str
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True)
class Complement:
    operand: Node
    pos: int


@dataclass(frozen=True)
class Repeat:
    """``lower..upper`` repetitions (``upper`` None: unbounded)."""
    operand: Node
    lower: int
    upper: int | None
    pos: int


@dataclass(frozen=True)
class Weighted:
    """``x<w>``: ``x`` with ``w`` ⊗-multiplied onto every path."""
    operand: Node
    weight: float
    pos: int


@dataclass(frozen=True)
class Rule:
    """``upper -> lower [marker left _ right]``."""
    upper: Node
    lower: Node
    mode: str  # "obl" / "opt"
    direction: str  # "ltr" / "rtl" / "sim"
    left: Node | None
    right: Node | None
    pos: int


Node = (Lit | CharClass | Any | Anchor | Concat | Binary | Complement | Repeat
        | Weighted | Rule)

#: Reserved characters that start an atom (the others are operators).
_ATOM_STARTS = "\"[.(^$\\"

#: Context markers and the cdrewrite direction each stands for (foma's
#: meaning of the marker): ``||`` both contexts on the input side
#: (simultaneous), ``//`` left context on the output side (left to right),
#: ``\\`` right context on the output side (right to left).
CONTEXT_MARKERS = {"||": "sim", "//": "ltr", "\\\\": "rtl"}


# -- the parser ------------------------------------------------------------------
class _Parser:
    def __init__(self, pattern: str, token_type, generated: Callable[[str], int]):
        self.text = pattern
        self.n = len(pattern)
        self.pos = 0
        self.token_type = token_type
        self.symbol_mode = isinstance(token_type, SymbolTable)
        self.generated = generated

    # -- scanning helpers
    def error(self, message: str, pos: int | None = None):
        return RegexSyntaxError(message, self.text, self.pos if pos is None else pos)

    def skip_space(self) -> None:
        while self.pos < self.n and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self, k: int = 1) -> str:
        self.skip_space()
        return self.text[self.pos:self.pos + k]

    def at(self, token: str) -> bool:
        return self.peek(len(token)) == token

    def take(self, token: str) -> bool:
        if self.at(token):
            self.pos += len(token)
            return True
        return False

    def at_context_marker(self) -> bool:
        return any(self.at(m) for m in CONTEXT_MARKERS)

    # -- levels
    def parse(self) -> Node:
        self.skip_space()
        if self.pos >= self.n:
            raise self.error("empty pattern; write \"\" or () for the empty string")
        node = self.compose()
        self.skip_space()
        if self.pos < self.n:
            raise self.unexpected()
        return node

    def unexpected(self) -> RegexSyntaxError:
        c = self.text[self.pos]
        if c == ")":
            return self.error("unbalanced ')': no '(' is open")
        if self.at_context_marker():
            return self.error(f"context marker {self.peek(2)!r} outside a replace rule "
                              f"(write 'A -> B {self.peek(2)} L _ R')")
        if c == "_":
            return self.error("'_' marks the rewrite site in a rule context "
                              "(A -> B || L _ R); write \\_ for an underscore")
        if c == ",":
            return self.error("',': kleene rules take a single context 'L _ R'; "
                              "write \\, for a comma")
        if c in "*+?{<":
            return self.error(f"{c!r} has nothing to repeat or weight")
        if c == "-" and self.at("->"):
            return self.error("'->' needs a pattern on its left")
        if c in RESERVED:
            return self.error(f"unexpected {c!r} (ASCII punctuation is reserved: "
                              f"write \\{c} or \"{c}\" for the character)")
        return self.error(f"unexpected {c!r}")

    def compose(self) -> Node:
        node = self.rule()
        while True:
            pos = self.pos
            if not self.take("@"):
                return node
            node = Binary("@", node, self.operand(self.rule, "'@'"), pos)

    def operand(self, level, after: str) -> Node:
        """Parses the right operand of an infix operator (required)."""
        self.skip_space()
        if self.pos >= self.n or not self.starts_operand():
            if self.pos >= self.n:
                raise self.error(f"{after} needs a right-hand side")
            raise self.unexpected() if self.text[self.pos] != ")" else \
                self.error(f"{after} needs a right-hand side")
        return level()

    def starts_operand(self) -> bool:
        c = self.peek()
        if not c:
            return False
        if self.at("(->)") or self.at_context_marker():
            return False
        return c not in RESERVED or c in _ATOM_STARTS or c == "~"

    def rule(self) -> Node:
        upper = self.boolean()
        self.skip_space()
        pos = self.pos
        if self.take("(->)"):
            mode = "opt"
        elif self.take("->"):
            mode = "obl"
        else:
            return upper
        if self.at("@->") or self.at(">"):
            raise self.error("only '->' and '(->)' rules are supported (no longest-match "
                             "'@->' or '->>')")
        lower = self.operand(self.boolean, "'->'")
        direction, left, right = "ltr", None, None
        self.skip_space()
        marker = next((m for m in CONTEXT_MARKERS if self.at(m)), None)
        if marker is not None:
            self.pos += len(marker)
            direction = CONTEXT_MARKERS[marker]
            left, right = self.context(marker)
        if self.at("->") or self.at("(->)"):
            raise self.error("a rule cannot be rewritten by another rule directly; "
                             "compose rules with '@' (in parentheses if needed)")
        return Rule(upper, lower, mode, direction, left, right, pos)

    def context(self, marker: str):
        self.skip_space()
        left = None if self.at("_") else self.boolean()
        if not self.take("_"):
            raise self.error(f"expected '_' (the rewrite site) in the context after "
                             f"{marker!r}, as in 'L _ R'")
        self.skip_space()
        right = None
        if self.pos < self.n and self.starts_operand():
            right = self.boolean()
        if self.at(","):
            raise self.error("kleene rules take a single context 'L _ R'; compose "
                             "one rule per context with '@'")
        return left, right

    def boolean(self) -> Node:
        node = self.concat()
        while True:
            self.skip_space()
            pos = self.pos
            if self.at("||") or self.at("->"):
                return node
            op = self.peek()
            if op not in ("|", "&", "-"):
                return node
            self.pos += 1
            node = Binary(op, node, self.operand(self.concat, f"{op!r}"), pos)

    def concat(self) -> Node:
        self.skip_space()
        start = self.pos
        if self.pos >= self.n or not self.starts_operand():
            if self.pos < self.n and self.text[self.pos] in "|&":
                raise self.error(f"empty alternative before {self.text[self.pos]!r}; "
                                 "write \"\" or () for the empty string")
            if self.pos >= self.n:
                raise self.error("expected a pattern")
            raise self.unexpected()
        items = []
        while self.pos < self.n and self.starts_operand():
            items.append(self.prefix())
            self.skip_space()
        # adjacent plain literals become one string (fewer machines to concat)
        merged: list = []
        for item in items:
            if merged and isinstance(item, Lit) and isinstance(merged[-1], Lit):
                merged[-1] = Lit(merged[-1].labels + item.labels, merged[-1].pos)
            else:
                merged.append(item)
        return merged[0] if len(merged) == 1 else Concat(tuple(merged), start)

    def prefix(self) -> Node:
        pos = self.pos
        if self.take("~"):
            self.skip_space()
            if self.pos >= self.n or not self.starts_operand():
                raise self.error("'~' needs an operand")
            return Complement(self.prefix(), pos)
        return self.postfix()

    def postfix(self) -> Node:
        node = self.cross()
        while True:
            self.skip_space()
            pos = self.pos
            c = self.peek()
            if c == "*":
                self.pos += 1
                node = Repeat(node, 0, None, pos)
            elif c == "+":
                self.pos += 1
                node = Repeat(node, 1, None, pos)
            elif c == "?":
                self.pos += 1
                node = Repeat(node, 0, 1, pos)
            elif c == "{":
                lower, upper = self.bounds()
                node = Repeat(node, lower, upper, pos)
            elif c == "<":
                node = Weighted(node, self.weight(), pos)
            else:
                return node

    def bounds(self):
        open_pos = self.pos
        close = self.text.find("}", self.pos)
        if close < 0:
            raise self.error("unclosed '{': expected {m}, {m,}, {,n} or {m,n}")
        body = self.text[self.pos + 1:close].replace(" ", "")
        parts = body.split(",")
        if len(parts) > 2 or not all(p == "" or p.isdigit() for p in parts) \
                or (len(parts) == 1 and not parts[0]) or body == ",":
            raise self.error(f"bad repetition {{{body}}}: expected {{m}}, {{m,}}, {{,n}} "
                             f"or {{m,n}} with non-negative integers", open_pos)
        lower = int(parts[0]) if parts[0] else 0
        upper = lower if len(parts) == 1 else (int(parts[1]) if parts[1] else None)
        if upper is not None and upper < lower:
            raise self.error(f"bad repetition {{{body}}}: the upper bound is below the "
                             f"lower bound", open_pos)
        if max(lower, upper or 0) > MAX_REPEAT:
            raise self.error(f"repetition bound above {MAX_REPEAT} (the machine would "
                             f"hold that many copies)", open_pos)
        self.pos = close + 1
        return lower, upper

    def weight(self) -> float:
        open_pos = self.pos
        close = self.text.find(">", self.pos)
        if close < 0:
            raise self.error("unclosed '<': a weight is written <1.5>")
        body = self.text[self.pos + 1:close].strip()
        try:
            value = float(body)
        except ValueError:
            raise self.error(f"bad weight <{body}>: expected a number such as <1.5>, "
                             f"<-2> or <inf>", open_pos) from None
        self.pos = close + 1
        return value

    def cross(self) -> Node:
        node = self.atom()
        self.skip_space()
        pos = self.pos
        if self.take(":"):
            self.skip_space()
            if self.pos >= self.n or not self.starts_operand() or self.at("~"):
                raise self.error("':' needs a right-hand side (an atom: a symbol, a "
                                 "string, a class or a parenthesized pattern)")
            node = Binary(":", node, self.atom(), pos)
            self.skip_space()
            if self.at(":"):
                raise self.error("':' cannot be chained; parenthesize, e.g. (a:b):c "
                                 "is not a cross product of acceptors")
        return node

    # -- atoms
    def atom(self) -> Node:
        self.skip_space()
        pos = self.pos
        c = self.text[pos]
        if c in RESERVED and c not in _ATOM_STARTS:
            raise self.unexpected()
        if c == "(":
            self.pos += 1
            if self.take(")"):
                return Lit((), pos)
            node = self.compose()
            if not self.take(")"):
                if self.pos >= self.n:
                    raise self.error("unbalanced '(': expected ')'", pos)
                raise self.unexpected()
            return node
        if c == '"':
            return self.quoted()
        if c == "[":
            return self.char_class()
        if c == ".":
            self.pos += 1
            return Any(pos)
        if c == "^":
            self.pos += 1
            return Anchor("BOS", pos)
        if c == "$":
            self.pos += 1
            return Anchor("EOS", pos)
        if c == "\\":
            if self.text.startswith("\\\\", pos):
                raise self.error("'\\\\' is the right-to-left context marker of rules; "
                                 "write a backslash as \"\\\\\" or \\x5c")
            return self.escape_atom()
        if self.symbol_mode:
            return self.symbol()
        self.pos += 1
        return Lit(self.encode(c, pos), pos)

    def escape_atom(self) -> Node:
        pos = self.pos
        text, klass = self.escape()
        if klass is not None:
            return klass
        return Lit(self.encode(text, pos), pos)

    def escape(self):
        """Reads an escape at ``self.pos``; returns ``(text, None)`` or
        ``(None, CharClass)`` for ``\\d`` and friends."""
        pos = self.pos
        if pos + 1 >= self.n:
            raise self.error("a pattern cannot end with an escaping backslash")
        c = self.text[pos + 1]
        self.pos = pos + 2
        if c in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[c], None
        if c.lower() in _CLASS_ESCAPES:
            members = tuple(self.encode(ch, pos) for ch in _CLASS_ESCAPES[c.lower()])
            return None, CharClass(members, c.isupper(), pos)
        if c in "xuU":
            digits = {"x": 2, "u": 4, "U": 8}[c]
            hexa = self.text[self.pos:self.pos + digits]
            if len(hexa) != digits or not all(h in _string.hexdigits for h in hexa):
                raise self.error(f"\\{c} needs {digits} hex digits", pos)
            self.pos += digits
            value = int(hexa, 16)
            if value == 0:
                raise self.error("\\x00 is epsilon, not a symbol; write \"\" for the "
                                 "empty string", pos)
            if c == "x" and self.token_type == "byte":
                return ("\0byte", value), None
            if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                raise self.error(f"\\{c}{hexa} is not a Unicode scalar value", pos)
            return chr(value), None
        if c.isascii() and c.isalnum():
            raise self.error(f"unknown escape \\{c}; known: \\n \\t \\r \\f \\v \\a \\d "
                             f"\\s \\w \\D \\S \\W \\xHH \\uHHHH \\UHHHHHHHH, and "
                             f"\\ before punctuation", pos)
        return c, None

    def encode(self, text, pos: int) -> tuple:
        """Labels of a literal: ``text`` is a str or ``("\\0byte", value)``."""
        if isinstance(text, tuple):
            return (text[1],)
        if self.symbol_mode:
            return self._symbols(text, pos)
        # escape the string layer's bracket syntax: here the text is literal
        escaped = text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        try:
            return tuple(int(x) for x in encode_labels(escaped, self.token_type))
        except FstArgError as exc:
            raise self.error(str(exc), pos) from None

    def _symbols(self, text: str, pos: int) -> tuple:
        try:
            return tuple(int(x) for x in encode_labels(text, self.token_type))
        except FstArgError as exc:
            raise self.error(str(exc), pos) from None

    def symbol(self) -> Node:
        """Symbol-table mode: a maximal run of non-space, non-reserved
        characters (escapes allowed) is one symbol."""
        pos = self.pos
        chars = []
        while self.pos < self.n:
            c = self.text[self.pos]
            if c.isspace() or (c in RESERVED and c != "\\"):
                break
            if c == "\\":
                if self.text.startswith("\\\\", self.pos):
                    break
                text, klass = self.escape()
                if klass is not None:
                    raise self.error("class escapes (\\d, \\s, \\w) are for byte and "
                                     "utf8 patterns", self.pos - 2)
                if isinstance(text, tuple):
                    text = chr(text[1])
                chars.append(text)
                continue
            chars.append(c)
            self.pos += 1
        return Lit(self._symbols("".join(chars), pos), pos)

    def quoted(self) -> Node:
        """``"..."``: literal text with the pattern's escapes; in byte and
        utf8 modes ``[NAME]`` is a generated symbol (``[BOS]``, ``[TOKEN]``)
        or a bracketed label (``[97]``), as in pynini strings."""
        start = self.pos
        self.pos += 1
        labels: list = []
        plain: list = []

        def flush():
            if plain:
                labels.extend(self.encode("".join(plain), start))
                plain.clear()

        while True:
            if self.pos >= self.n:
                raise self.error("unclosed '\"'", start)
            c = self.text[self.pos]
            if c == '"':
                self.pos += 1
                break
            if c == "\\":
                text, klass = self.escape()
                if klass is not None:
                    raise self.error("class escapes (\\d, \\s, \\w) are not allowed in "
                                     "quoted strings", self.pos - 2)
                if isinstance(text, tuple):
                    flush()
                    labels.append(text[1])
                else:
                    plain.append(text)
                continue
            if c == "[" and not self.symbol_mode:
                close = self.text.find("]", self.pos)
                if close < 0:
                    raise self.error("unclosed '[' in a quoted string (write \\[ for a "
                                     "bracket)")
                flush()
                try:
                    found = encode_labels(self.text[self.pos:close + 1], self.token_type,
                                          generated=self.generated)
                except FstArgError as exc:
                    raise self.error(str(exc)) from None
                labels.extend(int(x) for x in found)
                self.pos = close + 1
                continue
            plain.append(c)
            self.pos += 1
        flush()
        return Lit(tuple(labels), start)

    def char_class(self) -> Node:
        start = self.pos
        self.pos += 1
        negated = False
        if self.pos < self.n and self.text[self.pos] == "^":
            negated = True
            self.pos += 1
        members: list = []
        while True:
            while self.pos < self.n and self.text[self.pos].isspace():
                self.pos += 1
            if self.pos >= self.n:
                raise self.error("unclosed '[': expected ']'", start)
            c = self.text[self.pos]
            if c == "]":
                self.pos += 1
                break
            item_pos = self.pos
            if self.symbol_mode:
                node = self.symbol() if c not in RESERVED or c == "\\" else None
                if node is None or not node.labels:
                    raise self.error(f"unexpected {c!r} in a symbol class (escape it)")
                members.append(node.labels)
                continue
            first = self.class_char()
            if isinstance(first, CharClass):
                if first.negated:
                    raise self.error("negated class escapes (\\D, \\S, \\W) cannot be "
                                     "used inside [...]", item_pos)
                members.extend(first.members)
                continue
            if self.pos < self.n and self.text[self.pos] == "-" and \
                    self.text[self.pos + 1:self.pos + 2] not in ("]", ""):
                self.pos += 1
                last = self.class_char()
                if isinstance(last, CharClass):
                    raise self.error("a range cannot end with a class escape", item_pos)
                members.extend(self.char_range(first, last, item_pos))
            else:
                members.append(first)
        if not members:
            raise self.error("empty class []", start)
        if negated and any(len(m) != 1 for m in members):
            raise self.error("a negated class may only hold single symbols (in byte "
                             "patterns, non-ASCII characters are several bytes; use "
                             "token_type='utf8')", start)
        return CharClass(tuple(dict.fromkeys(members)), negated, start)

    def class_char(self):
        """One member inside ``[...]``: a label tuple, or a CharClass."""
        pos = self.pos
        c = self.text[pos]
        if c == "\\":
            text, klass = self.escape()
            if klass is not None:
                return klass
            return self.encode(text, pos)
        if c == "[":
            raise self.error("'[' inside a class: write \\[")
        self.pos += 1
        return self.encode(c, pos)

    def char_range(self, first: tuple, last: tuple, pos: int) -> list:
        if len(first) != 1 or len(last) != 1:
            raise self.error("range ends must be single symbols (in byte patterns, "
                             "non-ASCII characters are several bytes; use "
                             "token_type='utf8')", pos)
        lo, hi = first[0], last[0]
        if lo > hi:
            raise self.error(f"bad range: its start (label {lo}) is after its end "
                             f"(label {hi})", pos)
        if hi - lo > 0x10FFFF:
            raise self.error("range too large", pos)
        return [(label,) for label in range(lo, hi + 1)]


def parse(pattern: str, *, token_type="byte",
          generated: Callable[[str], int] | None = None) -> Node:
    """The syntax tree of ``pattern`` (see the module doc). Raises
    :class:`RegexSyntaxError`. O(len(pattern) + size of the classes)."""
    if not isinstance(pattern, str):
        raise FstArgError(f"a regex pattern is a str, not {type(pattern).__name__}")
    if generated is None:
        from .symbols import generated_label as generated
    return _Parser(pattern, token_type, generated).parse()


__all__ = [
    "CONTEXT_MARKERS",
    "MAX_REPEAT",
    "RESERVED",
    "Anchor",
    "Any",
    "Binary",
    "CharClass",
    "Complement",
    "Concat",
    "Lit",
    "Node",
    "RegexSyntaxError",
    "Repeat",
    "Rule",
    "Weighted",
    "parse",
]
