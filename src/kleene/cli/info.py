"""``kleene info``: a summary of a machine in fstinfo's layout.

The lines and their wording follow OpenFst's ``fstinfo`` (names padded to 50
columns). Counts are computed here in O(V + E); the property lines come from
kleene's tracked properties plus three that fstinfo prints and kleene derives
from the strongly connected components (cyclic at initial state, string,
weighted cycles). fstinfo's matcher/lookahead lines describe OpenFst's C++
container and are reported for kleene's array machine (matchers need sorted
arcs; no lookahead).
"""

from __future__ import annotations

import argparse
import os

import numpy as np

from .common import STDIO, format_weight, write_text

OPENFST_MAGIC = 2125659606
WIDTH = 50


def register(sub) -> None:
    p = sub.add_parser(
        "info", allow_abbrev=False,
        help="summary of a machine: sizes and properties (fstinfo)",
        description="Prints the type, size and properties of a machine in "
                    "the layout of OpenFst's fstinfo.",
        epilog="example: kleene info lexicon.fst")
    p.add_argument("in_fst", nargs="?", default=STDIO, metavar="in.fst",
                   help="input machine (default or '-': standard input)")
    p.set_defaults(func=cmd_info)


def cmd_info(args: argparse.Namespace) -> int:
    from .common import load_fst
    fst = load_fst(args.in_fst)
    write_text(format_info(fst, fst_type=stored_fst_type(args.in_fst)), STDIO)
    return 0


def stored_fst_type(path: str) -> str:
    """The container type named in an OpenFst binary file's header
    (``vector``, ``const``, ...); ``vector`` for anything else."""
    if not path or path == STDIO or not os.path.isfile(path):
        return "vector"
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
    except OSError:
        return "vector"
    if len(head) < 8 or int(np.frombuffer(head[:4], "<i4")[0]) != OPENFST_MAGIC:
        return "vector"
    n = int(np.frombuffer(head[4:8], "<i4")[0])
    if not 0 < n <= len(head) - 8:
        return "vector"
    return head[8:8 + n].decode("ascii", "replace")


def info_lines(fst, fst_type: str = "vector") -> list[tuple[str, str]]:
    """``(name, value)`` pairs in fstinfo's order."""
    from ..core.properties import Prop
    n, m = fst.num_states, fst.num_arcs
    il, ol = fst.ilabel, fst.olabel
    sr = fst.semiring
    final = fst.final != sr.zero
    scc, access, coaccess = _components(fst)
    connected = access & coaccess
    props = fst.properties()
    extra = _derived_properties(fst, scc)

    def yn(flag) -> str:
        return "y" if flag else "n"

    lines = [
        ("fst type", fst_type),
        ("arc type", sr.arc_type),
        ("input symbol table", _table_name(fst.isymbols)),
        ("output symbol table", _table_name(fst.osymbols)),
        ("# of states", str(n)),
        ("# of arcs", str(m)),
        ("initial state", str(fst.start)),
        ("# of final states", str(int(final.sum()))),
        ("# of input/output epsilons", str(int(((il == 0) & (ol == 0)).sum()))),
        ("# of input epsilons", str(int((il == 0).sum()))),
        ("# of output epsilons", str(int((ol == 0).sum()))),
        ("input label multiplicity", format_weight(_multiplicity(fst, il))),
        ("output label multiplicity", format_weight(_multiplicity(fst, ol))),
        ("# of accessible states", str(int(access.sum()))),
        ("# of coaccessible states", str(int(coaccess.sum()))),
        ("# of connected states", str(int(connected.sum()))),
        ("# of connected components", str(_num_weak_components(fst))),
        ("# of strongly conn components", str(len(set(scc.tolist())))),
        ("input matcher", yn(props.get(Prop.ILABEL_SORTED))),
        ("output matcher", yn(props.get(Prop.OLABEL_SORTED))),
        ("input lookahead", "n"),
        ("output lookahead", "n"),
        ("expanded", "y"),
        ("mutable", "n"),  # kleene machines are frozen
        ("error", "n"),
        ("acceptor", yn(props.get(Prop.ACCEPTOR))),
        ("input deterministic", yn(props.get(Prop.I_DETERMINISTIC))),
        ("output deterministic", yn(props.get(Prop.O_DETERMINISTIC))),
        ("input/output epsilons", yn(not props.get(Prop.NO_EPSILONS))),
        ("input epsilons", yn(not props.get(Prop.NO_IEPSILONS))),
        ("output epsilons", yn(not props.get(Prop.NO_OEPSILONS))),
        ("input label sorted", yn(props.get(Prop.ILABEL_SORTED))),
        ("output label sorted", yn(props.get(Prop.OLABEL_SORTED))),
        ("weighted", yn(not props.get(Prop.UNWEIGHTED))),
        ("cyclic", yn(not props.get(Prop.ACYCLIC))),
        ("cyclic at initial state", yn(extra["initial_cyclic"])),
        ("top sorted", yn(props.get(Prop.TOP_SORTED))),
        ("accessible", yn(props.get(Prop.ACCESSIBLE))),
        ("coaccessible", yn(props.get(Prop.COACCESSIBLE))),
        ("string", yn(extra["string"])),
        ("weighted cycles", yn(extra["weighted_cycles"])),
    ]
    return lines


def format_info(fst, fst_type: str = "vector") -> str:
    return "".join(f"{name:<{WIDTH}}{value}\n" for name, value in info_lines(fst, fst_type))


def _table_name(table) -> str:
    return "none" if table is None else (table.name or "unnamed")


def _multiplicity(fst, labels: np.ndarray) -> float:
    """fstinfo's label multiplicity: the sum over states of the squared count
    of each label on the state's arcs, divided by the number of arcs (1.0 for
    a deterministic side)."""
    if fst.num_arcs == 0:
        return 0.0
    pairs = np.stack([fst.arc_source.astype(np.int64), labels.astype(np.int64)], axis=1)
    _, counts = np.unique(pairs, axis=0, return_counts=True)
    return float((counts.astype(np.float64) ** 2).sum() / fst.num_arcs)


def _reach(n: int, src: np.ndarray, dst: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """States reachable from ``seeds`` along ``src -> dst`` edges."""
    seen = np.zeros(n, dtype=bool)
    seen[seeds] = True
    order = np.argsort(src, kind="stable")
    src_sorted, dst_sorted = src[order], dst[order]
    starts = np.searchsorted(src_sorted, np.arange(n + 1))
    frontier = list(np.flatnonzero(seen))
    while frontier:
        s = frontier.pop()
        for t in dst_sorted[starts[s]:starts[s + 1]]:
            if not seen[t]:
                seen[t] = True
                frontier.append(int(t))
    return seen


def _components(fst):
    """(scc id per state, accessible mask, coaccessible mask)."""
    n = fst.num_states
    src = fst.arc_source.astype(np.int64)
    dst = fst.nextstate.astype(np.int64)
    seeds = np.array([fst.start] if fst.start >= 0 else [], dtype=np.int64)
    access = _reach(n, src, dst, seeds)
    coaccess = _reach(n, dst, src, np.flatnonzero(fst.final != fst.semiring.zero))
    return _tarjan(fst), access, coaccess


def _tarjan(fst) -> np.ndarray:
    """Strongly connected component id of every state (iterative Tarjan)."""
    n = fst.num_states
    indptr = fst.indptr.tolist()
    nextstate = fst.nextstate.tolist()
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    comp = [-1] * n
    stack: list[int] = []
    counter = 0
    ncomp = 0
    roots = ([fst.start] if fst.start >= 0 else []) + list(range(n))
    for root in roots:
        if index[root] != -1:
            continue
        work = [(root, indptr[root])]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        while work:
            s, a = work[-1]
            if a < indptr[s + 1]:
                work[-1] = (s, a + 1)
                t = nextstate[a]
                if index[t] == -1:
                    index[t] = low[t] = counter
                    counter += 1
                    stack.append(t)
                    on_stack[t] = True
                    work.append((t, indptr[t]))
                elif on_stack[t]:
                    low[s] = min(low[s], index[t])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[s])
            if low[s] == index[s]:
                while True:
                    t = stack.pop()
                    on_stack[t] = False
                    comp[t] = ncomp
                    if t == s:
                        break
                ncomp += 1
    return np.asarray(comp, dtype=np.int64)


def _num_weak_components(fst) -> int:
    """Connected components of the underlying undirected graph (union-find)."""
    parent = list(range(fst.num_states))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for s, t in zip(fst.arc_source.tolist(), fst.nextstate.tolist()):
        rs, rt = find(s), find(t)
        if rs != rt:
            parent[rs] = rt
    return len({find(s) for s in range(fst.num_states)})


def _derived_properties(fst, scc: np.ndarray) -> dict:
    n = fst.num_states
    sr = fst.semiring
    src = fst.arc_source
    same = scc[src] == scc[fst.nextstate] if fst.num_arcs else np.zeros(0, bool)
    weighted_arc = (fst.weight != sr.one) & (fst.weight != sr.zero)
    initial_cyclic = False
    if fst.start >= 0 and fst.num_arcs:
        initial_cyclic = bool(np.any(same & (scc[src] == scc[fst.start])))
    return {"initial_cyclic": initial_cyclic,
            "weighted_cycles": bool(np.any(same & weighted_arc)),
            "string": _is_string(fst, n)}


def _is_string(fst, n: int) -> bool:
    """OpenFst's kString: states 0..n-1 form a single chain 0 -> 1 -> ... from
    the start state 0; only the last state is final and it has no arcs."""
    if n == 0:
        return True
    if fst.start != 0:
        return False
    degree = np.diff(fst.indptr)
    final = fst.final != fst.semiring.zero
    if final[:-1].any() or not final[-1] or degree[-1] != 0:
        return False
    if np.any(degree[:-1] != 1):
        return False
    return bool(np.all(fst.nextstate[:n - 1] == np.arange(1, n)))
