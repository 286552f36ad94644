"""pynini's mutable ``Fst`` over kleene's immutable one.

A compat :class:`Fst` holds a kleene :class:`~kleene.Fst` and replaces it
when a method mutates the machine, so pynini's semantics hold: methods such
as ``optimize``, ``closure``, ``invert``, ``project``, ``arcsort``, ``concat``
and ``union`` change ``self`` and return it, ``+=`` and ``|=`` change the
machine in place (every name bound to it sees the change), while the
operators ``+ | @ - **`` and the properties ``ques``, ``star`` and ``plus``
build new machines. State-level editing (``add_state``, ``add_arc``,
``set_final``, ...) goes through a kleene :class:`~kleene.FstBuilder` that is
frozen on the next read.
"""

from __future__ import annotations

import importlib

import numpy as np

from ...core.builder import FstBuilder
from ...core.fst import NO_STATE
from ...core.fst import Fst as KleeneFst
from ...errors import FstArgError, FstIndexError
from ...semirings import Semiring
from . import _tokens
from ._weight import Arc, Weight, as_float, semiring_of_arc_type, weight_type_of

_MODULES: dict[str, object] = {}


def _kleene(name: str):
    """``kleene.<name>``'s module, imported on first use."""
    module = _MODULES.get(name)
    if module is None:
        module = _MODULES[name] = importlib.import_module(f"kleene.{name}")
    return module


def _ops():
    return _kleene("compat.pynini._ops")


def wrap(machine: KleeneFst) -> Fst:
    """A compat ``Fst`` holding ``machine`` (no copy)."""
    f = Fst.__new__(Fst)
    f._machine = machine
    f._builder = None
    return f


def _check_project_type(project_type) -> str:
    if project_type is True or project_type == "input":
        return "input"
    if project_type is False or project_type == "output":
        return "output"
    raise FstArgError(f"unknown project type {project_type!r}; expected 'input' or 'output'")


class Fst:
    """A mutable weighted finite-state transducer (``pynini.Fst``).

    ``Fst(arc_type="standard")`` is an empty machine; ``"log"`` and
    ``"log64"`` pick the log semiring.
    """

    __slots__ = ("__weakref__", "_builder", "_machine")

    def __init__(self, arc_type: str = "standard") -> None:
        self._machine = KleeneFst.empty(semiring_of_arc_type(arc_type))
        self._builder = None

    # -- the kleene machine -------------------------------------------------
    def _kleene(self) -> KleeneFst:
        """The current machine as a kleene ``Fst`` (freezes pending edits)."""
        if self._builder is not None:
            self._machine = self._builder.freeze()
            self._builder = None
        return self._machine

    def to_kleene(self) -> KleeneFst:
        """The machine as an immutable kleene :class:`~kleene.Fst`."""
        return self._kleene()

    def _set(self, machine: KleeneFst) -> Fst:
        self._machine = machine
        self._builder = None
        return self

    def _edit(self) -> FstBuilder:
        if self._builder is None:
            self._builder = FstBuilder.from_fst(self._machine)
        return self._builder

    @property
    def _semiring(self) -> Semiring:
        return self._builder.semiring if self._builder is not None else self._machine.semiring

    # -- construction ---------------------------------------------------------
    @classmethod
    def read(cls, filename) -> Fst:
        """Reads an OpenFst binary (or kleene native) file."""
        return wrap(_kleene("io.files").read(filename))

    @classmethod
    def read_from_string(cls, state: bytes) -> Fst:
        """Reads a machine from the bytes :meth:`write_to_string` returned."""
        return wrap(_kleene("io.binary").read_binary(state))

    @classmethod
    def from_pywrapfst(cls, fst) -> Fst:
        """Converts a real pynini/pywrapfst machine (through its binary form)."""
        return wrap(_kleene("io.pynini_bridge").from_pynini(fst))

    def copy(self) -> Fst:
        """A copy that later mutations of either do not affect."""
        return wrap(self._kleene())

    def __reduce__(self):
        return (Fst.read_from_string, (self.write_to_string(),))

    # -- inspection -------------------------------------------------------------
    def arc_type(self) -> str:
        return self._semiring.arc_type

    def weight_type(self) -> str:
        return weight_type_of(self._semiring)

    def fst_type(self) -> str:
        return "vector"

    def num_states(self) -> int:
        return self._builder.num_states if self._builder is not None else \
            self._machine.num_states

    def num_states_if_known(self) -> int:
        return self.num_states()

    def start(self) -> int:
        if self._builder is not None:
            return int(self._builder._start) if self._builder.num_states else NO_STATE
        return self._machine.start

    def states(self):
        return iter(range(self.num_states()))

    def _state(self, state) -> int:
        m = self._kleene()
        s = int(state)
        if not 0 <= s < m.num_states:
            raise FstIndexError(f"state index {state} out of range [0, {m.num_states})")
        return s

    def final(self, state) -> Weight:
        m = self._kleene()
        return Weight._of(weight_type_of(m.semiring), m.final[self._state(state)])

    def num_arcs(self, state=None) -> int:
        m = self._kleene()
        if state is None:
            return m.num_arcs
        s = self._state(state)
        return int(m.indptr[s + 1] - m.indptr[s])

    def arcs(self, state) -> list[Arc]:
        m = self._kleene()
        s = self._state(state)
        wt = weight_type_of(m.semiring)
        lo, hi = int(m.indptr[s]), int(m.indptr[s + 1])
        return [Arc(int(m.ilabel[k]), int(m.olabel[k]), Weight._of(wt, m.weight[k]),
                    int(m.nextstate[k])) for k in range(lo, hi)]

    def num_input_epsilons(self, state) -> int:
        m = self._kleene()
        s = self._state(state)
        return int(np.count_nonzero(m.ilabel[m.indptr[s]:m.indptr[s + 1]] == 0))

    def num_output_epsilons(self, state) -> int:
        m = self._kleene()
        s = self._state(state)
        return int(np.count_nonzero(m.olabel[m.indptr[s]:m.indptr[s + 1]] == 0))

    def input_symbols(self):
        return self._kleene().isymbols

    def output_symbols(self):
        return self._kleene().osymbols

    def properties(self, mask: int, test: bool = True) -> int:
        """OpenFst's property bits of this machine selected by ``mask``
        (kleene computes them, so ``test`` changes nothing)."""
        return _kleene("io.binary").openfst_property_bits(self._kleene()) & int(mask)

    def verify(self) -> bool:
        return _kleene("algorithms.verify").verify(self._kleene())

    def paths(self, input_token_type=None, output_token_type=None):
        """A ``StringPathIterator`` over the paths of this acyclic machine."""
        from ._paths import StringPathIterator
        return StringPathIterator(self, input_token_type, output_token_type)

    def string(self, token_type=None) -> str:
        """The one string this machine accepts (its output side)."""
        return _ops().string_of(self._kleene(), _tokens.token_type(token_type))

    def print(self, isymbols=None, osymbols=None, ssymbols=None, acceptor: bool = False,
              show_weight_one: bool = False, missing_sym: str = "") -> str:
        """The machine in OpenFst's text format."""
        m = self._kleene()
        if isymbols is not None or osymbols is not None:
            m = m.replace(isymbols=isymbols if isymbols is not None else m.isymbols,
                          osymbols=osymbols if osymbols is not None else m.osymbols)
        return _kleene("io.text").print_fst(m, acceptor=acceptor or None,
                                            show_weight_one=show_weight_one)

    def __str__(self) -> str:
        return self.print()

    def __repr__(self) -> str:
        return f"<vector Fst (kleene) at 0x{id(self):x}>"

    def draw(self, filename, isymbols=None, osymbols=None, ssymbols=None,
             acceptor: bool = False, title: str = "", **_layout) -> None:
        """Writes Graphviz dot source to ``filename`` (layout options other
        than ``title`` are accepted and ignored)."""
        _kleene("io.dot").draw(self._kleene(), filename, title=title)

    def write(self, filename) -> None:
        """Writes the machine as an OpenFst binary file."""
        _kleene("io.files").write(self._kleene(), filename, format="binary")

    def write_to_string(self) -> bytes:
        return _kleene("io.binary").write_binary(self._kleene())

    # -- state-level editing (mutates) ---------------------------------------
    def add_state(self) -> int:
        return self._edit().add_state()

    def add_states(self, n: int) -> None:
        self._edit().add_states(int(n))

    def set_start(self, state) -> Fst:
        b = self._edit()
        b.set_start(int(state))
        return self

    def set_final(self, state, weight=None) -> Fst:
        b = self._edit()
        w = as_float(weight)
        b.set_final(int(state), b.semiring.one if w is None else w)
        return self

    def add_arc(self, state, arc: Arc) -> Fst:
        b = self._edit()
        w = as_float(arc.weight)
        b.add_arc(int(state), arc.ilabel, arc.olabel, b.semiring.one if w is None else w,
                  arc.nextstate)
        return self

    def reserve_arcs(self, state, n) -> Fst:
        """Accepted for compatibility; kleene's builder grows as needed."""
        return self

    def reserve_states(self, n) -> Fst:
        """Accepted for compatibility; kleene's builder grows as needed."""
        return self

    def set_properties(self, props, mask) -> Fst:
        """Accepted for compatibility: kleene computes and caches properties
        itself, so asserted bits are not needed."""
        return self

    def delete_states(self, states=None) -> Fst:
        """Deletes the given states (all states when ``None``) and their arcs."""
        m = self._kleene()
        if states is None:
            return self._set(KleeneFst.empty(m.semiring).replace(isymbols=m.isymbols,
                                                                  osymbols=m.osymbols))
        drop = np.zeros(m.num_states, bool)
        for s in states:
            drop[self._state(s)] = True
        keep = np.flatnonzero(~drop)
        new_id = np.full(m.num_states, -1, np.int64)
        new_id[keep] = np.arange(keep.shape[0])
        src = m.arc_source
        live = ~drop[src] & ~drop[m.nextstate]
        start = int(new_id[m.start]) if m.start >= 0 else NO_STATE
        out = KleeneFst.from_arrays(
            num_states=keep.shape[0], src=new_id[src[live]], ilabel=m.ilabel[live],
            olabel=m.olabel[live], weight=m.weight[live], nextstate=new_id[m.nextstate[live]],
            final=m.final[keep], start=start, semiring=m.semiring)
        return self._set(out.replace(isymbols=m.isymbols, osymbols=m.osymbols))

    def delete_arcs(self, state, n=None) -> Fst:
        """Deletes the last ``n`` arcs leaving ``state`` (all when ``None``)."""
        m = self._kleene()
        s = self._state(state)
        lo, hi = int(m.indptr[s]), int(m.indptr[s + 1])
        cut = hi - lo if n is None else min(int(n), hi - lo)
        keep = np.ones(m.num_arcs, bool)
        keep[hi - cut:hi] = False
        out = KleeneFst.from_arrays(
            num_states=m.num_states, src=m.arc_source[keep], ilabel=m.ilabel[keep],
            olabel=m.olabel[keep], weight=m.weight[keep], nextstate=m.nextstate[keep],
            final=m.final, start=m.start, semiring=m.semiring)
        return self._set(out.replace(isymbols=m.isymbols, osymbols=m.osymbols))

    def set_input_symbols(self, syms) -> Fst:
        return self._set(self._kleene().replace(isymbols=syms))

    def set_output_symbols(self, syms) -> Fst:
        return self._set(self._kleene().replace(osymbols=syms))

    # -- whole-machine operations that mutate self (pynini's methods) -----------
    def arcsort(self, sort_type: str = "ilabel") -> Fst:
        return self._set(_kleene("algorithms.arcsort").arcsort(self._kleene(),
                                                               sort_type=sort_type))

    def closure(self, lower: int = 0, upper: int = 0) -> Fst:
        return self._set(_ops().closure(self, lower, upper)._machine)

    def concat(self, fst2) -> Fst:
        return self._set(_ops().concat(self, fst2)._machine)

    def union(self, *fsts2) -> Fst:
        return self._set(_ops().union(self, *fsts2)._machine)

    def connect(self) -> Fst:
        return self._set(_kleene("algorithms.connect").connect(self._kleene()))

    def invert(self) -> Fst:
        return self._set(_kleene("algorithms.invert").invert(self._kleene()))

    def project(self, project_type) -> Fst:
        return self._set(_kleene("algorithms.project").project(
            self._kleene(), project_type=_check_project_type(project_type)))

    def optimize(self, compute_props: bool = False) -> Fst:
        return self._set(_kleene("algorithms.optimize").optimize(
            self._kleene(), compute_props=compute_props))

    def minimize(self, delta: float = 1.0 / 1024, allow_nondet: bool = False) -> Fst:
        return self._set(_kleene("algorithms.minimize").minimize(
            self._kleene(), delta=delta, allow_nondet=allow_nondet))

    def rmepsilon(self, queue_type: str = "auto", connect: bool = True, weight=None,
                  nstate: int = NO_STATE, delta: float = 1.0 / 1024) -> Fst:
        return self._set(_ops().rmepsilon(self, queue_type=queue_type, connect=connect,
                                          weight=weight, nstate=nstate,
                                          delta=delta)._machine)

    def prune(self, delta: float = 1.0 / 1024, nstate: int = NO_STATE, weight=None) -> Fst:
        return self._set(_ops().prune(self, delta=delta, nstate=nstate,
                                      weight=weight)._machine)

    def push(self, delta: float = 1.0 / 1024, remove_total_weight: bool = False,
             reweight_type: str = "to_initial") -> Fst:
        return self._set(_ops().push(self, delta=delta, push_weights=True,
                                     remove_total_weight=remove_total_weight,
                                     reweight_type=reweight_type)._machine)

    def topsort(self) -> Fst:
        return self._set(_kleene("algorithms.topsort").topsort(self._kleene()))

    def reweight(self, potentials, reweight_type: str = "to_initial") -> Fst:
        return self._set(_ops().reweight(self, potentials, reweight_type)._machine)

    def relabel_pairs(self, ipairs=None, opairs=None) -> Fst:
        return self._set(_ops().relabel_pairs(self, ipairs, opairs)._machine)

    def relabel_tables(self, old_isymbols=None, new_isymbols=None, unknown_isymbol="",
                       attach_new_isymbols=True, old_osymbols=None, new_osymbols=None,
                       unknown_osymbol="", attach_new_osymbols=True) -> Fst:
        return self._set(_ops().relabel_tables(
            self, old_isymbols, new_isymbols, unknown_isymbol, attach_new_isymbols,
            old_osymbols, new_osymbols, unknown_osymbol, attach_new_osymbols)._machine)

    def encode(self, mapper) -> Fst:
        return self._set(_kleene("algorithms.encode").encode(self._kleene(), mapper._mapper))

    def decode(self, mapper) -> Fst:
        return self._set(_kleene("algorithms.encode").decode(self._kleene(), mapper._mapper))

    # -- new machines -------------------------------------------------------------
    @property
    def ques(self) -> Fst:
        return _ops().closure(self, 0, 1)

    @property
    def star(self) -> Fst:
        return _ops().closure(self)

    @property
    def plus(self) -> Fst:
        return _ops().closure(self, 1)

    def __add__(self, other) -> Fst:
        return _ops().concat(self, other)

    def __radd__(self, other) -> Fst:
        return _ops().concat(other, self)

    def __iadd__(self, other) -> Fst:  # noqa: PYI034 (returns self)
        return self.concat(other)

    def __or__(self, other) -> Fst:
        return _ops().union(self, other)

    def __ror__(self, other) -> Fst:
        return _ops().union(other, self)

    def __ior__(self, other) -> Fst:  # noqa: PYI034 (returns self)
        return self.union(other)

    def __matmul__(self, other) -> Fst:
        return _ops().compose(self, other)

    def __rmatmul__(self, other) -> Fst:
        return _ops().compose(other, self)

    def __sub__(self, other) -> Fst:
        return _ops().difference(self, other)

    def __rsub__(self, other) -> Fst:
        return _ops().difference(other, self)

    def __pow__(self, other) -> Fst:
        if isinstance(other, tuple):
            lower, upper = other
            return _ops().closure(self, lower, 0 if upper is Ellipsis or upper is None
                                  else upper)
        return _ops().closure(self, other, other)

    def __eq__(self, other) -> bool:
        if not isinstance(other, (Fst, KleeneFst, str)):
            return NotImplemented
        return _ops().equal(self, other)

    def __ne__(self, other) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = object.__hash__
