"""The frozen, array-backed :class:`Fst` that every kleene operation accepts
and returns.

Layout (structure of arrays, CSR by source state)::

    indptr[s] .. indptr[s+1]   the arcs leaving state s, in order
    ilabel, olabel             int32 labels, 0 is epsilon
    nextstate                  int32 destination states
    weight                     arc weights (semiring dtype)
    final                      final weight per state (semiring zero = not final)
    start                      the start state, -1 for the empty machine

All arrays are read-only; build or edit machines with
:class:`kleene.core.builder.FstBuilder`. Structural properties are cached in
OpenFst's trinary style (:mod:`kleene.core.properties`).
"""

from __future__ import annotations

import importlib
from typing import NamedTuple

import numpy as np

from ..errors import FstArgError, FstIndexError
from ..semirings import DEFAULT_DELTA, Semiring, get_semiring, tropical
from .properties import ALL_PROPS, Prop, Props, compute_props
from .symbols import SymbolTable

LABEL_DTYPE = np.int32
STATE_DTYPE = np.int32
INDPTR_DTYPE = np.int64
NO_STATE = -1
EPSILON = 0


class Arc(NamedTuple):
    """One arc, as returned by :meth:`Fst.arcs`."""

    ilabel: int
    olabel: int
    weight: float
    nextstate: int


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr.setflags(write=False)
    return arr


# Props are immutable, so machines built without known properties share one.
_NO_PROPS = Props()


class Fst:
    """An immutable weighted finite-state transducer.

    Construct one with :class:`~kleene.core.builder.FstBuilder`,
    :meth:`Fst.from_arrays` or any kleene operation. Accessors are cheap;
    arrays are exposed directly for kernels and numpy users.
    """

    __slots__ = ("indptr", "ilabel", "olabel", "nextstate", "weight", "final",  # noqa: RUF023
                 "start", "semiring", "isymbols", "osymbols", "_props", "_cache")

    def __init__(self, indptr, ilabel, olabel, nextstate, weight, final, start,
                 semiring: Semiring = tropical, isymbols: SymbolTable | None = None,
                 osymbols: SymbolTable | None = None, props: Props | None = None,
                 *, check: bool = True):
        """Wraps arrays as a machine. With ``check=True`` (the default) the
        arrays are converted to the canonical dtypes and validated in O(V + E);
        kernels that produce valid arrays pass ``check=False``. The arrays are
        made read-only in place: pass copies if you keep using them."""
        if semiring.__class__ is not Semiring:
            semiring = get_semiring(semiring)
        if check:
            indptr = np.ascontiguousarray(indptr, dtype=INDPTR_DTYPE)
            ilabel = np.ascontiguousarray(ilabel, dtype=LABEL_DTYPE)
            olabel = np.ascontiguousarray(olabel, dtype=LABEL_DTYPE)
            nextstate = np.ascontiguousarray(nextstate, dtype=STATE_DTYPE)
            weight = np.ascontiguousarray(weight, dtype=semiring.dtype)
            final = np.ascontiguousarray(final, dtype=semiring.dtype)
            start = int(start)
            _validate(indptr, ilabel, olabel, nextstate, weight, final, start)
        for arr in (indptr, ilabel, olabel, nextstate, weight, final):
            arr.setflags(write=False)
        self.indptr = indptr
        self.ilabel = ilabel
        self.olabel = olabel
        self.nextstate = nextstate
        self.weight = weight
        self.final = final
        self.start = start if start.__class__ is int else int(start)
        self.semiring = semiring
        self.isymbols = isymbols
        self.osymbols = osymbols
        self._props = props if props is not None else _NO_PROPS
        self._cache: dict = {}

    # -- construction helpers ---------------------------------------------
    @classmethod
    def _from_frozen_arrays(cls, indptr, ilabel, olabel, nextstate, weight, final,
                            start: int, semiring: Semiring, isymbols, osymbols) -> Fst:
        """``Fst(..., check=False)`` for arrays that are already read-only
        and in the canonical dtypes (e.g. views of a validated batch):
        skips ``__init__``'s six ``setflags`` calls, ~0.5 us instead of ~3 us,
        which is most of the cost of a tiny machine (FAR archives of
        thousands). ``start`` must be an int; ``semiring`` a Semiring."""
        fst = object.__new__(cls)
        fst.indptr = indptr
        fst.ilabel = ilabel
        fst.olabel = olabel
        fst.nextstate = nextstate
        fst.weight = weight
        fst.final = final
        fst.start = start
        fst.semiring = semiring
        fst.isymbols = isymbols
        fst.osymbols = osymbols
        fst._props = _NO_PROPS
        fst._cache = {}
        return fst

    @classmethod
    def from_arrays(cls, num_states: int, src, ilabel, olabel, weight, nextstate,
                    final=None, start: int = 0, semiring="tropical",
                    isymbols=None, osymbols=None) -> Fst:
        """Builds a machine from parallel arc arrays (any order; arcs of one
        state keep their relative order). ``final`` is a per-state array of
        final weights or ``None`` (no final states)."""
        from .builder import FstBuilder
        b = FstBuilder(semiring, isymbols=isymbols, osymbols=osymbols)
        b.add_states(num_states)
        if num_states:
            b.set_start(start)
        b.add_arcs(src, ilabel, olabel, weight, nextstate)
        if final is not None:
            final = np.asarray(final)
            if final.shape != (num_states,):
                raise FstArgError(f"final must have one weight per state ({num_states}), "
                                  f"got shape {final.shape}")
            b.set_finals(np.arange(num_states), final)
        return b.freeze()

    @classmethod
    def empty(cls, semiring="tropical") -> Fst:
        """The machine with no states (accepts nothing)."""
        sr = get_semiring(semiring)
        z = np.zeros(0)
        return cls(np.zeros(1), z, z, z, z, z, NO_STATE, sr)

    def replace(self, **changes) -> Fst:
        """A new machine sharing this one's arrays except for ``changes``
        (e.g. ``isymbols=...``). Cached properties are kept unless a structural
        field changes and ``props`` is not given."""
        fields = {k: getattr(self, k) for k in
                  ("indptr", "ilabel", "olabel", "nextstate", "weight", "final",
                   "start", "semiring", "isymbols", "osymbols")}
        structural = set(changes) - {"isymbols", "osymbols", "props"}
        props = changes.pop("props", None)
        if props is None:
            props = Props() if structural else self._props
        fields.update(changes)
        check = bool(structural)
        return Fst(**fields, props=props, check=check)

    def to_builder(self):
        """A mutable copy to edit; ``freeze()`` it to get a new machine."""
        from .builder import FstBuilder
        return FstBuilder.from_fst(self)

    # -- size and access --------------------------------------------------
    @property
    def num_states(self) -> int:
        return self.final.shape[0]

    @property
    def num_arcs(self) -> int:
        return self.ilabel.shape[0]

    def states(self) -> range:
        return range(self.num_states)

    def _check_state(self, state: int) -> int:
        state = int(state)
        if not 0 <= state < self.num_states:
            raise FstIndexError(f"state {state} out of range [0, {self.num_states})")
        return state

    def out_degree(self, state: int) -> int:
        """Number of arcs leaving ``state``."""
        s = self._check_state(state)
        return int(self.indptr[s + 1] - self.indptr[s])

    def arcs(self, state: int) -> list[Arc]:
        """The arcs leaving ``state`` as :class:`Arc` tuples."""
        s = self._check_state(state)
        lo, hi = int(self.indptr[s]), int(self.indptr[s + 1])
        return [Arc(int(i), int(o), float(w), int(n)) for i, o, w, n in
                zip(self.ilabel[lo:hi], self.olabel[lo:hi], self.weight[lo:hi],
                    self.nextstate[lo:hi])]

    def final_weight(self, state: int) -> float:
        return float(self.final[self._check_state(state)])

    def is_final(self, state: int) -> bool:
        return bool(self.final[self._check_state(state)] != self.semiring.zero)

    @property
    def arc_source(self) -> np.ndarray:
        """Source state of every arc (computed once, cached)."""
        src = self._cache.get("arc_source")
        if src is None:
            from ..kernels.csr import arc_sources
            src = self._cache["arc_source"] = _frozen(arc_sources(self.indptr))
        return src

    # -- properties -------------------------------------------------------
    @property
    def props(self) -> Props:
        """What is known so far (no computation)."""
        return self._props

    def properties(self) -> Props:
        """All properties, computing the unknown ones (O(V + E), cached)."""
        self._props = compute_props(self, int(ALL_PROPS))
        return self._props

    def has(self, prop: Prop) -> bool:
        """Whether ``prop`` holds, computing it if unknown (only the kernel
        pass that decides it runs; see :func:`~kleene.core.properties.compute_props`)."""
        known = self._props.get(prop)
        if known is not None:
            return known
        self._props = compute_props(self, int(prop))
        return bool(self._props.get(prop))

    def is_acceptor(self) -> bool:
        return self.has(Prop.ACCEPTOR)

    # -- comparisons ------------------------------------------------------
    def equal(self, other: Fst, delta: float = DEFAULT_DELTA) -> bool:
        """Structural identity (OpenFst's ``Equal``): same states, same arcs in
        the same order, weights equal within ``delta``."""
        if not isinstance(other, Fst):
            raise FstArgError(f"cannot compare an Fst with {type(other).__name__}")
        if (self.semiring.name != other.semiring.name or self.start != other.start
                or self.num_states != other.num_states or self.num_arcs != other.num_arcs):
            return False
        if not (np.array_equal(self.indptr, other.indptr)
                and np.array_equal(self.ilabel, other.ilabel)
                and np.array_equal(self.olabel, other.olabel)
                and np.array_equal(self.nextstate, other.nextstate)):
            return False
        sr = self.semiring
        return bool(np.all(sr.approx_equal(self.weight, other.weight, delta))
                    and np.all(sr.approx_equal(self.final, other.final, delta)))

    def __repr__(self) -> str:
        return (f"<kleene.Fst {self.semiring} states={self.num_states} "
                f"arcs={self.num_arcs} start={self.start}>")

    def __str__(self) -> str:
        from ..io.text import print_fst
        return print_fst(self)

    def __reduce__(self):
        raise TypeError("kleene.Fst is not pickled; use Fst.write()/kleene.read() "
                        "or the native .npz format")

    # -- interop -----------------------------------------------------------
    def to_pynini(self):
        """Converts to a ``pynini.Fst`` (arc for arc); needs pynini."""
        from ..io.pynini_bridge import to_pynini
        return to_pynini(self)


def _validate(indptr, ilabel, olabel, nextstate, weight, final, start):
    n = final.shape[0]
    m = ilabel.shape[0]
    if final.ndim != 1 or indptr.ndim != 1 or ilabel.ndim != 1:
        raise FstArgError("Fst arrays must be one-dimensional")
    if indptr.shape[0] != n + 1:
        raise FstArgError(f"indptr has {indptr.shape[0]} entries; expected num_states + 1 = {n + 1}")
    if not (olabel.shape[0] == m and nextstate.shape[0] == m and weight.shape[0] == m):
        raise FstArgError("ilabel, olabel, nextstate and weight must have the same length")
    if indptr[0] != 0 or indptr[-1] != m or np.any(np.diff(indptr) < 0):
        raise FstArgError("indptr must start at 0, be non-decreasing and end at num_arcs")
    if m:
        if ilabel.min() < 0 or olabel.min() < 0:
            raise FstArgError("labels must be non-negative (0 is epsilon)")
        if nextstate.min() < 0 or nextstate.max() >= n:
            raise FstIndexError(f"arc destination out of range [0, {n})")
        if np.isnan(weight).any():
            raise FstArgError("arc weights must not be NaN")
    if np.isnan(final).any():
        raise FstArgError("final weights must not be NaN")
    if not (start == NO_STATE or 0 <= start < n):
        raise FstIndexError(f"start state {start} out of range [0, {n})")
    if start == NO_STATE and n > 0:
        # A machine with states but no start is allowed (OpenFst allows it while
        # building); it accepts nothing.
        pass


def _delegate(module: str, name: str, doc: str):
    resolved = []  # the function, once imported

    def method(self, *args, **kwargs):
        if not resolved:
            resolved.append(getattr(importlib.import_module(f"kleene.{module}"), name))
        return resolved[0](self, *args, **kwargs)
    method.__name__ = name
    method.__qualname__ = f"Fst.{name}"
    method.__doc__ = f"{doc} Same as :func:`kleene.{module}.{name}` with this machine first."
    return method


# Method forms of the operations (pynini-style ``fst.arcsort()``); each returns
# a new machine. Modules are imported on first use.
_METHODS = {
    "arcsort": ("algorithms.arcsort", "Sorts arcs by label."),
    "connect": ("algorithms.connect", "Removes useless states."),
    "topsort": ("algorithms.topsort", "Topologically sorts states."),
    "reverse": ("algorithms.reverse", "Reverses the machine."),
    "invert": ("algorithms.invert", "Swaps input and output labels."),
    "project": ("algorithms.project", "Projects on input or output labels."),
    "relabel": ("algorithms.relabel", "Relabels arcs."),
    "union": ("algorithms.union", "Union with other machines."),
    "concat": ("algorithms.concat", "Concatenation with other machines."),
    "closure": ("algorithms.closure", "Kleene closure / bounded repetition."),
    "shortest_distance": ("algorithms.shortest_distance", "Shortest distances."),
    "shortest_path": ("algorithms.shortest_path", "n-best paths as a machine."),
    "prune": ("algorithms.prune", "Prunes paths by weight or state budget."),
    "push": ("algorithms.push", "Pushes weights to the start or final states."),
    "randgen": ("algorithms.randgen", "Samples random paths."),
    "verify": ("algorithms.verify", "Checks the machine's sanity."),
    "paths": ("algorithms.paths", "Iterates (input, output, weight) paths."),
    "compose": ("algorithms.compose", "Composition with another machine."),
    "intersect": ("algorithms.intersect", "Intersection with another acceptor."),
    "difference": ("algorithms.difference", "Difference with an unweighted acceptor."),
    "determinize": ("algorithms.determinize", "Weighted determinization."),
    "disambiguate": ("algorithms.disambiguate", "Disambiguation."),
    "minimize": ("algorithms.minimize", "Minimization."),
    "rmepsilon": ("algorithms.rmepsilon", "Epsilon removal."),
    "epsnormalize": ("algorithms.epsnormalize", "Epsilon normalization."),
    "synchronize": ("algorithms.synchronize", "Synchronization."),
    "optimize": ("algorithms.optimize", "rmepsilon, determinize and minimize."),
    "string": ("core.strings", "The single string this machine accepts."),
    "draw": ("io.dot", "Renders Graphviz dot source."),
    "write": ("io.files", "Writes the machine to a file."),
}
for _name, (_module, _doc) in _METHODS.items():
    setattr(Fst, _name, _delegate(_module, _name, _doc))


def _repr_svg_(self):
    from ..io.dot import repr_svg
    return repr_svg(self)


Fst._repr_svg_ = _repr_svg_


# -- grammar operators (pynini's): they live in kleene.grammar.ops, imported on
# first use so that the core does not load the grammar layer.
_GRAMMAR_OPS = []


def _grammar_ops():
    if not _GRAMMAR_OPS:
        _GRAMMAR_OPS.append(importlib.import_module("kleene.grammar.ops"))
    return _GRAMMAR_OPS[0]


def _binary(name: str, symbol: str, reflected: bool):
    # ``"x" | f`` is union(f, "x") in pynini (the same language, pynini's
    # state numbering); the other reflected operators keep the written order.
    swap = reflected and name != "union"

    def method(self, other):
        if not isinstance(other, (Fst, str)):
            return NotImplemented
        op = getattr(_grammar_ops(), name)
        return op(other, self) if swap else op(self, other)
    method.__name__ = f"__r{name}__" if reflected else f"__{name}__"
    method.__doc__ = (f"``{'other ' + symbol + ' self' if reflected else 'self ' + symbol + ' other'}``"
                      f": :func:`kleene.grammar.ops.{name}` (strings become acceptors).")
    return method


for _dunder, _op_name, _symbol in (("add", "concat", "+"), ("or", "union", "|"),
                                   ("matmul", "compose", "@"), ("sub", "difference", "-")):
    _forward = _binary(_op_name, _symbol, False)
    _forward.__name__ = f"__{_dunder}__"
    _reflected = _binary(_op_name, _symbol, True)
    _reflected.__name__ = f"__r{_dunder}__"
    setattr(Fst, f"__{_dunder}__", _forward)
    setattr(Fst, f"__r{_dunder}__", _reflected)


def _pow(self, times):
    """``self ** n`` (exactly n copies; ``** 0`` is ``*`` as in pynini) or
    ``self ** (lower, upper)`` (``upper`` None: unbounded)."""
    return _grammar_ops().repeat(self, times)


Fst.__pow__ = _pow
Fst.ques = property(lambda self: _grammar_ops().closure(self, 0, 1),
                    doc="``self?``: zero or one time (pynini's ``.ques``).")
Fst.star = property(lambda self: _grammar_ops().closure(self),
                    doc="``self*``: Kleene star (pynini's ``.star``).")
Fst.plus = property(lambda self: _grammar_ops().closure(self, 1),
                    doc="``self+``: one or more times (pynini's ``.plus``).")
