"""Tests of lstm_course.torch_bridge: round trips, outputs through the bridge, module errors."""
import numpy as np
import pytest
import torch

from lstm_course import gru, lstm, rnn, torch_bridge

ARRAYS = ("W_ih", "W_hh", "b_ih", "b_hh")


def _params(kind, dtype=np.float64, D=3, H=4, seed=0):
    rng = np.random.default_rng(seed)
    if kind == "lstm":
        p = lstm.init_params(D, H, rng, dtype=dtype)
    elif kind == "gru":
        p = gru.init_params(D, H, rng, dtype=dtype)
    else:
        p = rnn.init_params(D, H, rng, nonlinearity=kind.split("-")[1], dtype=dtype)
    return p


def _same(p, q):
    assert type(p) is type(q)
    for f in ARRAYS:
        a, b = getattr(p, f), getattr(q, f)
        assert a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    if isinstance(p, rnn.RNNParams):
        assert p.nonlinearity == q.nonlinearity


KINDS = ["lstm", "gru", "rnn-tanh", "rnn-relu"]


@pytest.mark.parametrize("cell", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", KINDS)
def test_round_trip(kind, dtype, cell):
    p = _params(kind, dtype)
    m = torch_bridge.to_torch(p, cell=cell)
    w = m.weight_ih if cell else m.weight_ih_l0
    assert w.dtype == {np.float64: torch.float64, np.float32: torch.float32}[dtype]
    expected = {"lstm": "LSTM", "gru": "GRU"}.get(kind, "RNN") + ("Cell" if cell else "")
    assert type(m) is getattr(torch.nn, expected)
    if not cell:
        assert m.batch_first and m.num_layers == 1
    q = torch_bridge.from_torch(m)
    assert all(getattr(q, f).dtype == np.float64 for f in ARRAYS)  # from_torch returns float64 by default
    _same(p, type(q)(*(getattr(q, f).astype(dtype) for f in ARRAYS), *q[4:]))
    q32 = torch_bridge.from_torch(m, dtype=np.float32)
    assert q32.W_ih.dtype == np.float32


def test_module_dtype_follows_params():
    assert torch_bridge.to_torch(_params("lstm")).weight_hh_l0.dtype == torch.float64
    assert torch_bridge.to_torch(_params("lstm", np.float32)).weight_hh_l0.dtype == torch.float32
    assert torch_bridge.to_torch(_params("rnn-relu")).nonlinearity == "relu"


def test_from_torch_copies_and_outputs_agree():
    torch.manual_seed(0)
    m = torch.nn.LSTM(3, 5, batch_first=True).double()
    p = torch_bridge.from_torch(m)
    x = np.random.default_rng(0).normal(size=(2, 4, 3))
    with torch.no_grad():
        out, (h_n, c_n) = m(torch.from_numpy(x))
    hs, (h_T, c_T) = lstm.lstm_forward(x, p)
    np.testing.assert_allclose(hs, out.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(c_T, c_n[0].numpy(), rtol=1e-12, atol=1e-12)
    p.W_hh[0, 0] += 1.0  # a copy: the module is unchanged
    assert m.weight_hh_l0[0, 0].item() == pytest.approx(p.W_hh[0, 0] - 1.0)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_from_torch_outputs_agree(nonlinearity):
    torch.manual_seed(1)
    m = torch.nn.RNN(2, 3, nonlinearity=nonlinearity, batch_first=True).double()
    p = torch_bridge.from_torch(m)
    assert isinstance(p, rnn.RNNParams) and p.nonlinearity == nonlinearity
    x = np.random.default_rng(0).normal(size=(2, 5, 2))
    with torch.no_grad():
        out, _ = m(torch.from_numpy(x))
    np.testing.assert_allclose(rnn.rnn_forward(x, p)[0], out.numpy(), rtol=1e-12, atol=1e-12)


def test_gru_from_torch_gives_gru_params():
    m = torch.nn.GRU(3, 4, batch_first=True)
    p = torch_bridge.from_torch(m)
    assert isinstance(p, gru.GRUParams)
    np.testing.assert_array_equal(p.W_hh, m.weight_hh_l0.detach().numpy().astype(np.float64))


def test_cells_from_torch():
    cell = torch.nn.LSTMCell(3, 4)
    p = torch_bridge.from_torch(cell)
    assert isinstance(p, lstm.LSTMParams)
    np.testing.assert_array_equal(p.b_hh, cell.bias_hh.detach().numpy().astype(np.float64))
    assert isinstance(torch_bridge.from_torch(torch.nn.GRUCell(3, 4)), gru.GRUParams)
    assert torch_bridge.from_torch(torch.nn.RNNCell(3, 4, nonlinearity="relu")).nonlinearity == "relu"


@pytest.mark.parametrize("module,match", [
    (torch.nn.LSTM(3, 4, num_layers=2, batch_first=True), r"one-layer LSTM \(num_layers=1\), got num_layers=2"),
    (torch.nn.GRU(3, 4, bidirectional=True, batch_first=True), r"unidirectional GRU, got bidirectional=True"),
    (torch.nn.LSTM(3, 4, proj_size=2, batch_first=True), r"without projection \(proj_size=0\), got proj_size=2"),
    (torch.nn.RNN(3, 4), r"batch_first=True .* got batch_first=False"),
    (torch.nn.LSTM(3, 4, bias=False, batch_first=True), r"bias=True .* got bias=False"),
    (torch.nn.LSTMCell(3, 4, bias=False), r"bias=True .* got bias=False"),
], ids=["num_layers", "bidirectional", "proj_size", "batch_first", "bias", "cell-bias"])
def test_from_torch_refuses_what_the_numpy_cells_lack(module, match):
    with pytest.raises(ValueError, match=match):
        torch_bridge.from_torch(module)


def test_from_torch_refuses_other_modules():
    with pytest.raises(TypeError, match=r"module: expected a torch.nn.RNN, LSTM or GRU.*Linear"):
        torch_bridge.from_torch(torch.nn.Linear(3, 4))
    with pytest.raises(TypeError, match=r"module: expected"):
        torch_bridge.from_torch("lstm")
    with pytest.raises(TypeError, match=r"dtype: expected float32 or float64"):
        torch_bridge.from_torch(torch.nn.LSTM(3, 4, batch_first=True), dtype=np.int32)


def test_to_torch_refuses_bad_params():
    with pytest.raises(TypeError, match=r"p: expected RNNParams, LSTMParams or GRUParams, got tuple"):
        torch_bridge.to_torch((np.zeros((4, 3)),) * 4)
    p = _params("lstm")
    with pytest.raises(ValueError, match=r"params.b_hh: expected shape \(16,\)"):
        torch_bridge.to_torch(p._replace(b_hh=np.zeros(3)))
    with pytest.raises(ValueError, match=r"nonlinearity"):
        torch_bridge.to_torch(_params("rnn-tanh")._replace(nonlinearity="gelu"))
