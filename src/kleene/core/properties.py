"""OpenFst-style trinary properties: each is known true, known false or unknown.

``Props`` holds two bitmasks, ``known`` and ``value``. Operations pass on what
they know about their output (e.g. ``invert`` swaps the input/output bits,
``arcsort`` sets the sorted bit); anything unknown is computed on demand in
one O(V + E) kernel pass and cached on the (immutable) machine.
"""

from __future__ import annotations

import enum

from . import property_bits as _k


class Prop(enum.IntFlag):
    """The structural properties kleene tracks."""

    ACCEPTOR = _k.ACCEPTOR
    NO_EPSILONS = _k.NO_EPSILONS
    NO_IEPSILONS = _k.NO_IEPSILONS
    NO_OEPSILONS = _k.NO_OEPSILONS
    ILABEL_SORTED = _k.ILABEL_SORTED
    OLABEL_SORTED = _k.OLABEL_SORTED
    I_DETERMINISTIC = _k.I_DETERMINISTIC
    O_DETERMINISTIC = _k.O_DETERMINISTIC
    ACYCLIC = _k.ACYCLIC
    TOP_SORTED = _k.TOP_SORTED
    ACCESSIBLE = _k.ACCESSIBLE
    COACCESSIBLE = _k.COACCESSIBLE
    UNWEIGHTED = _k.UNWEIGHTED


ALL_PROPS = Prop(_k.ALL)

# Pairs of bits swapped by inversion (input <-> output), as plain ints.
_IO_PAIRS = ((_k.NO_IEPSILONS, _k.NO_OEPSILONS),
             (_k.ILABEL_SORTED, _k.OLABEL_SORTED),
             (_k.I_DETERMINISTIC, _k.O_DETERMINISTIC))


class Props:
    """Known property bits and their values (bits outside ``known`` are
    unknown). Immutable; every method returns a new object.

    The masks are kept as plain ints and :class:`Prop` arguments are turned
    into ints on entry: combining ``enum.IntFlag`` members costs microseconds
    per operation (every result is a new pseudo-member), and every kleene
    operation touches properties several times."""

    __slots__ = ("known", "value")

    def __init__(self, known: int = 0, value: int = 0):
        _set = object.__setattr__
        _set(self, "known", int(known))
        _set(self, "value", int(value))

    def __setattr__(self, name, value):
        raise AttributeError(f"Props is immutable: cannot set {name!r}; use "
                             f"set()/keep()/swap_io() to get a new one")

    __delattr__ = __setattr__

    def get(self, prop: Prop) -> "bool | None":
        """True / False when known, None when unknown."""
        bits = int(prop)
        if self.known & bits != bits:
            return None
        return self.value & bits == bits

    def set(self, prop: Prop, flag: bool) -> "Props":
        """A copy with ``prop`` known to be ``flag``."""
        bits = int(prop)
        value = (self.value | bits) if flag else (self.value & ~bits)
        return Props(self.known | bits, value)

    def keep(self, mask: int) -> "Props":
        """A copy that keeps only the knowledge in ``mask``."""
        mask = int(mask)
        return Props(self.known & mask, self.value & mask)

    def swap_io(self) -> "Props":
        """The properties of the inverted machine."""
        known, value = self.known, self.value
        for a, b in _IO_PAIRS:
            known = _swap_bits(known, a, b)
            value = _swap_bits(value, a, b)
        return Props(known, value)

    def __eq__(self, other) -> bool:
        if other.__class__ is not Props:
            return NotImplemented
        return self.known == other.known and self.value == other.value

    def __hash__(self) -> int:
        return hash((self.known, self.value))

    def __reduce__(self):
        return (Props, (self.known, self.value))

    def __repr__(self) -> str:
        parts = []
        for p in Prop:
            v = self.get(p)
            if v is not None:
                parts.append(("" if v else "!") + p.name.lower())
        return f"Props({', '.join(parts)})"


def _swap_bits(x: int, a: int, b: int) -> int:
    has_a, has_b = x & a, x & b
    x &= ~(a | b)
    if has_a:
        x |= b
    if has_b:
        x |= a
    return x


_CYCLE_GROUP = _k.ACYCLIC
_REACH_GROUP = _k.ACCESSIBLE | _k.COACCESSIBLE
_LOCAL_GROUP = _k.ALL & ~(_CYCLE_GROUP | _REACH_GROUP)


def compute_props(fst, wanted: int = _k.ALL) -> Props:
    """``fst.props`` with every property in ``wanted`` made known.

    Runs only the kernel passes whose group holds a wanted, still unknown
    property: local label/weight bits (one arc scan), acyclicity (DFS,
    skipped when every arc goes forward) and accessibility (two BFS).
    Each pass is O(V + E)."""
    from ..kernels import properties as kp
    props = fst.props
    missing = int(wanted) & ~props.known
    if not missing:
        return props
    known, value = props.known, props.value

    def merge(group: int, bits: int):
        nonlocal known, value
        known |= group
        value = (value & ~group) | (bits & group)

    if missing & _LOCAL_GROUP:
        merge(_LOCAL_GROUP, int(kp.local_properties(
            fst.indptr, fst.ilabel, fst.olabel, fst.nextstate, fst.weight,
            fst.final, fst.semiring.code)))
    if missing & _CYCLE_GROUP:
        if known & _k.TOP_SORTED and value & _k.TOP_SORTED:
            merge(_CYCLE_GROUP, _CYCLE_GROUP)  # every arc goes forward
        else:
            merge(_CYCLE_GROUP, int(kp.cycle_properties(fst.indptr, fst.nextstate,
                                                         fst.start)))
    if missing & _REACH_GROUP:
        merge(_REACH_GROUP, int(kp.reach_properties(
            fst.indptr, fst.nextstate, fst.final, fst.start, fst.semiring.code)))
    return Props(known, value)
