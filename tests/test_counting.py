"""Parameter counts: closed form == shapes of the package's init_params == torch.nn numel()."""
import numpy as np
import pytest

from lstm_course import counting, gru, lstm, rnn

torch = pytest.importorskip("torch")

SIZES = [(1, 1), (3, 5), (10, 20), (20, 10), (64, 128)]
INIT = {"rnn": rnn.init_params, "gru": gru.init_params, "lstm": lstm.init_params}
TORCH = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}


@pytest.mark.parametrize("kind", counting.KINDS)
@pytest.mark.parametrize("D,H", SIZES)
def test_count_matches_init_params_and_torch(kind, D, H):
    p = INIT[kind](D, H, np.random.default_rng(0))
    shapes = counting.param_shapes(kind, D, H)
    assert {name: getattr(p, name).shape for name in shapes} == shapes
    module = TORCH[kind](D, H)
    torch_shapes = {name: tuple(t.shape) for name, t in module.named_parameters()}
    assert torch_shapes == {f"{'weight' if n[0] == 'W' else 'bias'}_{n[2:]}_l0": s for n, s in shapes.items()}
    n = counting.param_count(kind, D, H)
    assert n == counting.count_params(p) == sum(t.numel() for t in module.parameters())


def test_closed_forms_and_ratios():
    for D, H in SIZES:
        c = counting.param_counts(D, H)
        assert c == {"rnn": H * (D + H + 2), "gru": 3 * H * (D + H + 2), "lstm": 4 * H * (D + H + 2)}
        one = counting.param_counts(D, H, biases=1)
        assert one["lstm"] == 4 * H * (D + H + 1) == c["lstm"] - 4 * H


def test_count_params_skips_non_arrays():
    p = rnn.init_params(3, 5, np.random.default_rng(0))  # has a `nonlinearity` string field
    assert counting.count_params(p) == 5 * 3 + 5 * 5 + 5 + 5


def test_large_sizes_need_no_memory():
    assert counting.param_count("lstm", 100_000, 100_000) == 4 * 100_000 * 200_002


@pytest.mark.parametrize("args,exc,msg", [
    (("cnn", 3, 5), ValueError, "kind"),
    (("lstm", 0, 5), ValueError, "D"),
    (("lstm", 3, 2.5), TypeError, "H"),
])
def test_bad_arguments(args, exc, msg):
    with pytest.raises(exc, match=msg):
        counting.param_count(*args)
    with pytest.raises(ValueError, match="biases"):
        counting.param_count("lstm", 3, 5, biases=3)
