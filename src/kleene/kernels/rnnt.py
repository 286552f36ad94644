"""RNN-T loss kernels (Graves 2012, "Sequence transduction with recurrent
neural networks"): per-cell log-normalizers, the alpha/beta recursions on the
(T, U+1) lattice and the gradient with respect to the joiner's logits.

Layout: ``logits`` is a C-contiguous (B, T, U+1, V) float32 or float64 array;
``targets`` (B, >=U), ``frames`` (B,) and ``labels`` (B,) are int64. Sequence
``b`` uses the cells ``t < frames[b]``, ``u <= labels[b]``. Lattice arrays
(``denom``, ``lp_blank``, ``lp_emit``, ``alpha``, ``beta``) are (B, T, U+1)
float64 and hold ``-inf`` (``denom``: 0) outside a sequence's cells.

Precision: every lattice quantity and the blank/label gradient entries
(where two terms nearly cancel) are float64. The per-element work over the
vocabulary runs in the logits' dtype, vectorized: for float32 a Cephes expf
(~1 ulp) and, in the log-sum-exp, float32 partial sums of 256 terms (each
in (0, 1]) added in float64. Float32 results match a float64 computation to
~1e-6 relative (log-normalizers to ~2e-7 absolute at V=500).

The two vocabulary passes (normalizers, gradient) run in parallel over the
B*T (sequence, frame) rows; the O(B T U) recursions run serially (a
``parallel=True`` kernel costs ~3x the cold compile time of a serial one,
and the recursions are a few percent of the work). Kernels raise nothing: a
sequence whose log-likelihood is not finite gets ``loglik = -inf`` (or NaN),
and :func:`rnnt_grad` writes zeros for it (as torchaudio's CUDA kernel does).
"""

import math

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.extending import intrinsic, overload

from .logspace import log_add


@intrinsic
def _float32_from_bits(typingctx, bits):
    """Reinterprets an int32's bits as a float32 (builds 2**n for _exp)."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.FloatType())
    return types.float32(types.int32), codegen


def _exp(x):
    """exp for the vocabulary loops (see the overload below)."""
    return math.exp(x)


@overload(_exp, inline="always")
def _exp_overload(x):
    """float32: Cephes' expf (x = n ln2 + r, |r| <= ln2/2, a degree-7
    polynomial in r, 2**n from the exponent bits), ~1 ulp and, unlike libm's
    expf, vectorized by LLVM (the vocabulary loops run ~3x faster). Only for
    x <= 88 (larger x saturates at 1.65e38; here x = logit - max or
    logit - log-normalizer + log-occupancy, both <= 0 up to rounding); below
    -87 it returns 0 (no denormals), NaN stays NaN. float64: ``math.exp``."""
    if not (isinstance(x, types.Float) and x.bitwidth == 32):
        return lambda x: math.exp(x)

    def impl(x):
        xc = min(max(x, np.float32(-87.0)), np.float32(88.0))
        n = np.floor(xc * np.float32(1.44269504) + np.float32(0.5))  # float32 (math.floor: int64)
        r = xc - n * np.float32(0.693359375) + n * np.float32(2.12194440e-4)
        p = np.float32(1.9875691500e-4)
        p = p * r + np.float32(1.3981999507e-3)
        p = p * r + np.float32(8.3334519073e-3)
        p = p * r + np.float32(4.1665795894e-2)
        p = p * r + np.float32(1.6666665459e-1)
        p = p * r + np.float32(5.0000001201e-1)
        p = p * r * r + r + np.float32(1.0)
        y = p * _float32_from_bits((np.int32(n) + np.int32(127)) << np.int32(23))
        if x >= np.float32(-87.0):
            return y
        return np.float32(0.0) if x < np.float32(-87.0) else x  # x is NaN
    return impl


_BLOCK = 256  # terms per partial sum of the log-sum-exp


@njit(cache=True, parallel=True, fastmath={"reassoc"})  # reassoc: a vectorized sum
def rnnt_log_probs(logits, targets, frames, labels, blank, fused, denom, lp_blank, lp_emit):
    """Fills ``denom[b,t,u]`` (the log-sum-exp of the logits row when
    ``fused``, else 0) and the log-probabilities of the two lattice moves:
    ``lp_blank`` (blank, to (t+1, u)) and ``lp_emit`` (label ``targets[b,u]``,
    to (t, u+1); ``-inf`` at ``u = labels[b]``). O(B T U V)."""
    B, T, U1, V = logits.shape
    for r in prange(B * T):
        b = r // T
        t = r - b * T
        nu = labels[b] + 1 if t < frames[b] else 0
        zero = np.zeros(1, logits.dtype)
        for u in range(U1):
            if u >= nu:
                denom[b, t, u] = 0.0
                lp_blank[b, t, u] = -np.inf
                lp_emit[b, t, u] = -np.inf
                continue
            row = logits[b, t, u]
            d = 0.0
            if fused:
                m = row[0]
                for v in range(1, V):
                    m = max(m, row[v])
                # sum blocks of _BLOCK terms in the logits' dtype (vectorized), the blocks in
                # float64: each term is in (0, 1], so a float32 block sum is within ~1e-6
                s = 0.0
                for v0 in range(0, V, _BLOCK):
                    part = zero[0]
                    for v in range(v0, min(v0 + _BLOCK, V)):
                        part += _exp(row[v] - m)
                    s += part
                d = float(m) + math.log(s)
            denom[b, t, u] = d
            lp_blank[b, t, u] = float(row[blank]) - d
            if u < labels[b]:
                lp_emit[b, t, u] = float(row[targets[b, u]]) - d
            else:
                lp_emit[b, t, u] = -np.inf


@njit(cache=True)
def rnnt_alpha_beta(lp_blank, lp_emit, frames, labels, want_beta, alpha, beta, loglik):
    """Forward variables ``alpha[b,t,u]`` (log-probability of reaching (t, u)),
    and, when ``want_beta``, backward variables ``beta[b,t,u]`` (of finishing
    from (t, u), the final blank included); ``loglik[b] = log P(y|x)``.
    O(B T U)."""
    B, T, U1 = lp_blank.shape
    for j in range(2 * B):  # serial: O(B T U) is small next to the O(B T U V) passes
        b = j // 2
        if j % 2 == 1 and not want_beta:
            continue
        nt = frames[b]
        nu = labels[b] + 1
        if j % 2 == 0:
            for t in range(T):
                for u in range(U1):
                    if t >= nt or u >= nu:
                        alpha[b, t, u] = -np.inf
                        continue
                    if t == 0 and u == 0:
                        alpha[b, t, u] = 0.0
                        continue
                    a = -np.inf
                    if t > 0:
                        a = alpha[b, t - 1, u] + lp_blank[b, t - 1, u]
                    if u > 0:
                        a = log_add(a, alpha[b, t, u - 1] + lp_emit[b, t, u - 1])
                    alpha[b, t, u] = a
            loglik[b] = alpha[b, nt - 1, nu - 1] + lp_blank[b, nt - 1, nu - 1]
        else:
            for t in range(T - 1, -1, -1):
                for u in range(U1 - 1, -1, -1):
                    if t >= nt or u >= nu:
                        beta[b, t, u] = -np.inf
                        continue
                    if t == nt - 1:
                        if u == nu - 1:
                            beta[b, t, u] = lp_blank[b, t, u]
                        else:
                            beta[b, t, u] = beta[b, t, u + 1] + lp_emit[b, t, u]
                        continue
                    a = beta[b, t + 1, u] + lp_blank[b, t, u]
                    if u < nu - 1:
                        a = log_add(a, beta[b, t, u + 1] + lp_emit[b, t, u])
                    beta[b, t, u] = a


@njit(cache=True, parallel=True)
def rnnt_grad(logits, targets, frames, labels, blank, fused, clamp, denom, lp_blank, lp_emit,
              alpha, beta, loglik, scale, grad):
    """Writes ``grad = scale[b] * clamp(d(-log P_b)/d logits)`` into ``grad``
    (same shape and dtype as ``logits``; may not alias it).

    With ``fused`` the logits are normalized inside the loss and
    ``grad[v] = softmax[v] occ(t,u) - [v = blank] occ_blank - [v = y_u] occ_emit``,
    the softmax recomputed here from ``denom``. Otherwise the logits are
    taken as log-probabilities and only the blank and label entries are
    non-zero. ``clamp > 0`` clips each entry to [-clamp, clamp] before the
    scaling (torchaudio's order). Cells outside a sequence get 0. O(B T U V).
    """
    B, T, U1, V = logits.shape
    for r in prange(B * T):
        b = r // T
        t = r - b * T
        nt = frames[b]
        nu = labels[b] + 1 if t < nt else 0
        ll = loglik[b]
        if not math.isfinite(ll):
            nu = 0
        cbuf = np.empty(1, logits.dtype)
        for u in range(U1):
            out = grad[b, t, u]
            if u >= nu:
                for v in range(V):
                    out[v] = 0.0
                continue
            a = alpha[b, t, u]
            # the blank move leads to (t+1, u), or ends the lattice at (T-1, U)
            if t == nt - 1:
                nb = 0.0 if u == nu - 1 else -np.inf
            else:
                nb = beta[b, t + 1, u]
            occ_blank = math.exp(a + lp_blank[b, t, u] + nb - ll)
            occ_emit = 0.0
            if u < nu - 1:
                occ_emit = math.exp(a + lp_emit[b, t, u] + beta[b, t, u + 1] - ll)
            if fused:
                occ = a + beta[b, t, u] - ll  # log occupancy of (t, u)
                cbuf[0] = occ - denom[b, t, u]
                c = cbuf[0]
                row = logits[b, t, u]
                for v in range(V):
                    out[v] = _exp(row[v] + c)
                out[blank] = math.exp(lp_blank[b, t, u] + occ) - occ_blank
                if u < nu - 1:
                    out[targets[b, u]] = math.exp(lp_emit[b, t, u] + occ) - occ_emit
            else:
                for v in range(V):
                    out[v] = 0.0
                out[blank] = -occ_blank
                if u < nu - 1:
                    out[targets[b, u]] = -occ_emit
            s = scale[b]
            if clamp > 0.0:
                for v in range(V):
                    out[v] = min(max(out[v], -clamp), clamp) * s
            elif s != 1.0:
                for v in range(V):
                    out[v] = out[v] * s
