"""Enumerates the successful paths of an acyclic machine as strings
(pynini's ``Fst.paths()`` / ``StringPathIterator``)."""

from __future__ import annotations

from typing import Callable, Iterator

import numpy as np

from ..core.fst import Fst
from ..core.properties import Prop
from ..core.strings import TokenType, _check_token_type, decode_label_batch, decode_labels
from ..errors import FstArgError, FstOpError
from ..kernels.graph import coaccessible_states
from ..kernels.paths import enumerate_paths


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
          max_paths: "int | None" = None,
          generated: "Callable[[int], str | None] | None" = None
          ) -> Iterator[tuple[str, str, float]]:
    """Yields ``(input_string, output_string, weight)`` for every successful
    path of ``fst``: the labels along the path with epsilons removed, decoded
    with the token types (see :mod:`kleene.core.strings`), and the path
    weight, the ⊗-product of its arc weights and the final weight (a float).

    Order, as pynini's: depth-first from the start state, arcs in their stored
    order; a final state yields the path that stops there *before* the paths
    that continue through its arcs. Paths whose weight is the semiring zero
    (an arc of weight zero) are yielded too, as pynini does; paths into states
    that cannot reach a final state yield nothing. At most ``max_paths`` paths
    are yielded (``None``: all). ``generated`` maps a label outside the
    token type's range to a symbol name, printed as ``[NAME]`` (pass
    :func:`kleene.grammar.generated_name` for ``[BOS]``-style generated
    symbols). The same strings may come more than once (one
    per path); this is not ``shortest_path`` and does not merge them.

    Differs from pynini on machines that are not co-accessible: pynini's
    iterator (which assumes a connected machine) also yields the unfinished
    path into a non-final state without arcs; kleene yields successful paths
    only, i.e. what pynini gives after ``connect()``.

    Preconditions: the machine is acyclic (the ACYCLIC property, which covers
    unreachable states too, as OpenFst checks it); raises :class:`FstOpError`
    otherwise. Labels that do not decode raise :class:`FstArgError` /
    :class:`~kleene.errors.FstSymbolError` when their path is reached.

    Lazy and iterative (no recursion, any path length): a compiled kernel
    resumes the depth-first search for a batch of paths at a time (16 at
    first, doubling up to 16384), and each batch is decoded in bulk.
    Complexity: O(V + E) for the acyclicity and co-accessibility checks, then
    O(L · D) per yielded path of length L in a machine of out-degree at most
    D (dead ends are never entered); an acyclic machine can have
    exponentially many paths, so bound long enumerations with ``max_paths``.
    """
    _check_token_type(input_token_type)
    _check_token_type(output_token_type)
    limit = _check_max_paths(max_paths)
    if not isinstance(fst, Fst):
        raise FstArgError(f"paths() needs a kleene.Fst, not {type(fst).__name__}")
    if not fst.has(Prop.ACYCLIC):
        raise FstOpError("paths() needs an acyclic machine: a cyclic one has infinitely "
                         "many paths; use shortest_path(nshortest=...) or randgen instead")
    return _walk(fst, input_token_type, output_token_type, limit, generated)


_FIRST_BATCH = 16          # paths per kernel call at first (stay lazy) ...
_MAX_BATCH = 1 << 14       # ... growing geometrically to this


def _walk(fst: Fst, itype, otype, limit, generated) -> Iterator[tuple[str, str, float]]:
    start = fst.start
    if start < 0 or limit == 0:
        return
    sr = fst.semiring
    n = fst.num_states
    remaining = limit
    if fst.final[start] != sr.zero:
        # the path that stops at the start state comes first
        yield (decode_labels([], itype, generated=generated),
               decode_labels([], otype, generated=generated),
               float(fst.final[start]))
        if remaining is not None:
            remaining -= 1
            if remaining == 0:
                return
    # Arcs into states that cannot reach a final state lead to no path: the
    # kernel skips them, so it never explores a dead-end subtree.
    if fst.props.get(Prop.COACCESSIBLE):
        live = np.ones(n, dtype=np.bool_)
    else:
        live = coaccessible_states(fst.indptr, fst.nextstate, fst.final, sr.code)
    # the resumable DFS stack (depth <= num_states - 1 in an acyclic machine)
    st_state = np.empty(n, dtype=np.int64)
    st_next = np.empty(n, dtype=np.int64)
    st_weight = np.empty(n, dtype=sr.dtype)
    st_arc = np.empty(n, dtype=np.int64)
    st_state[0] = start
    st_next[0] = fst.indptr[start]
    st_weight[0] = sr.one
    depth = 0
    batch = _FIRST_BATCH
    while depth >= 0:
        if remaining is not None:
            batch = min(batch, remaining)
        out_arcs = np.empty(max(n, 8 * batch), dtype=np.int64)
        out_offsets = np.empty(batch + 1, dtype=np.int64)
        out_weight = np.empty(batch, dtype=sr.dtype)
        count, depth = enumerate_paths(fst.indptr, fst.nextstate, fst.weight, fst.final,
                                       sr.code, live, st_state, st_next, st_weight,
                                       st_arc, depth, batch, out_arcs, out_offsets,
                                       out_weight)
        arcs = out_arcs[:out_offsets[count]]
        offsets = out_offsets[:count + 1]
        istrings = decode_label_batch(fst.ilabel[arcs], offsets, itype, generated=generated)
        ostrings = decode_label_batch(fst.olabel[arcs], offsets, otype, generated=generated)
        yield from zip(istrings, ostrings, out_weight[:count].tolist())
        if remaining is not None:
            remaining -= count
            if remaining == 0:
                return
        batch = min(2 * batch, _MAX_BATCH)


def path_list(fst: Fst, *, input_token_type: TokenType = "byte",
              output_token_type: TokenType = "byte",
              max_paths: "int | None" = None) -> list[tuple[str, str, float]]:
    """:func:`paths` collected into a list (same order, same preconditions)."""
    return list(paths(fst, input_token_type=input_token_type,
                      output_token_type=output_token_type, max_paths=max_paths))


__all__ = ["paths", "path_list"]
