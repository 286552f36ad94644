"""Kernels for OpenFst's text format: ``%g`` weight formatting, line
printing into a byte buffer, and a scanner for the all-numeric case.

Weights (``format_g6``). C++ streams print a double with 6 significant
digits exactly like printf's ``%g``: the decimal value is correctly rounded
(ties to even on the exact binary value). Here ``y = |x| * 10**(5 - e)`` is
computed in floating point, ``e`` being the decade of ``x``. With
``|5 - e| <= 22`` the power of ten is exact, so ``y`` carries one rounding
error (half an ulp, < 1.2e-10 for ``y < 2**20``); beyond that the scaling
takes at most 15 exactly-representable steps (relative error < 2e-15). The
digits ``round(y)`` are certain unless ``y`` lies within ``TIE_MARGIN`` of
``k + 0.5``: those values (exact ties such as 123456.5, and near ties) get
length 0 and the caller formats them with Python's correctly rounded ``%g``.
A misjudged decade near a power of ten is harmless: both readings round to
``100000`` with the same printed exponent.

Parsing (``scan_numeric_text``). Integers are exact. A weight token
``[+-]digits[.digits][e[+-]digits]`` with at most 15 significant digits and
a total decimal exponent within +-22 is ``m * 10**k`` or ``m / 10**-k`` for
exact ``m`` and ``10**k``: one correctly rounded operation, hence the same
double as Python's ``float()`` (Clinger's fast path). ``inf``/``infinity``
(any case, signed) are read too. Every other weight token is marked for the
caller to parse with ``float()``; anything else unusual returns a failure
status so the caller can run its line-by-line parser, which names the line.
"""

import numpy as np
from numba import njit

# exactly representable powers of ten
POW10 = np.array([10.0 ** k for k in range(23)], dtype=np.float64)
TIE_MARGIN_EXACT = 1e-9    # one rounding of y < 2**20: error < 1.2e-10
TIE_MARGIN_SCALED = 1e-7   # up to 15 roundings: error < 2e-8
WEIGHT_WIDTH = 16          # longest %g text is 13 bytes ("-1.23457e+308")

OK = 0
FAIL = 1                   # let the line parser handle (and report) the text

_TAB = 9
_NL = 10
_CR = 13
_SPACE = 32


# -- formatting ------------------------------------------------------------------
@njit(cache=True)
def _scale_by_pow10(x, q):
    """``x * 10**q`` with exact powers of ten (one rounding per step of
    at most 22 decades)."""
    while q > 22:
        x = x * POW10[22]
        q -= 22
    while q < -22:
        x = x / POW10[22]
        q += 22
    if q >= 0:
        return x * POW10[q]
    return x / POW10[-q]


@njit(cache=True)
def _put_text(out, pos, text):
    for k in range(len(text)):
        out[pos + k] = ord(text[k])
    return pos + len(text)


INT_POW10 = np.array([10 ** k for k in range(19)], dtype=np.int64)


@njit(cache=True)
def _digit(n, ndig, k):
    """Digit ``k`` (from the left) of the ``ndig``-digit number ``n``, as ASCII."""
    return 48 + (n // INT_POW10[ndig - 1 - k]) % 10


@njit(cache=True)
def format_g6(x, out, pos):
    """Writes ``x`` as C++ ``os << x`` with precision 6 (``Infinity``,
    ``-Infinity``, ``BadNumber`` for NaN) at ``out[pos:]``. Returns the new
    position, or -1 when the rounding is too close to call."""
    if x != x:
        return _put_text(out, pos, "BadNumber")
    if x < 0 or (x == 0 and np.signbit(x)):
        out[pos] = 45  # '-'
        pos += 1
        x = -x
    if x == np.inf:
        return _put_text(out, pos, "Infinity")
    if x == 0:
        out[pos] = 48
        return pos + 1
    e = int(np.floor(np.log10(x)))
    for _ in range(3):
        y = _scale_by_pow10(x, 5 - e)
        if y < 1e5:
            e -= 1
        elif y >= 1e6:
            e += 1
        else:
            break
    if not 1e5 <= y < 1e6:
        return -1
    margin = TIE_MARGIN_EXACT if -22 <= 5 - e <= 22 else TIE_MARGIN_SCALED
    low = np.floor(y)
    frac = y - low
    if abs(frac - 0.5) <= margin:
        return -1
    n = np.int64(low) + (1 if frac > 0.5 else 0)
    if n == 1000000:
        n = 100000
        e += 1
    # strip trailing zeros: the ndig digits of n are all %g prints
    ndig = 6
    while ndig > 1 and n % 10 == 0:
        n //= 10
        ndig -= 1
    if -4 <= e < 6:  # fixed notation
        if e >= 0:
            for k in range(e + 1):
                out[pos] = _digit(n, ndig, k) if k < ndig else 48
                pos += 1
            if ndig > e + 1:
                out[pos] = 46  # '.'
                pos += 1
                for k in range(e + 1, ndig):
                    out[pos] = _digit(n, ndig, k)
                    pos += 1
        else:
            out[pos] = 48
            out[pos + 1] = 46
            pos += 2
            for _ in range(-e - 1):
                out[pos] = 48
                pos += 1
            for k in range(ndig):
                out[pos] = _digit(n, ndig, k)
                pos += 1
        return pos
    out[pos] = _digit(n, ndig, 0)
    pos += 1
    if ndig > 1:
        out[pos] = 46
        pos += 1
        for k in range(1, ndig):
            out[pos] = _digit(n, ndig, k)
            pos += 1
    out[pos] = 101  # 'e'
    out[pos + 1] = 45 if e < 0 else 43
    pos += 2
    a = -e if e < 0 else e
    if a >= 100:
        out[pos] = 48 + a // 100
        pos += 1
    out[pos] = 48 + (a // 10) % 10
    out[pos + 1] = 48 + a % 10
    return pos + 2


@njit(cache=True)
def format_weight_records(values, records, lengths):
    """``records[k, :lengths[k]]`` = ``format_g6(values[k])``; a length of 0
    marks a value the caller must format. Returns how many were marked."""
    undecided = 0
    for k in range(values.shape[0]):
        end = format_g6(np.float64(values[k]), records[k], 0)
        if end < 0:
            lengths[k] = 0
            undecided += 1
        else:
            lengths[k] = end
    return undecided


# -- printing --------------------------------------------------------------------
@njit(cache=True)
def _put_int(out, pos, v):
    if v == 0:
        out[pos] = 48
        return pos + 1
    if v < 0:
        out[pos] = 45
        pos += 1
        v = -v
    n = 0
    t = v
    while t > 0:
        n += 1
        t //= 10
    for k in range(n - 1, -1, -1):
        out[pos + k] = 48 + v % 10
        v //= 10
    return pos + n


@njit(cache=True)
def _put_label(out, pos, value, texts, offsets):
    """An integer label, or (when ``offsets`` is non-empty) the text of
    entry ``value`` of the label table."""
    if offsets.shape[0] == 0:
        return _put_int(out, pos, value)
    lo = offsets[value]
    hi = offsets[value + 1]
    for k in range(hi - lo):
        out[pos + k] = texts[lo + k]
    return pos + hi - lo


@njit(cache=True)
def _put_record(out, pos, records, lengths, k):
    for j in range(lengths[k]):
        out[pos + j] = records[k, j]
    return pos + lengths[k]


@njit(cache=True)
def print_lines(indptr, nextstate, ilabel, olabel, weight_omitted, weight_records,
                weight_lengths, final_kind, final_records, final_lengths, start,
                two_labels, itexts, ioffsets, otexts, ooffsets, out):
    """fstprint's lines into ``out`` (large enough): the start state's, then
    the other states in order; per state its arcs, then its final line.

    ``weight_omitted[a]``: arc ``a`` prints no weight column. ``final_kind[s]``:
    0 no final line, 1 ``s`` alone, 2 ``s`` and its weight. Labels are
    integers, or indexes into ``texts``/``offsets`` when those are non-empty
    (``olabel`` only when ``two_labels``). Returns the number of bytes."""
    pos = 0
    n = indptr.shape[0] - 1
    for r in range(n):
        if r == 0:
            s = start
        elif r <= start:
            s = r - 1
        else:
            s = r
        for a in range(indptr[s], indptr[s + 1]):
            pos = _put_int(out, pos, s)
            out[pos] = _TAB
            pos = _put_int(out, pos + 1, nextstate[a])
            out[pos] = _TAB
            pos = _put_label(out, pos + 1, ilabel[a], itexts, ioffsets)
            if two_labels:
                out[pos] = _TAB
                pos = _put_label(out, pos + 1, olabel[a], otexts, ooffsets)
            if not weight_omitted[a]:
                out[pos] = _TAB
                pos = _put_record(out, pos + 1, weight_records, weight_lengths, a)
            out[pos] = _NL
            pos += 1
        kind = final_kind[s]
        if kind != 0:
            pos = _put_int(out, pos, s)
            if kind == 2:
                out[pos] = _TAB
                pos = _put_record(out, pos + 1, final_records, final_lengths, s)
            out[pos] = _NL
            pos += 1
    return pos


# -- parsing ---------------------------------------------------------------------
WEIGHT_PARSED = 0
WEIGHT_DEFERRED = 1        # the caller parses this token with float()
MAX_INT_DIGITS = 18        # below 2**63 whatever the digits


@njit(cache=True)
def _parse_int(data, lo, hi):
    """``[+-]?[0-9]+`` as an int64, or -1 when the token is anything else,
    negative, or too long (the line parser then reports it)."""
    negative = False
    if data[lo] == 43 or data[lo] == 45:
        negative = data[lo] == 45
        lo += 1
    if lo >= hi or hi - lo > MAX_INT_DIGITS:
        return -1
    v = np.int64(0)
    for k in range(lo, hi):
        c = data[k]
        if c < 48 or c > 57:
            return -1
        v = v * 10 + (c - 48)
    if negative and v != 0:
        return -1
    return v


@njit(cache=True)
def _lower(c):
    return c + 32 if 65 <= c <= 90 else c


@njit(cache=True)
def _is_infinity(data, lo, hi):
    """``inf`` or ``infinity`` in any case."""
    n = hi - lo
    if n != 3 and n != 8:
        return False
    word = "infinity"
    for k in range(n):
        if _lower(data[lo + k]) != ord(word[k]):
            return False
    return True


@njit(cache=True)
def _parse_float(data, lo, hi):
    """``(value, status)``: the token's double when it is on the exact fast
    path (see the module docstring), else status WEIGHT_DEFERRED."""
    sign = 1.0
    if data[lo] == 43 or data[lo] == 45:
        if data[lo] == 45:
            sign = -1.0
        lo += 1
    if lo >= hi:
        return 0.0, WEIGHT_DEFERRED
    if _is_infinity(data, lo, hi):
        return sign * np.inf, WEIGHT_PARSED
    mantissa = np.int64(0)
    significant = 0        # digits in mantissa, leading zeros excluded
    digits = 0             # all mantissa digits seen
    exp10 = 0
    k = lo
    seen_point = False
    while k < hi:
        c = data[k]
        if 48 <= c <= 57:
            digits += 1
            if mantissa != 0 or c != 48:
                significant += 1
                if significant > 15:
                    return 0.0, WEIGHT_DEFERRED
                mantissa = mantissa * 10 + (c - 48)
            if seen_point:
                exp10 -= 1
        elif c == 46 and not seen_point:
            seen_point = True
        else:
            break
        k += 1
    if digits == 0:
        return 0.0, WEIGHT_DEFERRED
    if k < hi:
        if data[k] != 101 and data[k] != 69:  # 'e' / 'E'
            return 0.0, WEIGHT_DEFERRED
        k += 1
        exp_negative = False
        if k < hi and (data[k] == 43 or data[k] == 45):
            exp_negative = data[k] == 45
            k += 1
        if k >= hi or hi - k > 4:
            return 0.0, WEIGHT_DEFERRED
        e = 0
        while k < hi:
            c = data[k]
            if c < 48 or c > 57:
                return 0.0, WEIGHT_DEFERRED
            e = e * 10 + (c - 48)
            k += 1
        exp10 += -e if exp_negative else e
    if mantissa == 0:
        return sign * 0.0, WEIGHT_PARSED
    if exp10 < -22 or exp10 > 22:
        return 0.0, WEIGHT_DEFERRED
    m = np.float64(mantissa)  # exact: below 10**15
    if exp10 >= 0:
        return sign * (m * POW10[exp10]), WEIGHT_PARSED
    return sign * (m / POW10[-exp10]), WEIGHT_PARSED


@njit(cache=True)
def scan_numeric_text(data, acceptor, symbol_labels, state_limit, max_label, one,
                      src, dst, ilabel, olabel, weight, weight_status,
                      final_state, final_weight, final_status, token_bounds):
    """Parses every line of OpenFst text (``data``: UTF-8 bytes).

    Arc lines fill ``src``/``dst``/``ilabel``/``olabel``/``weight``, final
    lines ``final_state``/``final_weight`` (each array has room for one entry
    per line). ``token_bounds`` (one row per line) receives byte ranges for
    the caller: a weight token off the fast path gets status WEIGHT_DEFERRED
    and its range in columns 2-3 (arcs) or 4-5 (finals). With
    ``symbol_labels`` the label columns are not parsed: ``ilabel``/``olabel``
    hold where each label token starts and columns 0-1 where it ends.

    Returns ``(status, num_arcs, num_finals, start, max_state)``; status FAIL
    means some line needs the line parser (bad column count, a state or
    label that is not a non-negative integer, a limit exceeded).
    """
    n = data.shape[0]
    starts = np.empty(6, np.int64)
    ends = np.empty(6, np.int64)
    lo_cols = 3 if acceptor else 4
    narcs = 0
    nfinals = 0
    start = -1
    max_state = -1
    pos = 0
    while pos <= n:
        # tokens of one line
        ntok = 0
        while pos < n and data[pos] != _NL:
            c = data[pos]
            if c == _SPACE or c == _TAB or c == _CR:
                pos += 1
                continue
            if ntok == 6:
                return FAIL, narcs, nfinals, start, max_state
            starts[ntok] = pos
            while pos < n:
                c = data[pos]
                if c == _SPACE or c == _TAB or c == _CR or c == _NL:
                    break
                pos += 1
            ends[ntok] = pos
            ntok += 1
        pos += 1  # past the newline (or the end)
        if ntok == 0:
            continue
        if ntok == lo_cols or ntok == lo_cols + 1:
            s = _parse_int(data, starts[0], ends[0])
            d = _parse_int(data, starts[1], ends[1])
            if s < 0 or d < 0 or s >= state_limit or d >= state_limit:
                return FAIL, narcs, nfinals, start, max_state
            if symbol_labels:
                i = starts[2]
                o = starts[2] if acceptor else starts[3]
                token_bounds[narcs, 0] = ends[2]
                token_bounds[narcs, 1] = ends[2] if acceptor else ends[3]
            else:
                i = _parse_int(data, starts[2], ends[2])
                o = i if acceptor else _parse_int(data, starts[3], ends[3])
                if i < 0 or o < 0 or i > max_label or o > max_label:
                    return FAIL, narcs, nfinals, start, max_state
            src[narcs] = s
            dst[narcs] = d
            ilabel[narcs] = i
            olabel[narcs] = o
            if ntok == lo_cols:
                weight[narcs] = one
                weight_status[narcs] = WEIGHT_PARSED
            else:
                w, status = _parse_float(data, starts[ntok - 1], ends[ntok - 1])
                weight[narcs] = w
                weight_status[narcs] = status
                if status != WEIGHT_PARSED:
                    token_bounds[narcs, 2] = starts[ntok - 1]
                    token_bounds[narcs, 3] = ends[ntok - 1]
            narcs += 1
            if start < 0:
                start = s
            max_state = max(max_state, s, d)
        elif ntok <= 2:
            s = _parse_int(data, starts[0], ends[0])
            if s < 0 or s >= state_limit:
                return FAIL, narcs, nfinals, start, max_state
            final_state[nfinals] = s
            if ntok == 1:
                final_weight[nfinals] = one
                final_status[nfinals] = WEIGHT_PARSED
            else:
                w, status = _parse_float(data, starts[1], ends[1])
                final_weight[nfinals] = w
                final_status[nfinals] = status
                if status != WEIGHT_PARSED:
                    # final lines keep their deferred token in columns 4-5
                    token_bounds[nfinals, 4] = starts[1]
                    token_bounds[nfinals, 5] = ends[1]
            nfinals += 1
            if start < 0:
                start = s
            max_state = max(max_state, s)
        else:
            return FAIL, narcs, nfinals, start, max_state
    return OK, narcs, nfinals, start, max_state
