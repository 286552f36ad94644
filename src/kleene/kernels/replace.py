"""Kernel of :func:`kleene.algorithms.replace.replace`: eager expansion of a
recursive transition network, OpenFst ``ReplaceFst`` style.

The machines of the grammar arrive concatenated into one CSR (a *global*
state ``g`` is ``state_offset[k] + q`` for state ``q`` of machine ``k``;
``nextstate`` already holds global states, arc ``a`` is the index into the
concatenation of the inputs' arcs). A state of the result is a pair
``(prefix, g)`` where the prefix is the call stack: a chain of return
addresses (global states), interned in a prefix table (prefix 0 is the empty
stack). States are numbered in order of discovery and expanded in numbering
order, so the output comes out in CSR order with OpenFst's numbering: a
return arc first (at a final state of a called machine), then one arc per
input arc, in input order.
"""

import numpy as np
from numba import njit
from numba import types
from numba.typed import Dict

from .semiring import is_zero, zero

OK = 0
STATE_BUDGET_EXCEEDED = 1

_KEY_SHIFT = np.int64(1) << np.int64(32)


@njit(cache=True)
def _grow(arr, need):
    """``arr`` with room for at least ``need`` entries (doubling)."""
    if need <= arr.shape[0]:
        return arr
    out = np.empty(max(need, 2 * arr.shape[0]), dtype=arr.dtype)
    out[:arr.shape[0]] = arr
    return out


@njit(cache=True)
def _nonterminal(label, nt_labels, nt_fst):
    """Index of the machine that replaces ``label``, or -1 (``nt_labels`` sorted)."""
    if label == 0 or nt_labels.shape[0] == 0:
        return -1
    if label < nt_labels[0] or label > nt_labels[-1]:
        return -1
    i = np.searchsorted(nt_labels, label)
    if i < nt_labels.shape[0] and nt_labels[i] == label:
        return nt_fst[i]
    return -1


@njit(cache=True)
def replace_expand(indptr, ilabel, olabel, nextstate, weight, final, state_offset,
                   fst_start, nt_labels, nt_fst, root_fst, call_input, call_output,
                   return_input, return_output, return_label, max_states, code):
    """Expands the grammar from the root machine's start state.

    ``call_input``/``call_output`` keep the call arc's input/output label
    (else epsilon); ``return_input``/``return_output`` put ``return_label`` on
    the return arc's sides. Returns ``(status, out_indptr, out_ilabel,
    out_olabel, out_nextstate, out_weight, out_final, arc_map)``; status
    ``STATE_BUDGET_EXCEEDED`` when more than ``max_states`` states would be
    needed. O(V_out + E_out) expected time (hash tables)."""
    wdtype = weight.dtype
    cap_s = 64
    cap_a = 64
    st_prefix = np.empty(cap_s, np.int64)
    st_global = np.empty(cap_s, np.int64)
    out_indptr = np.zeros(cap_s + 1, np.int64)
    out_final = np.empty(cap_s, wdtype)
    out_il = np.empty(cap_a, np.int32)
    out_ol = np.empty(cap_a, np.int32)
    out_next = np.empty(cap_a, np.int32)
    out_w = np.empty(cap_a, wdtype)
    arc_map = np.empty(cap_a, np.int64)
    # call stacks: prefix p = (parent prefix, return address)
    pre_parent = np.zeros(16, np.int64)
    pre_return = np.zeros(16, np.int64)
    num_prefixes = 1
    prefix_ids = Dict.empty(key_type=types.int64, value_type=types.int64)
    state_ids = Dict.empty(key_type=types.int64, value_type=types.int64)

    start = fst_start[root_fst]
    if start < 0:
        return (OK, out_indptr[:1], out_il[:0], out_ol[:0], out_next[:0], out_w[:0],
                out_final[:0], arc_map[:0])
    num_states = 1
    st_prefix[0] = 0
    st_global[0] = state_offset[root_fst] + start
    state_ids[st_global[0]] = 0
    num_arcs = 0
    s = 0
    status = OK
    while s < num_states:
        p = st_prefix[s]
        g = st_global[s]
        out_final = _grow(out_final, s + 1)
        out_final[s] = final[g] if p == 0 else zero(code)
        # up to one return arc plus one arc per input arc
        need = num_arcs + 1 + (indptr[g + 1] - indptr[g])
        if need > out_il.shape[0]:
            out_il = _grow(out_il, need)
            out_ol = _grow(out_ol, need)
            out_next = _grow(out_next, need)
            out_w = _grow(out_w, need)
            arc_map = _grow(arc_map, need)
        for k in range(-1, indptr[g + 1] - indptr[g]):
            if k == -1:
                # return arc: a final state of a called machine goes back
                # to the caller's return address, weighted by the final weight
                if p == 0 or is_zero(code, final[g]):
                    continue
                dest_prefix = pre_parent[p]
                dest_global = pre_return[p]
                il = return_label if return_input else 0
                ol = return_label if return_output else 0
                w = final[g]
                origin = -1
            else:
                a = indptr[g] + k
                il = ilabel[a]
                ol = olabel[a]
                w = weight[a]
                origin = a
                callee = _nonterminal(ol, nt_labels, nt_fst)
                if callee < 0:
                    dest_prefix = p
                    dest_global = nextstate[a]
                else:
                    # call arc: push the return address, enter the callee
                    if fst_start[callee] < 0:
                        continue  # an empty machine: the call leads nowhere
                    pkey = p * _KEY_SHIFT + nextstate[a]
                    dest_prefix = prefix_ids.get(pkey, -1)
                    if dest_prefix < 0:
                        if num_prefixes == pre_parent.shape[0]:
                            pre_parent = _grow(pre_parent, num_prefixes + 1)
                            pre_return = _grow(pre_return, num_prefixes + 1)
                        dest_prefix = num_prefixes
                        pre_parent[dest_prefix] = p
                        pre_return[dest_prefix] = nextstate[a]
                        num_prefixes += 1
                        prefix_ids[pkey] = dest_prefix
                    dest_global = state_offset[callee] + fst_start[callee]
                    if not call_input:
                        il = 0
                    if not call_output:
                        ol = 0
            skey = dest_prefix * _KEY_SHIFT + dest_global
            dest = state_ids.get(skey, -1)
            if dest < 0:
                if num_states >= max_states:
                    status = STATE_BUDGET_EXCEEDED
                    break
                dest = num_states
                if dest == st_prefix.shape[0]:
                    st_prefix = _grow(st_prefix, dest + 1)
                    st_global = _grow(st_global, dest + 1)
                st_prefix[dest] = dest_prefix
                st_global[dest] = dest_global
                state_ids[skey] = dest
                num_states += 1
            out_il[num_arcs] = il
            out_ol[num_arcs] = ol
            out_next[num_arcs] = dest
            out_w[num_arcs] = w
            arc_map[num_arcs] = origin
            num_arcs += 1
        if status != OK:
            break
        out_indptr = _grow(out_indptr, s + 2)
        out_indptr[s + 1] = num_arcs
        s += 1
    return (status, out_indptr[:num_states + 1].copy(), out_il[:num_arcs].copy(),
            out_ol[:num_arcs].copy(), out_next[:num_arcs].copy(),
            out_w[:num_arcs].copy(), out_final[:num_states].copy(),
            arc_map[:num_arcs].copy())
