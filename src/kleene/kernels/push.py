"""Reweighting kernel for weight pushing."""

from numba import njit

from .semiring import divide, is_zero, times


@njit(cache=True)
def reweight(indptr, nextstate, weight, final, potential, code, to_final):
    """Returns ``(weight, final)`` reweighted by ``potential``.

    Towards the initial state (``to_final`` false, potential = distance to the
    final states): ``w' = V[s]⁻¹ ⊗ w ⊗ V[next]`` and ``f' = V[s]⁻¹ ⊗ f``.
    Towards the final states (potential = distance from the start):
    ``w' = V[s] ⊗ w ⊗ V[next]⁻¹`` and ``f' = V[s] ⊗ f``. Arcs touching a
    state of zero potential (useless states) and final weights of such states
    are left unchanged. O(V + E)."""
    n = final.shape[0]
    new_w = weight.copy()
    new_f = final.copy()
    for s in range(n):
        vs = potential[s]
        if is_zero(code, vs):
            continue
        if not is_zero(code, final[s]):
            if to_final:
                new_f[s] = times(code, vs, final[s])
            else:
                new_f[s] = divide(code, final[s], vs)
        for a in range(indptr[s], indptr[s + 1]):
            vt = potential[nextstate[a]]
            if is_zero(code, vt) or is_zero(code, weight[a]):
                continue
            if to_final:
                new_w[a] = divide(code, times(code, vs, weight[a]), vt)
            else:
                new_w[a] = divide(code, times(code, weight[a], vt), vs)
    return new_w, new_f
