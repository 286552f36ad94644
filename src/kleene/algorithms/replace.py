"""Replacement of nonterminal arcs by machines (OpenFst's ``Replace``,
``pynini.replace``): the expansion of a recursive transition network."""

from __future__ import annotations

from typing import Literal

import numpy as np

from ..core.fst import INDPTR_DTYPE, NO_STATE, Fst
from ..errors import FstArgError, FstOpError
from .union import check_compatible

Labeling = Literal["input", "output", "both", "neither"]
_LABELINGS = ("input", "output", "both", "neither")
DEFAULT_MAX_STATES = 10_000_000


def replace(pairs, *, root: int | None = None, call_arc_labeling: Labeling = "input",
            return_arc_labeling: Labeling = "neither", return_label: int = 0,
            epsilon_on_replace: bool = False, max_states: int = DEFAULT_MAX_STATES,
            return_arc_map: bool = False):
    """Expands a grammar of machines: every arc whose *output* label is a
    nonterminal is replaced, recursively, by that nonterminal's machine.

    ``pairs`` is a sequence of ``(nonterminal_label, Fst)``; the root is the
    first pair's machine unless ``root`` names another label. An arc
    ``s --i:N/w--> d`` whose output label ``N`` is a nonterminal becomes a
    *call arc* ``s --i':o'/w--> start of a copy of N's machine``, and every
    final state ``f`` of that copy gets a *return arc*
    ``f --r:r'/final(f)--> d``. Call arc labels: ``call_arc_labeling`` says
    which of the original input label ``i`` and the nonterminal ``N`` are
    kept ("input": ``i:ε``, "output": ``ε:N``, "both": ``i:N``, "neither":
    ``ε:ε``). Return arcs carry ``return_label`` on the sides
    ``return_arc_labeling`` names. ``epsilon_on_replace=True`` sets both
    labelings to "neither". Copies are identified, as in OpenFst's
    ``ReplaceFst``, by their call stack (the chain of return states), so two
    calls to the same nonterminal returning to the same state share a copy.

    States are numbered in OpenFst's order (breadth-first discovery from the
    root's start; at each state the return arc comes first, then one arc per
    input arc in order): the result is arc-for-arc ``pynini.replace``'s.
    A call into a machine without start state is dropped. Final weights
    survive only at the root level. Labels that are not nonterminals, and
    label 0, are copied as they are. When two pairs share a label the later
    one wins, as in OpenFst.

    Preconditions: machines share a semiring and have compatible symbol
    tables (:class:`FstArgError`). The dependency graph (``A -> B`` when A's
    machine has an arc with output label B) must be acyclic: any cycle, even
    through unreachable arcs, raises :class:`FstOpError` as OpenFst does
    (a recursive grammar has no finite expansion by call stacks). More than
    ``max_states`` result states raise :class:`FstOpError`.

    Complexity: O(V_out + E_out) expected time and memory (hash tables for
    states and call stacks), plus O(E_in) for the dependency check; the
    output can be exponential in the nesting depth of the grammar.

    With ``return_arc_map=True`` returns ``(fst, arc_map)``: call and plain
    arcs map to their input arc (indices over the pairs' machines' arcs
    concatenated in the order of ``pairs``), return arcs to -1.
    """
    from ..kernels.replace import STATE_BUDGET_EXCEEDED, replace_expand

    labels, machines = _check_pairs(pairs)
    if root is None:
        root = labels[0]
    call_arc_labeling = _check_labeling("call_arc_labeling", call_arc_labeling)
    return_arc_labeling = _check_labeling("return_arc_labeling", return_arc_labeling)
    if epsilon_on_replace:
        call_arc_labeling = return_arc_labeling = "neither"
    return_label = _check_label("return_label", return_label)
    if not isinstance(max_states, (int, np.integer)) or max_states < 1:
        raise FstArgError(f"replace: max_states must be a positive integer, got {max_states!r}")
    isymbols, osymbols = check_compatible("replace", machines)
    semiring = machines[0].semiring

    # nonterminal label -> machine index; a later pair with the same label wins
    owner = {label: k for k, label in enumerate(labels)}
    root = _check_label("root", root)
    if root not in owner:
        raise FstArgError(f"replace: root label {root} is not one of the pairs' labels "
                          f"{sorted(owner)}")
    _check_acyclic_dependencies(labels, machines, owner)

    nt_labels = np.array(sorted(owner), dtype=np.int64)
    nt_fst = np.array([owner[label] for label in nt_labels.tolist()], dtype=np.int64)
    sizes = np.array([f.num_states for f in machines], dtype=np.int64)
    state_offset = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    arc_counts = np.array([f.num_arcs for f in machines], dtype=np.int64)
    arc_offset = np.concatenate([[0], np.cumsum(arc_counts)[:-1]]).astype(np.int64)
    indptr = np.concatenate([[0]] + [f.indptr[1:] + arc_offset[k]
                                     for k, f in enumerate(machines)]).astype(np.int64)
    nextstate = np.concatenate([f.nextstate.astype(np.int64) + state_offset[k]
                                for k, f in enumerate(machines)])
    ilabel = np.concatenate([f.ilabel for f in machines])
    olabel = np.concatenate([f.olabel for f in machines])
    weight = np.concatenate([f.weight for f in machines]).astype(semiring.dtype, copy=False)
    final = np.concatenate([f.final for f in machines]).astype(semiring.dtype, copy=False)
    fst_start = np.array([f.start for f in machines], dtype=np.int64)

    status, o_indptr, o_il, o_ol, o_next, o_w, o_final, arc_map = replace_expand(
        indptr, ilabel, olabel, nextstate, weight, final, state_offset, fst_start,
        nt_labels, nt_fst, owner[root], call_arc_labeling in ("input", "both"),
        call_arc_labeling in ("output", "both"), return_arc_labeling in ("input", "both"),
        return_arc_labeling in ("output", "both"), return_label, int(max_states),
        semiring.code)
    if status == STATE_BUDGET_EXCEEDED:
        raise FstOpError(f"replace: the expansion needs more than max_states={max_states} "
                         "states; raise max_states if the grammar really is this large")
    start = 0 if o_final.shape[0] else NO_STATE
    out = Fst(o_indptr.astype(INDPTR_DTYPE, copy=False), o_il, o_ol, o_next, o_w, o_final,
              start, semiring, isymbols, osymbols, check=False)
    if return_arc_map:
        return out, arc_map
    return out


def _check_pairs(pairs):
    try:
        pairs = list(pairs)
    except TypeError:
        raise FstArgError("replace: pairs must be a sequence of (label, Fst) pairs") from None
    if not pairs:
        raise FstArgError("replace: give at least one (label, Fst) pair (the root)")
    labels, machines = [], []
    for item in pairs:
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            raise FstArgError(f"replace: expected a (label, Fst) pair, got {item!r}")
        label, fst = item
        if not isinstance(fst, Fst):
            raise FstArgError(f"replace: expected a kleene.Fst in pair for label {label!r}, "
                              f"got {type(fst).__name__}")
        labels.append(_check_label("nonterminal label", label))
        machines.append(fst)
    return labels, machines


def _check_label(what: str, label) -> int:
    if isinstance(label, bool) or not isinstance(label, (int, np.integer)):
        raise FstArgError(f"replace: {what} must be an integer label, got {label!r}")
    label = int(label)
    if not 0 <= label < 2**31:
        raise FstArgError(f"replace: {what} must be in [0, 2**31), got {label}")
    return label


def _check_labeling(what: str, value) -> str:
    if value not in _LABELINGS:
        raise FstArgError(f"replace: {what} must be one of {', '.join(_LABELINGS)}; "
                          f"got {value!r}")
    return value


def _check_acyclic_dependencies(labels, machines, owner) -> None:
    """Raises FstOpError naming a cycle of the dependency graph, if any."""
    active = sorted(set(owner.values()))
    calls = {}
    for k in active:
        used = np.unique(machines[k].olabel)
        calls[k] = sorted({owner[int(x)] for x in used.tolist() if x != 0 and int(x) in owner})
    color = dict.fromkeys(active, 0)  # 0 new, 1 on the DFS stack, 2 done
    for first in active:
        if color[first]:
            continue
        stack = [(first, iter(calls[first]))]
        path = [first]
        color[first] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                color[node] = 2
            elif color[child] == 1:
                cycle = path[path.index(child):] + [child]
                shown = " -> ".join(str(labels[k]) for k in cycle)
                raise FstOpError(
                    f"replace: cyclic dependency between nonterminals ({shown}): the "
                    "grammar is recursive, so its expansion by call stacks is infinite "
                    "(OpenFst's Replace refuses it too); rewrite the recursion as "
                    "iteration (closure) or expand it to a bounded depth")
            elif color[child] == 0:
                color[child] = 1
                path.append(child)
                stack.append((child, iter(calls[child])))
