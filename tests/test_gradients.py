"""Tests for lstm_course.gradients: the gradient-vs-distance curves."""
import numpy as np
import pytest
import torch

from lstm_course import gradients as G
from lstm_course import lstm, rnn


def _torch_hidden_grads(cell, p, x, g):
    """||dL/dh_{T-k}|| by autograd: re-run the step function on leaf copies of every state."""
    T = x.shape[1]
    t = lambda a: torch.tensor(a, dtype=torch.float64)
    W_ih, W_hh, b_ih, b_hh = (t(a) for a in (p.W_ih, p.W_hh, p.b_ih, p.b_hh))
    xs = t(x)
    B, H = g.shape
    h = torch.zeros(B, H, dtype=torch.float64, requires_grad=True)
    c = torch.zeros(B, H, dtype=torch.float64)
    hs = [h]
    for s in range(T):
        if cell == "rnn":
            h = torch.tanh(xs[:, s] @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
        else:
            z = xs[:, s] @ W_ih.T + b_ih + h @ W_hh.T + b_hh
            i, f, gg, o = z.chunk(4, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(gg)
            h = torch.sigmoid(o) * torch.tanh(c)
        h.retain_grad()
        hs.append(h)
    (h * t(g)).sum().backward()
    return np.array([hs[T - k].grad.norm().item() for k in range(T + 1)])


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_norms_match_torch_autograd(cell):
    rng = np.random.default_rng(0)
    D, H, B, T = 3, 5, 2, 7
    p = rnn.init_params(D, H, rng) if cell == "rnn" else lstm.init_params(D, H, rng, forget_bias=1.0)
    if cell == "rnn":
        p = G.scale_spectral_radius(p, 1.3)
    x = rng.normal(size=(B, T, D))
    g = rng.normal(size=(B, H))
    ours = G.hidden_grad_norms(cell, p, x, g)
    want = _torch_hidden_grads(cell, p, x, g)
    np.testing.assert_allclose(ours, want, rtol=1e-10, atol=1e-14)
    ratios = G.hidden_grad_ratios(cell, p, x, ks=[0, 3, 7], dL_dhT=g)
    np.testing.assert_allclose(ratios, want[[0, 3, 7]] / want[0], rtol=1e-10)


def test_linear_regime_follows_radius_power():
    # With zero input and zero biases the state stays 0, tanh' = 1, and each step back
    # multiplies by W_hh^T: a symmetric W_hh with radius rho scales its top eigenvector by rho.
    rng = np.random.default_rng(1)
    H = 6
    A = rng.normal(size=(H, H))
    W = (A + A.T) / 2
    p = rnn.RNNParams(np.zeros((H, 1)), W, np.zeros(H), np.zeros(H))
    p = G.scale_spectral_radius(p, 1.2)
    evals, evecs = np.linalg.eigh(p.W_hh)
    top = evecs[:, np.argmax(np.abs(evals))]
    r = G.hidden_grad_ratios("rnn", p, np.zeros((1, 10, 1)), dL_dhT=top[None, :])
    np.testing.assert_allclose(r, 1.2 ** np.arange(11), rtol=1e-10)


def test_article_orders_of_magnitude():
    # CONTENT.md section 4 (H=128, T=200, PyTorch's default init): at k=100 the ratio is
    # ~1e-23 for a tanh RNN, ~1e-20 for an LSTM, ~1e-7 with forget bias 1, ~1e-1 with 3.
    H, T, B, D = 128, 200, 4, 1
    logs = {}
    for name, fb in [("rnn", None), ("lstm", 0.0), ("lstm1", 1.0), ("lstm3", 3.0)]:
        vals = []
        for seed in range(2):
            rng = np.random.default_rng(seed)
            p = rnn.init_params(D, H, rng) if fb is None else lstm.init_params(D, H, rng, forget_bias=fb)
            x = rng.standard_normal((B, T, D))
            vals.append(G.hidden_grad_ratios("rnn" if fb is None else "lstm", p, x, ks=[100], rng=rng)[0])
        logs[name] = np.mean(np.log10(vals))
    expected = {"rnn": -23.5, "lstm": -20.0, "lstm1": -7.2, "lstm3": -1.0}
    for name, want in expected.items():
        assert abs(logs[name] - want) < 2.0, (name, logs[name])
    assert logs["rnn"] < logs["lstm"] < logs["lstm1"] < logs["lstm3"]


def test_scale_spectral_radius_only_changes_W_hh():
    p = rnn.init_params(2, 8, np.random.default_rng(0))
    q = G.scale_spectral_radius(p, 0.5)
    assert G.spectral_radius(q.W_hh) == pytest.approx(0.5)
    assert q.W_ih is p.W_ih and q.b_hh is p.b_hh
    assert q.nonlinearity == p.nonlinearity


def test_errors_are_clear():
    rng = np.random.default_rng(0)
    p = rnn.init_params(2, 4, rng)
    x = rng.normal(size=(1, 5, 2))
    with pytest.raises(TypeError, match="lstm.LSTMParams"):
        G.hidden_grad_ratios("lstm", p, x, rng=rng)
    with pytest.raises(ValueError, match="ks"):
        G.hidden_grad_ratios("rnn", p, x, ks=[6], rng=rng)
    with pytest.raises(TypeError, match="rng"):
        G.hidden_grad_ratios("rnn", p, x)
    with pytest.raises(ValueError, match="radius"):
        G.scale_spectral_radius(p, -1.0)
    with pytest.raises(ValueError, match="square"):
        G.spectral_radius(np.zeros((2, 3)))
