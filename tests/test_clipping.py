"""Clipping by global norm and by value agrees with torch.nn.utils."""
import numpy as np
import pytest

from lstm_course import clipping, lstm


def _grads(rng, scale):
    return [scale * rng.standard_normal(s) for s in ((8, 3), (8, 2), (8,), (8,))]


@pytest.mark.parametrize("scale, max_norm", [(10.0, 1.0), (0.01, 1.0), (3.0, 0.5), (1e8, 5.0)])
def test_clip_by_global_norm_matches_torch(scale, max_norm):
    torch = pytest.importorskip("torch")
    grads = _grads(np.random.default_rng(0), scale)
    clipped, norm = clipping.clip_by_global_norm(grads, max_norm)
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for t, g in zip(params, grads):
        t.grad = torch.from_numpy(g.copy())
    total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    assert norm == pytest.approx(float(total), rel=1e-12)
    for c, t in zip(clipped, params):
        np.testing.assert_allclose(c, t.grad.numpy(), rtol=1e-12, atol=0)


def test_clip_by_value_matches_torch():
    torch = pytest.importorskip("torch")
    grads = _grads(np.random.default_rng(1), 2.0)
    clipped = clipping.clip_by_value(grads, 0.7)
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for t, g in zip(params, grads):
        t.grad = torch.from_numpy(g.copy())
    torch.nn.utils.clip_grad_value_(params, 0.7)
    for c, t in zip(clipped, params):
        np.testing.assert_array_equal(c, t.grad.numpy())


def test_global_norm_keeps_direction_and_caps_length():
    grads = _grads(np.random.default_rng(2), 100.0)
    clipped, norm = clipping.clip_by_global_norm(grads, 2.0)
    assert norm == pytest.approx(np.sqrt(sum((g ** 2).sum() for g in grads)))
    assert clipping.global_norm(clipped) == pytest.approx(2.0, rel=1e-6)
    flat = np.concatenate([g.ravel() for g in grads])
    flat_c = np.concatenate([c.ravel() for c in clipped])
    assert flat_c @ flat / (np.linalg.norm(flat_c) * np.linalg.norm(flat)) == pytest.approx(1.0, abs=1e-12)


def test_small_gradients_are_returned_unchanged_as_copies():
    grads = [np.array([0.3, -0.4])]
    clipped, norm = clipping.clip_by_global_norm(grads, 1.0)
    assert norm == pytest.approx(0.5)
    np.testing.assert_array_equal(clipped[0], grads[0])
    assert clipped[0] is not grads[0]


def test_containers_and_dtypes_are_kept():
    p = lstm.init_params(2, 3, np.random.default_rng(0), dtype=np.float32)
    clipped, _ = clipping.clip_by_global_norm(p, 0.1)
    assert isinstance(clipped, lstm.LSTMParams) and clipped.W_ih.dtype == np.float32
    d, _ = clipping.clip_by_global_norm({"a": np.ones(4), "b": np.ones(2)}, 1.0)
    assert set(d) == {"a", "b"}
    t = clipping.clip_by_value((np.ones(2), np.ones(3)), 0.5)
    assert isinstance(t, tuple) and np.all(t[1] == 0.5)
    ints, _ = clipping.clip_by_global_norm([np.array([3, 4])], 1.0)
    np.testing.assert_allclose(ints[0], [0.6, 0.8], rtol=1e-5)


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-1.0, ValueError), (float("nan"), ValueError),
                                        (float("inf"), ValueError), (True, TypeError), ("1", TypeError)])
def test_bad_thresholds_are_rejected(bad, error):
    with pytest.raises(error, match="max_norm"):
        clipping.clip_by_global_norm([np.ones(2)], bad)
    with pytest.raises(error, match="clip_value"):
        clipping.clip_by_value([np.ones(2)], bad)


def test_bad_containers_are_rejected():
    with pytest.raises(TypeError, match="grads"):
        clipping.clip_by_global_norm(np.ones(3), 1.0)
    with pytest.raises(ValueError, match="grads"):
        clipping.clip_by_global_norm([], 1.0)
    with pytest.raises(TypeError, match=r"grads\[1\]"):
        clipping.global_norm([np.ones(2), np.array(["a"])])
