"""Tests of lstm_course.activations: stability, dtype, derivatives."""
import warnings

import numpy as np
import pytest

from lstm_course import activations as A
from lstm_course.gradcheck import relative_error

FUNCS = [A.sigmoid, A.sigmoid_grad, A.tanh, A.tanh_grad, A.relu, A.relu_grad]


@pytest.mark.parametrize("fn", FUNCS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_no_warnings_at_large_inputs_and_dtype_kept(fn, dtype):
    z = np.array([-1e4, -100.0, -1.0, 0.0, 1.0, 100.0, 1e4], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # numpy's default error state warns on overflow, invalid and divide (underflow
        # to 0 is silent and harmless); the filter above turns any such warning into an error.
        out = fn(z)
    assert out.dtype == dtype and out.shape == z.shape
    assert np.isfinite(out).all()


def test_saturated_values():
    s = A.sigmoid(np.array([-1e4, 0.0, 1e4]))
    np.testing.assert_array_equal(s, [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(A.tanh(np.array([-1e4, 1e4])), [-1.0, 1.0])
    np.testing.assert_array_equal(A.sigmoid_grad(np.array([-1e4, 1e4])), [0.0, 0.0])


def test_sigmoid_matches_the_formula_where_the_formula_is_safe():
    z = np.linspace(-30, 30, 101)
    np.testing.assert_allclose(A.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-15, atol=0)


@pytest.mark.parametrize("fn,grad", [(A.sigmoid, A.sigmoid_grad), (A.tanh, A.tanh_grad), (A.relu, A.relu_grad)],
                         ids=["sigmoid", "tanh", "relu"])
def test_derivative_matches_finite_differences(fn, grad):
    z = np.random.default_rng(0).uniform(-4, 4, size=40)
    z = z[np.abs(z) > 1e-3]  # keep relu away from its kink
    eps = 1e-5
    num = (fn(z + eps) - fn(z - eps)) / (2 * eps)  # central differences, elementwise
    assert relative_error(grad(z), num) < 1e-8


def test_from_output_forms_agree():
    z = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(A.sigmoid_grad_from_output(A.sigmoid(z)), A.sigmoid_grad(z))
    np.testing.assert_allclose(A.tanh_grad_from_output(np.tanh(z)), 1 - np.tanh(z) ** 2)


def test_relu_grad_is_zero_at_zero():
    np.testing.assert_array_equal(A.relu_grad(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 1.0])


def test_string_input_is_refused():
    with pytest.raises(TypeError, match="z: expected a float array"):
        A.sigmoid(np.array(["a", "b"]))
