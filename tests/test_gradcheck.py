"""Tests of lstm_course.gradcheck: it agrees with known gradients and catches wrong ones."""
import numpy as np
import pytest

from lstm_course.gradcheck import GradcheckError, check_gradients, numerical_gradient, relative_error


def _quadratic(seed=0):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(4, 3))
    W = rng.normal(size=(3, 5))
    R = rng.normal(size=(4, 5))
    f = lambda: float(np.sum(np.tanh(A @ W) * R))
    dZ = (1 - np.tanh(A @ W) ** 2) * R  # (4, 5)
    return A, W, f, {"A": dZ @ W.T, "W": A.T @ dZ}


def test_numerical_gradient_matches_analytic():
    A, W, f, grads = _quadratic()
    assert relative_error(grads["W"], numerical_gradient(f, W)) < 1e-7
    errors = check_gradients(f, {"A": A, "W": W}, grads)
    assert set(errors) == {"A", "W"} and max(errors.values()) < 1e-7


def test_arrays_are_restored_after_perturbation():
    A, W, f, _ = _quadratic()
    W0 = W.copy()
    numerical_gradient(f, W)
    np.testing.assert_array_equal(W, W0)


@pytest.mark.parametrize("mistake", ["scaled", "transposed-ish", "one entry"])
def test_a_wrong_gradient_is_caught(mistake):
    A, W, f, grads = _quadratic()
    bad = dict(grads)
    if mistake == "scaled":
        bad["W"] = grads["W"] * 1.01
    elif mistake == "transposed-ish":
        bad["A"] = grads["A"][::-1]
    else:
        bad["W"] = grads["W"].copy()
        bad["W"][1, 2] += 1e-4
    with pytest.raises(GradcheckError, match="relative error above"):
        check_gradients(f, {"A": A, "W": W}, bad)


def test_relative_error_basics():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error([1.0], [1.0]) == 0.0
    assert relative_error([1.0], [-1.0]) == 1.0
    with pytest.raises(ValueError, match="equal shapes"):
        relative_error(np.zeros(2), np.zeros(3))


def test_bad_arguments():
    a32 = np.zeros(3, dtype=np.float32)
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(lambda: 0.0, a32)
    with pytest.raises(ValueError, match="missing"):
        check_gradients(lambda: 0.0, {"a": np.zeros(2)}, {})
    with pytest.raises(ValueError, match="expected shape"):
        check_gradients(lambda: 0.0, {"a": np.zeros(2)}, {"a": np.zeros(3)})
