"""Enumerates the successful paths of an acyclic machine as strings
(pynini's ``Fst.paths()`` / ``StringPathIterator``)."""

from __future__ import annotations

from typing import Iterator

import numpy as np

from ..core.fst import Fst
from ..core.properties import Prop
from ..core.strings import TokenType, _check_token_type, decode_labels
from ..errors import FstArgError, FstOpError
from ..kernels.paths import coaccessible_states


def _check_max_paths(max_paths) -> "int | None":
    if max_paths is None:
        return None
    if isinstance(max_paths, bool) or not isinstance(max_paths, (int, np.integer)):
        raise FstArgError(f"max_paths must be an int or None, not {max_paths!r}")
    if max_paths < 0:
        raise FstArgError(f"max_paths must be >= 0, got {max_paths}")
    return int(max_paths)


def paths(fst: Fst, *, input_token_type: TokenType = "byte",
          output_token_type: TokenType = "byte",
          max_paths: "int | None" = None) -> Iterator[tuple[str, str, float]]:
    """Yields ``(input_string, output_string, weight)`` for every successful
    path of ``fst``: the labels along the path with epsilons removed, decoded
    with the token types (see :mod:`kleene.core.strings`), and the path
    weight, the ⊗-product of its arc weights and the final weight (a float).

    Order, as pynini's: depth-first from the start state, arcs in their stored
    order; a final state yields the path that stops there *before* the paths
    that continue through its arcs. Paths whose weight is the semiring zero
    (an arc of weight zero) are yielded too, as pynini does; paths into states
    that cannot reach a final state yield nothing. At most ``max_paths`` paths
    are yielded (``None``: all). The same strings may come more than once (one
    per path); this is not ``shortest_path`` and does not merge them.

    Preconditions: the machine is acyclic (the ACYCLIC property, which covers
    unreachable states too, as OpenFst checks it); raises :class:`FstOpError`
    otherwise. Labels that do not decode raise :class:`FstArgError` /
    :class:`~kleene.errors.FstSymbolError` when their path is reached.

    Lazy and iterative (no recursion, any path length). Complexity: O(V + E)
    for the acyclicity and co-accessibility checks, then O(L · D) per yielded
    path of length L in a machine of out-degree at most D (dead ends are never
    entered); an acyclic machine can have exponentially many paths, so bound
    long enumerations with ``max_paths``.
    """
    _check_token_type(input_token_type)
    _check_token_type(output_token_type)
    limit = _check_max_paths(max_paths)
    if not isinstance(fst, Fst):
        raise FstArgError(f"paths() needs a kleene.Fst, not {type(fst).__name__}")
    if not fst.has(Prop.ACYCLIC):
        raise FstOpError("paths() needs an acyclic machine: a cyclic one has infinitely "
                         "many paths; use shortest_path(nshortest=...) or randgen instead")
    return _walk(fst, input_token_type, output_token_type, limit)


def _walk(fst: Fst, itype, otype, limit) -> Iterator[tuple[str, str, float]]:
    if fst.start < 0 or limit == 0:
        return
    sr = fst.semiring
    zero = sr.zero
    indptr = fst.indptr.tolist()
    ilabel = fst.ilabel.tolist()
    olabel = fst.olabel.tolist()
    nextstate = fst.nextstate.tolist()
    weights = fst.weight          # numpy scalars keep the semiring's precision
    final = fst.final
    finals = (final != zero).tolist()
    # Arcs into states that cannot reach a final state lead to no path: skip
    # them, so the walk costs O(out-degree) per step of a yielded path.
    if fst.props.get(Prop.COACCESSIBLE):
        live = [True] * fst.num_states
    else:
        live = coaccessible_states(fst.indptr, fst.nextstate, final,
                                   sr.code).tolist()
    times = sr.times
    # The DFS stack: the state at each depth, the next arc to try there, and
    # the prefix weight on reaching it; arc_stack[d] is the arc taken from
    # depth d to d + 1 (so the labels of the current path).
    state_stack = [fst.start]
    next_arc = [indptr[fst.start]]
    weight_stack = [sr.one_value()]
    arc_stack: list[int] = []
    count = 0

    def emit(depth_state: int, prefix):
        ilabels = np.fromiter((ilabel[a] for a in arc_stack), dtype=np.int64,
                              count=len(arc_stack))
        olabels = np.fromiter((olabel[a] for a in arc_stack), dtype=np.int64,
                              count=len(arc_stack))
        return (decode_labels(ilabels, itype), decode_labels(olabels, otype),
                float(times(prefix, final[depth_state])))

    if finals[fst.start]:
        yield emit(fst.start, weight_stack[0])
        count += 1
        if count == limit:
            return
    while state_stack:
        s = state_stack[-1]
        a = next_arc[-1]
        if a == indptr[s + 1]:
            state_stack.pop()
            next_arc.pop()
            weight_stack.pop()
            if arc_stack:
                arc_stack.pop()
            continue
        next_arc[-1] = a + 1
        t = nextstate[a]
        if not live[t]:
            continue
        w = times(weight_stack[-1], weights[a])
        arc_stack.append(a)
        state_stack.append(t)
        next_arc.append(indptr[t])
        weight_stack.append(w)
        if finals[t]:
            yield emit(t, w)
            count += 1
            if count == limit:
                return


def path_list(fst: Fst, *, input_token_type: TokenType = "byte",
              output_token_type: TokenType = "byte",
              max_paths: "int | None" = None) -> list[tuple[str, str, float]]:
    """:func:`paths` collected into a list (same order, same preconditions)."""
    return list(paths(fst, input_token_type=input_token_type,
                      output_token_type=output_token_type, max_paths=max_paths))


__all__ = ["paths", "path_list"]
