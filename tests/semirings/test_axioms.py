"""Semiring axioms, checked with hypothesis on every semiring and both dtypes,
and the Python-level operations checked against the numba kernel helpers."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numba import njit

from kleene import FstArgError, get_semiring
from kleene.kernels import semiring as ks
from kleene.semirings import ALL_SEMIRINGS

SEMIRINGS = list(ALL_SEMIRINGS)


def values(sr):
    if sr.name in ("tropical", "log"):
        return st.one_of(st.just(float("inf")),
                         st.floats(-20, 20, allow_nan=False, width=32))
    if sr.name == "real":
        return st.floats(0, 8, allow_nan=False, width=32)
    return st.sampled_from([0.0, 1.0])


def close(sr, a, b):
    # log/real arithmetic rounds; tolerance scales with the magnitude
    a, b = float(a), float(b)
    if a == b:
        return True
    tol = 1e-3 if sr.bits == 32 else 1e-9
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


@pytest.mark.parametrize("sr", SEMIRINGS, ids=str)
@given(data=st.data())
def test_axioms(sr, data):
    a, b, c = (data.draw(values(sr)) for _ in range(3))
    P, T = sr.plus, sr.times
    zero, one = sr.zero_value(), sr.one_value()
    assert close(sr, P(P(a, b), c), P(a, P(b, c)))          # ⊕ associative
    assert close(sr, P(a, b), P(b, a))                        # ⊕ commutative
    assert close(sr, T(T(a, b), c), T(a, T(b, c)))          # ⊗ associative
    assert close(sr, T(a, b), T(b, a))                        # commutative semiring
    assert close(sr, P(a, zero), a) and close(sr, P(zero, a), a)
    assert close(sr, T(a, one), a) and close(sr, T(one, a), a)
    assert close(sr, T(a, zero), zero) and close(sr, T(zero, a), zero)  # annihilation
    assert close(sr, T(a, P(b, c)), P(T(a, b), T(a, c)))   # left distributive
    assert close(sr, T(P(a, b), c), P(T(a, c), T(b, c)))   # right distributive
    if sr.idempotent:
        assert close(sr, P(a, a), a)
    if sr.path:
        s = P(a, b)
        assert s == sr.dtype(a) or s == sr.dtype(b)


@pytest.mark.parametrize("sr", SEMIRINGS, ids=str)
@given(data=st.data())
def test_divide_inverts_times(sr, data):
    a, b = data.draw(values(sr)), data.draw(values(sr))
    if sr.is_zero(b):
        with pytest.raises(FstArgError):
            sr.divide(a, b)
        return
    if sr.name == "boolean" and b != 1.0:
        return
    assert close(sr, sr.divide(sr.times(a, b), b), a)


@njit
def _kernel_ops(code, a, b):
    return (ks.plus(code, a, b), ks.times(code, a, b), ks.zero(code), ks.one(code))


@pytest.mark.parametrize("sr", SEMIRINGS, ids=str)
@given(data=st.data())
def test_kernel_helpers_agree_with_python(sr, data):
    a, b = data.draw(values(sr)), data.draw(values(sr))
    kp, kt, kz, ko = _kernel_ops(sr.code, sr.dtype(a), sr.dtype(b))
    assert close(sr, kp, sr.plus(a, b))
    assert close(sr, kt, sr.times(a, b))
    assert kz == sr.zero and ko == sr.one


def test_lookup_and_properties():
    assert get_semiring("standard") is get_semiring("tropical")
    assert get_semiring("log", np.float64).arc_type == "log64"
    assert get_semiring("tropical").idempotent and get_semiring("tropical").path
    assert not get_semiring("log").idempotent
    assert get_semiring("boolean").path
    with pytest.raises(FstArgError):
        get_semiring("nonsense")
    with pytest.raises(FstArgError):
        get_semiring("log", np.int32)


def test_approx_equal_delta():
    sr = get_semiring("tropical")
    assert sr.approx_equal(1.0, 1.0 + 1 / 2048)
    assert not sr.approx_equal(1.0, 1.01)
    assert sr.approx_equal(1.0, 1.01, delta=0.1)
    assert sr.approx_equal(float("inf"), float("inf"))
    assert not sr.approx_equal(float("inf"), 1e30)


def test_log_plus_is_negated_logsumexp():
    sr = get_semiring("log64")
    a, b = 1.3, 2.7
    assert abs(sr.plus(a, b) - (-np.logaddexp(-a, -b))) < 1e-12
    assert sr.plus(np.inf, 2.0) == 2.0


def test_coerce_rejects_nan_and_junk():
    sr = get_semiring("tropical")
    with pytest.raises(FstArgError):
        sr.coerce(float("nan"))
    with pytest.raises(FstArgError):
        sr.coerce("heavy")
    assert sr.coerce(None) == 0.0
