"""The self-checks of the gate chapters pass the reference and name each known mistake."""
import numpy as np
import pytest

from lstm_course.activations import sigmoid
from lstm_course.checks import CheckFailed
from lstm_course.checks import gates as check


def test_references_pass(capsys):
    check.lstm_param_count(lambda D, H: 4 * (H * D + H * H + 2 * H))
    check.gate(lambda a, v: v / (1 + np.exp(-a)))
    check.gate(lambda a, v: 0.5 * (1 + np.tanh(a / 2)) * v)   # chapter 4: a gate built from tanh
    check.gate_preactivation(lambda g: np.log(g / (1 - g)))
    out = capsys.readouterr().out.splitlines()
    assert out == ["lstm_param_count: all 4 checks passed.", "gate: all 3 checks passed.",
                   "gate: all 3 checks passed.",
                   "gate_preactivation: all 3 checks passed."]


@pytest.mark.parametrize("wrong,hint", [
    (lambda D, H: 4 * H * (D + H), "without the biases"),
    (lambda D, H: 4 * H * (D + H + 1), "stores two"),
    (lambda D, H: 3 * H * (D + H + 2), "3 blocks"),
    (lambda D, H: H * (D + H + 2), "plain RNN"),
    (lambda D, H: 4 * H * (D + 2), "W_hh"),
    (lambda D, H: 4 * H * (H + 2), "W_ih"),
    (lambda D, H: 4 * H * D + 4 * D * D + 8 * H, "D x D"),
    (lambda D, H: 12345, "wrong values"),
    (lambda D, H: "4", "expected a number"),
])
def test_lstm_param_count_mistakes(wrong, hint):
    with pytest.raises(CheckFailed, match=hint):
        check.lstm_param_count(wrong)


@pytest.mark.parametrize("wrong,hint", [
    (lambda a, v: np.tanh(a) * v, "tanh"),
    (lambda a, v: sigmoid(a) + v, "multiplies"),
    (lambda a, v: a * v, "sigmoid is missing"),
    (lambda a, v: sigmoid(a), "alone"),
    (lambda a, v: (1 - sigmoid(a)) * v, "reversed"),
    (lambda a, v: sigmoid(a) @ v, "elementwise"),
    (lambda a, v: (1 + np.tanh(a)) / 2 * v, "slope"),
    (lambda a, v: sigmoid(a) * v[:1], "shape"),
])
def test_gate_mistakes(wrong, hint):
    with pytest.raises(CheckFailed, match=hint):
        check.gate(wrong)


@pytest.mark.parametrize("wrong,hint", [
    (lambda g: np.log((1 - g) / g), "sign"),
    (lambda g: np.log(g), r"log\(g\)"),
    (lambda g: np.arctanh(g), "tanh"),
    (lambda g: sigmoid(g), "applied the sigmoid"),
    (lambda g: np.log(1 - g), r"log\(1 - g\)"),
])
def test_gate_preactivation_mistakes(wrong, hint):
    with pytest.raises(CheckFailed, match=hint):
        check.gate_preactivation(wrong)


def test_a_mistake_is_named_only_when_it_explains_two_cases():
    """4H(D+H) + 8D equals 'one bias vector per block', 4H(D+H) + 4H, only when H = 2D."""
    with pytest.raises(CheckFailed) as err:
        check.lstm_param_count(lambda D, H: 4 * H * (D + H) + 8 * D)
    assert "one bias vector per block" not in str(err.value)
    assert "wrong values" in str(err.value)
    with pytest.raises(CheckFailed, match="one bias vector per block"):
        check.lstm_param_count(lambda D, H: 4 * H * (D + H) + 4 * H)


def test_inverse_sigmoid_hints_do_not_state_the_answer():
    for m in check._LOGIT_MISTAKES:
        assert "g / (1 - g)" not in m.hint and "(1 - g) / g" not in m.hint, m.hint


def test_stacked_lstm_param_count_equals_torch(capsys):
    torch = pytest.importorskip("torch")
    for D, H, L in [(10, 20, 2), (20, 10, 3), (3, 5, 1)]:
        n = sum(t.numel() for t in torch.nn.LSTM(D, H, num_layers=L).parameters())
        assert check._ref_stacked_count(D, H, L) == n
    check.stacked_lstm_param_count(lambda D, H, L: 4 * H * (D + H + 2) + (L - 1) * 4 * H * (2 * H + 2))
    assert capsys.readouterr().out == "stacked_lstm_param_count: all 4 checks passed.\n"


@pytest.mark.parametrize("wrong,hint", [
    (lambda D, H, L: L * 4 * H * (D + H + 2), "only the first layer reads x_t"),
    (lambda D, H, L: 4 * H * (D + H + 2), "one layer's count"),
    (lambda D, H, L: 4 * H * (D + H + 1) + (L - 1) * 4 * H * (2 * H + 1), "stores two"),
    (lambda D, H, L: 4 * H * (D + H + 2) + (L - 1) * 4 * H * (H + 2), "no input weights"),
    (lambda D, H, L: 4 * H * (D + H + 2) + L * 4 * H * (2 * H + 2), "one layer too many"),
    (lambda D, H, L: 12345, "wrong values"),
    (lambda D, H, L: "4", "expected a number"),
])
def test_stacked_lstm_param_count_mistakes(wrong, hint):
    with pytest.raises(CheckFailed, match=hint):
        check.stacked_lstm_param_count(wrong)
