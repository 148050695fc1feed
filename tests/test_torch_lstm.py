"""lstm_course.torch_lstm equals torch.nn.LSTM in float64, option by option and combined."""
import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstm_course import lstm, torch_lstm

B, T, D, H = 3, 5, 4, 6


def _module(seed=0, **kw):
    torch.manual_seed(seed)
    return torch.nn.LSTM(D, H, **kw).double()


def _torch(m, x, state=None, lengths=None):
    """torch's output, (h_n, c_n) as numpy; with lengths, through pack/pad."""
    xt = torch.from_numpy(x)
    st = None if state is None else tuple(torch.from_numpy(s) for s in state)
    with torch.no_grad():
        if lengths is None:
            out, (h, c) = m(xt, st)
        else:
            packed = pack_padded_sequence(xt, torch.as_tensor(lengths), batch_first=m.batch_first,
                                          enforce_sorted=False)
            out, (h, c) = m(packed, st)
            out, _ = pad_packed_sequence(out, batch_first=m.batch_first, total_length=x.shape[1 if m.batch_first else 0])
    return out.numpy(), (h.numpy(), c.numpy())


def _close(a, b):
    return np.max(np.abs(np.asarray(a) - np.asarray(b))) < 1e-12


CONFIGS = [
    dict(),
    dict(num_layers=3),
    dict(bidirectional=True),
    dict(proj_size=2),
    dict(num_layers=2, bidirectional=True, proj_size=3),
]


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("kw", CONFIGS, ids=str)
def test_forward_equals_torch(kw, batch_first):
    m = _module(**kw, batch_first=batch_first)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((B, T, D) if batch_first else (T, B, D))
    dirs, L, H_out = 1 + m.bidirectional, m.num_layers, m.proj_size or H
    state = (rng.standard_normal((L * dirs, B, H_out)), rng.standard_normal((L * dirs, B, H)))
    params = torch_lstm.from_torch(m)
    for st in (None, state):
        want = _torch(m, x, st)
        got = torch_lstm.forward(x, params, st, batch_first=batch_first)
        assert got[0].shape == want[0].shape and got[1][0].shape == want[1][0].shape
        assert got[1][1].shape == want[1][1].shape
        assert _close(got[0], want[0]) and _close(got[1][0], want[1][0]) and _close(got[1][1], want[1][1])


@pytest.mark.parametrize("kw", CONFIGS, ids=str)
def test_packed_sequences_equal_torch(kw):
    m = _module(**kw, batch_first=True)
    x = np.random.default_rng(2).standard_normal((B, T, D))
    lengths = [2, 5, 3]  # unsorted: enforce_sorted=False
    want = _torch(m, x, lengths=lengths)
    got = torch_lstm.forward(x, torch_lstm.from_torch(m), batch_first=True, lengths=lengths)
    assert _close(got[0], want[0]) and _close(got[1][0], want[1][0]) and _close(got[1][1], want[1][1])


def test_packed_final_state_is_each_sequence_run_alone():
    m = _module(bidirectional=True, batch_first=True)
    x = np.random.default_rng(3).standard_normal((B, T, D))
    params = torch_lstm.from_torch(m)
    lengths = [2, 5, 3]
    _, (h_n, _) = torch_lstm.forward(x, params, batch_first=True, lengths=lengths)
    for b, n in enumerate(lengths):
        _, (h_alone, _) = torch_lstm.forward(x[b:b + 1, :n], params, batch_first=True)
        assert _close(h_n[:, b], h_alone[:, 0])


@pytest.mark.parametrize("kw", [dict(num_layers=2), dict(num_layers=3, bidirectional=True, proj_size=2)], ids=str)
def test_training_mode_dropout_masks_reproduce_torch(kw):
    m = _module(**kw, batch_first=True, dropout=0.4)
    m.train()
    x = np.random.default_rng(4).standard_normal((B, T, D))
    torch.manual_seed(11)
    with torch.no_grad():
        out, (h, c) = m(torch.from_numpy(x))
    width = (1 + m.bidirectional) * (m.proj_size or H)
    masks = torch_lstm.torch_dropout_masks(m.num_layers, T, B, width, 0.4, seed=11)
    got = torch_lstm.forward(x, torch_lstm.from_torch(m), batch_first=True, dropout_masks=masks)
    assert _close(got[0], out.numpy()) and _close(got[1][0], h.numpy()) and _close(got[1][1], c.numpy())
    m.eval()  # no dropout in evaluation mode
    assert _close(torch_lstm.forward(x, torch_lstm.from_torch(m), batch_first=True)[0], _torch(m, x)[0])


def test_projection_with_identity_is_the_plain_cell():
    rng = np.random.default_rng(5)
    p = lstm.init_params(D, H, rng)
    q = torch_lstm.ProjLSTMParams(*p, W_hr=np.eye(H))
    x_t, h, c = rng.standard_normal((B, D)), rng.standard_normal((B, H)), rng.standard_normal((B, H))
    assert all(_close(u, v) for u, v in zip(torch_lstm.projected_step(x_t, (h, c), q), lstm.lstm_step(x_t, (h, c), p)))


def test_reverse_padded():
    x = np.arange(8.0).reshape(2, 4)
    np.testing.assert_array_equal(torch_lstm.reverse_padded(x, [4, 2]), [[3, 2, 1, 0], [5, 4, 6, 7]])
    np.testing.assert_array_equal(torch_lstm.reverse_padded(x), x[:, ::-1])


def test_bad_input_names_the_argument():
    m = _module(num_layers=2)
    params = torch_lstm.from_torch(m)
    x = np.zeros((T, B, D))
    with pytest.raises(ValueError, match="x: expected shape"):
        torch_lstm.forward(np.zeros((T, B, D + 1)), params)
    with pytest.raises(ValueError, match=r"h_0 of shape .* = \(2, 3, 6\)"):
        torch_lstm.forward(x, params, (np.zeros((B, 2, H)), np.zeros((2, B, H))))
    with pytest.raises(ValueError, match="lengths"):
        torch_lstm.forward(x, params, lengths=[0, 1, 2])
    with pytest.raises(ValueError, match="dropout_masks"):
        torch_lstm.forward(x, params, dropout_masks=[np.ones((T, B, H))])
    with pytest.raises(TypeError, match="torch.nn.LSTM"):
        torch_lstm.from_torch(torch.nn.GRU(D, H))
    with pytest.raises(ValueError, match="W_ih"):
        torch_lstm.forward(x, [params[0], [params[0][0]]])


# ---- the appendix's self-checks (lstm_course.checks.torch_lstm) ---------------------------

from lstm_course.checks import CheckFailed  # noqa: E402
from lstm_course.checks import torch_lstm as check  # noqa: E402


def test_shape_quiz_passes_the_true_shapes(capsys):
    truth = check.quiz_shapes()
    assert truth["A"] == {"output": (2, 6, 6), "h_n": (4, 2, 3), "c_n": (4, 2, 8)}
    assert truth["C"]["output"] == (3, 5, 16)  # padded only to the longest length
    check.shape_quiz(truth)
    check.shape_quiz(lambda: truth)
    assert "all 12 shapes match" in capsys.readouterr().out
    assert len(check.quiz_questions().splitlines()) == len(check.QUIZ)


def test_shape_quiz_explains_the_usual_mistakes():
    wrong = {k: dict(v) for k, v in check.quiz_shapes().items()}
    wrong["A"]["h_n"] = (2, 4, 3)  # batch-first state
    wrong["A"]["c_n"] = (4, 2, 3)  # projected cell state
    wrong["C"]["output"] = (3, 6, 16)  # padded to the input's T
    wrong["D"]["weight_ih_l1"] = (32, 5)  # layer 1 reading x
    with pytest.raises(CheckFailed) as err:
        check.shape_quiz(wrong)
    msg = str(err.value)
    assert "4 of 12" in msg and "never batch-first" in msg and "keeps size H" in msg
    assert "longest length" in msg and "does not read x" in msg


def test_shape_quiz_unanswered():
    def stub():
        raise NotImplementedError
    with pytest.raises(CheckFailed, match="not answered yet"):
        check.shape_quiz(stub)
    with pytest.raises(CheckFailed, match="A output: no answer yet"):
        check.shape_quiz({"A": {"output": None}})


def test_padded_h_n_check():
    def right(module, x, pad, side):
        z = np.zeros((x.shape[0], pad, x.shape[2]))
        xp = np.concatenate([x, z] if side == "end" else [z, x], axis=1)
        return module(torch.from_numpy(xp))[1][0].detach().numpy()

    check.padded_h_n(right)

    def unpadded(module, x, pad, side):
        return right(module, x, 0, side)

    with pytest.raises(CheckFailed, match="padded steps must run"):
        check.padded_h_n(unpadded)

    def wrong_side(module, x, pad, side):
        return right(module, x, pad, "start" if side == "end" else "end")

    with pytest.raises(CheckFailed, match="wrong side"):
        check.padded_h_n(wrong_side)
