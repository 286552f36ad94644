"""Slow, obviously correct property computation (pure Python)."""


def reference_properties(fst) -> dict:
    n = fst.num_states
    sr = fst.semiring
    arcs = {s: fst.arcs(s) for s in range(n)}
    props = {}
    all_arcs = [(s, a) for s in range(n) for a in arcs[s]]
    props["acceptor"] = all(a.ilabel == a.olabel for _, a in all_arcs)
    props["no_epsilons"] = not any(a.ilabel == 0 and a.olabel == 0 for _, a in all_arcs)
    props["no_iepsilons"] = not any(a.ilabel == 0 for _, a in all_arcs)
    props["no_oepsilons"] = not any(a.olabel == 0 for _, a in all_arcs)
    props["ilabel_sorted"] = all(
        [a.ilabel for a in arcs[s]] == sorted(a.ilabel for a in arcs[s]) for s in range(n))
    props["olabel_sorted"] = all(
        [a.olabel for a in arcs[s]] == sorted(a.olabel for a in arcs[s]) for s in range(n))
    props["i_deterministic"] = all(
        len({a.ilabel for a in arcs[s]}) == len(arcs[s]) for s in range(n))
    props["o_deterministic"] = all(
        len({a.olabel for a in arcs[s]}) == len(arcs[s]) for s in range(n))

    # a cycle exists iff some state reaches itself
    def reach(src):
        seen, todo = set(), [src]
        while todo:
            s = todo.pop()
            for a in arcs[s]:
                if a.nextstate not in seen:
                    seen.add(a.nextstate)
                    todo.append(a.nextstate)
        return seen

    reach_sets = {s: reach(s) for s in range(n)}
    props["acyclic"] = all(s not in reach_sets[s] for s in range(n))
    props["top_sorted"] = props["acyclic"] and all(a.nextstate > s for s, a in all_arcs)
    if fst.start >= 0:
        acc = reach_sets[fst.start] | {fst.start}
    else:
        acc = set()
    props["accessible"] = len(acc) == n
    finals = {s for s in range(n) if fst.is_final(s)}
    props["coaccessible"] = all((reach_sets[s] | {s}) & finals for s in range(n))
    props["unweighted"] = all(a.weight == sr.one for _, a in all_arcs) and all(
        fst.final[s] in (sr.one, sr.zero) for s in range(n))
    return props
