"""The reversal task, the encoder-decoder models with and without attention, and their training."""
import numpy as np
import pytest
import torch

from lstm_course import attention as A


def test_reversal_task_targets_are_reversed_inputs():
    b = A.reversal_task(5, 7, np.random.default_rng(0), n_symbols=4)
    assert b.x.shape == b.y.shape == (5, 7)
    assert np.array_equal(b.y, b.x[:, ::-1])
    assert b.x.min() >= 0 and b.x.max() < 4
    again = A.reversal_task(5, 7, np.random.default_rng(0), n_symbols=4)
    assert np.array_equal(b.x, again.x)


@pytest.mark.parametrize("kwargs,match", [
    ({"batch": 0}, "batch"), ({"T": 0}, "T"), ({"n_symbols": 1}, "n_symbols"),
])
def test_reversal_task_rejects_bad_arguments(kwargs, match):
    args = {"batch": 2, "T": 3, "rng": np.random.default_rng(0), "n_symbols": 8} | kwargs
    with pytest.raises(ValueError, match=match):
        A.reversal_task(**args)


def test_dot_attention_matches_its_equations():
    g = torch.Generator().manual_seed(0)
    q, s = torch.randn(2, 4, generator=g), torch.randn(2, 5, 4, generator=g)
    w, c = A.dot_attention(q, s)
    scores = (s * q[:, None, :]).sum(-1)                      # (B, T)
    want_w = torch.exp(scores) / torch.exp(scores).sum(1, keepdim=True)
    assert torch.allclose(w, want_w, atol=1e-6)
    assert torch.allclose(w.sum(1), torch.ones(2))
    assert torch.allclose(c, (want_w[:, :, None] * s).sum(1), atol=1e-6)


def test_model_attention_agrees_with_dot_attention():
    m = A.EncoderDecoder(5, 6, hidden_size=8, attention=True, seed=0)
    x = torch.from_numpy(A.reversal_task(3, 6, np.random.default_rng(1), 5).x)
    with torch.no_grad():
        out, w = m(x, return_attention=True)
        enc, (h, c) = m.encoder(m.embed(x))
        steps = m.step_embed.weight.unsqueeze(0).expand(3, -1, -1)
        dec, _ = m.decoder(steps, (h, c))
        for t in range(6):
            w_t, _ = A.dot_attention(m.query(dec[:, t]), enc)
            assert torch.allclose(w[:, t], w_t, atol=1e-6)
    assert out.shape == (3, 6, 5) and w.shape == (3, 6, 6)
    assert torch.allclose(w.sum(-1), torch.ones(3, 6), atol=1e-6)


def test_models_are_reproducible_and_shapes_checked():
    a = A.EncoderDecoder(4, 5, hidden_size=6, attention=False, seed=3)
    b = A.EncoderDecoder(4, 5, hidden_size=6, attention=False, seed=3)
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
    with pytest.raises(ValueError, match="T=5"):
        a(torch.zeros(2, 4, dtype=torch.long))
    with pytest.raises(ValueError, match="no attention"):
        a(torch.zeros(2, 5, dtype=torch.long), return_attention=True)
    with pytest.raises(ValueError, match="attention=True"):
        A.attention_map(a, np.zeros(5))


def test_attention_maps_of_a_batch_are_the_single_maps():
    m = A.EncoderDecoder(5, 6, hidden_size=8, attention=True, seed=0)
    x = A.reversal_task(3, 6, np.random.default_rng(2), 5).x
    maps = A.attention_maps(m, x)
    assert maps.shape == (3, 6, 6) and np.allclose(maps.sum(-1), 1)
    for b in range(3):
        assert np.allclose(maps[b], A.attention_map(m, x[b]), atol=1e-6)
    assert m.training                                         # the caller's mode is kept
    with pytest.raises(ValueError, match="x"):
        A.attention_maps(m, x[0])


def test_fit_is_deterministic_and_attention_learns_reversal():
    """A short run: attention reverses T=8 almost perfectly; the same budget leaves the
    plain model behind (the chapter measures the same at T=16)."""
    def run(att):
        m = A.EncoderDecoder(8, 8, hidden_size=24, attention=att, seed=0)
        return m, A.fit(m, 120, batch=32, lr=1e-2, seed=0, eval_every=40, eval_size=256)

    m_att, h_att = run(True)
    _, h_att2 = run(True)
    m_plain, h_plain = run(False)
    assert h_att == h_att2                                    # bit-reproducible
    assert h_att.step == [0, 40, 80, 120] and len(h_att.train_loss) == 120
    assert h_att.final_accuracy > 0.95
    assert h_att.final_accuracy > h_plain.final_accuracy + 0.05
    test = A.reversal_task(200, 8, np.random.default_rng(9))
    per_step = A.evaluate(m_att, test)
    assert per_step.shape == (8,) and np.isclose(per_step.mean(), h_att.final_accuracy, atol=0.05)
    assert 0.0 <= A.sequence_accuracy(m_plain, test) <= A.sequence_accuracy(m_att, test)
    w = A.attention_map(m_att, test.x[0])
    assert w.shape == (8, 8) and np.allclose(w.sum(1), 1)
    assert np.array_equal(w.argmax(1), np.arange(8)[::-1])  # the anti-diagonal


def test_figures():
    w = np.eye(4)[::-1]
    fig = A.attention_map_plot(w, x=[1, 2, 3, 0])
    assert len(fig.axes) == 2                                 # map and colour bar
    fig = A.position_accuracy_plot({"a": [1, 0.5, 0.4], "b": [1, 1, 1]}, chance=0.125)
    assert len(fig.axes[0].lines) == 3                        # two models and chance
    seeds = np.array([[1.0, 0.5, 0.2], [1.0, 0.7, 0.4]])   # (S, T): mean line, min-max band
    fig = A.position_accuracy_plot({"plain": seeds})
    ax = fig.axes[0]
    assert np.allclose(ax.lines[0].get_ydata(), [1.0, 0.6, 0.3])
    assert len(ax.collections) == 1                           # the band
    with pytest.raises(ValueError, match="curves"):
        A.position_accuracy_plot({"bad": np.ones((2, 2, 2))})
    with pytest.raises(ValueError, match="weights"):
        A.attention_map_plot(np.ones(3))
    with pytest.raises(ValueError, match="x"):
        A.attention_map_plot(w, x=[1, 2])


@pytest.mark.parametrize("call, match", [
    (lambda: A.reversal_task(2, 3, 0), "rng"),
    (lambda: A.reversal_task(2.0, 3, np.random.default_rng(0)), "batch"),
    (lambda: A.fit(torch.nn.Linear(2, 2), 1), "model: expected an EncoderDecoder"),
    (lambda: A.fit(A.EncoderDecoder(4, 3, hidden_size=4, seed=0), 1, lr="1e-2"), "lr"),
    (lambda: A.attention_maps(torch.nn.Linear(2, 2), [[0, 1, 2]]), "model"),
])
def test_wrong_types_raise_type_error(call, match):
    with pytest.raises(TypeError, match=match):
        call()
