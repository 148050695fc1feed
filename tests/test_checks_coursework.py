"""The coursework self-checks accept right answers and name each known mistake.

The checks compare with the stored values of ``lstm_course/checks/data/coursework.json``;
the references and mistake models that made them are in the instructors' script
``coursework/check_data.py`` (imported here as ``ref``), not in the package.
"""
import ast
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from lstm_course import lstm, variants
from lstm_course.activations import sigmoid
from lstm_course.checks import CheckFailed, _close
from lstm_course.checks import coursework as check

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "coursework"))
import check_data as ref  # noqa: E402


def _hx(x, h):
    return np.concatenate([h, x], axis=1)


def right_gate(x, h, W, b):
    return 1 / (1 + np.exp(-(_hx(x, h) @ W.T + b)))


def right_candidate(x, h, W, b):
    return np.tanh(_hx(x, h) @ W.T + b)


def right_step(x, h, c, W_ih, W_hh, b_ih, b_hh):
    H = h.shape[1]
    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H])
    g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c = f * c + i * g
    return o * np.tanh(c), c


@pytest.mark.parametrize("name", ["forget_gate", "input_gate", "output_gate"])
def test_gates_accept_right_answer(name, capsys):
    getattr(check, name)(right_gate)
    assert capsys.readouterr().out.strip() == f"{name}: all 6 checks passed."


@pytest.mark.parametrize("name", ["forget_gate", "input_gate", "output_gate"])
@pytest.mark.parametrize("wrong, words", [
    (right_candidate, "tanh"),
    (lambda x, h, W, b: sigmoid(np.concatenate([x, h], 1) @ W.T + b), "[x_t, h_{t-1}]"),
    (lambda x, h, W, b: sigmoid(_hx(x, h) @ W.T), "bias b is missing"),
])
def test_gates_name_mistakes(name, wrong, words):
    with pytest.raises(CheckFailed, match=None) as err:
        getattr(check, name)(wrong)
    assert words in str(err.value)


def test_gate_transposed_weights_explains_shapes():
    with pytest.raises(CheckFailed) as err:
        check.forget_gate(lambda x, h, W, b: sigmoid(_hx(x, h) @ W + b))
    assert "(H, H + D)" in str(err.value)


def test_candidate():
    check.candidate(right_candidate)
    with pytest.raises(CheckFailed, match="sigmoid"):
        check.candidate(right_gate)


@pytest.mark.parametrize("wrong, words", [
    (lambda f, i, g, c: i * c + f * g, "swapped"),
    (lambda f, i, g, c: i * g, "old state is missing"),
    (lambda f, i, g, c: np.tanh(f * c + i * g), "linearly"),
    (lambda f, i, g, c: f * c + (1 - f) * g, "coupled"),
])
def test_cell_update(wrong, words):
    check.cell_update(lambda f, i, g, c: f * c + i * g)
    with pytest.raises(CheckFailed) as err:
        check.cell_update(wrong)
    assert words in str(err.value)


@pytest.mark.parametrize("wrong, words", [
    (lambda o, c: o * c, "tanh is missing"),
    (lambda o, c: np.tanh(o * c), "after the product"),
    (lambda o, c: o * sigmoid(c), "sigmoid"),
])
def test_hidden_state(wrong, words):
    check.hidden_state(lambda o, c: o * np.tanh(c))
    with pytest.raises(CheckFailed) as err:
        check.hidden_state(wrong)
    assert words in str(err.value)


def test_lstm_step_right_and_torch():
    check.lstm_step(right_step)
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    cell = torch.nn.LSTMCell(3, 4).double()
    x, h, c = rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    with torch.no_grad():
        h_t, c_t = cell(torch.tensor(x), (torch.tensor(h), torch.tensor(c)))
    ps = [t.detach().numpy() for t in (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)]
    mine = right_step(x, h, c, *ps)
    np.testing.assert_allclose(mine[0], h_t.numpy(), atol=1e-12)
    np.testing.assert_allclose(mine[1], c_t.numpy(), atol=1e-12)


@pytest.mark.parametrize("kw, words", [
    (dict(order="ifog"), "i, f, o, g"),
    (dict(swap_fi=True), "swapped"),
    (dict(gate_act=np.tanh), "gates use tanh"),
    (dict(h_from="old"), "C_{t-1}"),
    (dict(b_hh=False), "b_hh is missing"),
    (dict(swap_out=True), "(c_t, h_t)"),
])
def test_lstm_step_mistakes(kw, words):
    with pytest.raises(CheckFailed) as err:
        check.lstm_step(ref.wrong_step(**kw))
    assert words in str(err.value)


def test_lstm_step_transposed_weights():
    def wrong(x, h, c, W_ih, W_hh, b_ih, b_hh):
        return right_step(x, h, c, W_ih.T, W_hh.T, b_ih, b_hh)
    with pytest.raises(CheckFailed) as err:
        check.lstm_step(wrong)
    assert "(4H, D)" in str(err.value)


def test_variants():
    def full(D, H, rng):
        return variants.init_peephole_params(D, H, rng, diagonal=False)
    check.full_peephole_step(lambda x, h, c, p: variants.peephole_step(x, (h, c), p))
    check.coupled_step(lambda x, h, c, p: variants.coupled_step(x, (h, c), p))
    with pytest.raises(CheckFailed, match="output gate peeks"):
        check.full_peephole_step(ref.full_peephole(out_sees="old"))
    with pytest.raises(CheckFailed, match="transposed"):
        check.full_peephole_step(ref.full_peephole(transposed=True))
    with pytest.raises(CheckFailed, match="scaled by f_t"):
        check.coupled_step(ref.coupled_wrong(write="f"))


def test_book_diagonal_peephole_is_not_the_full_one():
    """Chapter 6's exercise (diagonal peepholes, ``W * C``) does not pass the graded check."""
    def book(x_t, h_prev, C_prev, p):
        a = x_t @ p.W_ih.T + p.b_ih + h_prev @ p.W_hh.T + p.b_hh
        a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
        f_t = sigmoid(a_f + p.W_cf * C_prev)
        i_t = sigmoid(a_i + p.W_ci * C_prev)
        C_t = f_t * C_prev + i_t * np.tanh(a_g)
        o_t = sigmoid(a_o + p.W_co * C_t)
        return o_t * np.tanh(C_t), C_t
    with pytest.raises(CheckFailed):
        check.full_peephole_step(book)


def test_run_rnn_and_influence():
    check.run_rnn(lambda x, W, b, h0: ref.run_article(x, W, b, h0))
    check.influence(lambda x, W, b, h0, d: ref.influence_of(x, W, b, h0, d))
    with pytest.raises(CheckFailed, match="starts again from h0"):
        check.run_rnn(lambda x, W, b, h0: ref.run_article(x, W, b, h0, carry=False))
    with pytest.raises(CheckFailed, match="nudged the last input"):
        check.influence(lambda x, W, b, h0, d: ref.influence_of(x, W, b, h0, d, step=-1))


def test_sequence_backward_against_lstm_backward():
    check.sequence_backward(lambda *a: ref.sequence_variant(*a))
    check.sequence_backward(ref.sequence_reference)
    for key, fn in ref.SEQUENCE_MISTAKES.items():
        with pytest.raises(CheckFailed) as err:
            check.sequence_backward(fn)
        assert check._SEQUENCE_HINTS[key] in str(err.value)


def test_with_parts_defers_to_a_broken_part(capsys):
    bad = lambda f, i, g, c: i * c + f * g  # noqa: E731
    check.with_parts(check.lstm_step, ref.wrong_step(swap_fi=True), defer=True,
                     cell_update=(bad, check.cell_update))
    out = capsys.readouterr().out
    assert out.startswith("Not checked here, because cell_update fails its own check")
    with pytest.raises(CheckFailed):  # nothing to blame: the step itself fails
        check.with_parts(check.lstm_step, ref.wrong_step(swap_fi=True), defer=True,
                         cell_update=(lambda f, i, g, c: f * c + i * g, check.cell_update))


def test_numerical_gradient():
    from lstm_course.gradcheck import numerical_gradient
    check.numerical_gradient(numerical_gradient)

    def forward(f, a, eps):
        g = np.zeros_like(a)
        for k in np.ndindex(a.shape):
            old, f0 = a[k], f()
            a[k] = old + eps
            g[k] = (f() - f0) / eps
            a[k] = old
        return g
    with pytest.raises(CheckFailed, match="forward difference"):
        check.numerical_gradient(forward)

    def leaves_changed(f, a, eps):
        g = numerical_gradient(f, a, eps)
        a += 1.0
        return g
    with pytest.raises(CheckFailed, match="restore"):
        check.numerical_gradient(leaves_changed)


def test_every_step_mistake_differs_on_first_case():
    """Each listed mistake must be told apart from the truth on the first case."""
    case = check._cases("lstm_step")[0]
    want = lstm.lstm_step(case.args[0], case.args[1:3], lstm.LSTMParams(*case.args[3:]))
    for key, fn in ref.STEP_MISTAKES.items():
        got = fn(*case.args)
        assert not all(np.allclose(u, v) for u, v in zip(got, want)), key


def test_with_parts_names_the_broken_part():
    def bad_cell_update(f, i, g, c):
        return i * c + f * g

    def step_using(fn):
        def step(x, h, c, W_ih, W_hh, b_ih, b_hh):
            H = h.shape[1]
            a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
            i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H])
            g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
            c = fn(f, i, g, c)
            return o * np.tanh(c), c
        return step

    with pytest.raises(CheckFailed) as err:
        check.with_parts(check.lstm_step, step_using(bad_cell_update),
                         cell_update=(bad_cell_update, check.cell_update))
    assert "cell_update fails its own check" in str(err.value)
    assert "swapped" in str(err.value)
    # a right part is not blamed
    good = lambda f, i, g, c: f * c + i * g  # noqa: E731
    with pytest.raises(CheckFailed) as err:
        check.with_parts(check.lstm_step, ref.wrong_step(order="ifog"),
                         cell_update=(good, check.cell_update))
    assert "fails its own check" not in str(err.value)
    check.with_parts(check.lstm_step, step_using(good), cell_update=(good, check.cell_update))


# ---- the stored cases --------------------------------------------------------------------

HINTS = {"forget_gate": check._layer_hints("sigmoid"), "input_gate": check._layer_hints("sigmoid"),
         "output_gate": check._layer_hints("sigmoid"), "candidate": check._layer_hints("tanh"),
         "cell_update": check._UPDATE_HINTS, "hidden_state": check._HIDDEN_HINTS,
         "lstm_step": check._STEP_HINTS, "full_peephole_step": check._PEEPHOLE_HINTS,
         "cs231n_step": check._CS231N_HINTS, "from_torch": check._FROM_TORCH_HINTS,
         "to_torch": check._TO_TORCH_HINTS,
         "coupled_step": check._COUPLED_HINTS, "numerical_gradient": check._NUMGRAD_HINTS,
         "run_rnn": check._RUN_HINTS, "influence": check._INFLUENCE_HINTS,
         "sequence_backward": check._SEQUENCE_HINTS}


def _same(a, b):
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return False
        if "data" in a:
            return a["shape"] == b["shape"] and np.allclose(a["data"], b["data"], rtol=1e-12,
                                                            atol=1e-14)
        return all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(u, v) for u, v in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return np.isclose(a, b, rtol=1e-12, atol=0)
    return a == b


def test_stored_cases_are_what_the_instructors_script_writes():
    """Rerun coursework/check_data.py in memory: the stored file is up to date (to rounding)."""
    stored = json.loads((ROOT / "lstm_course" / "checks" / "data" / "coursework.json").read_text())
    fresh = json.loads(json.dumps(ref.build()))
    assert set(stored) == set(fresh) == set(HINTS)
    for name in fresh:
        assert _same(stored[name], fresh[name]), f"{name}: rerun python coursework/check_data.py"


@pytest.mark.parametrize("name", sorted(HINTS))
def test_every_stored_mistake_has_a_hint_and_shows_on_two_cases(name):
    """The hints and the stored mistakes agree, and each mistake differs from the truth on at
    least two cases, so the two-case rule of run_check can name it."""
    cases = check._cases(name)
    assert list(HINTS[name]) == list(ref.CHECKS[name][2]) == check._stored()[name]["mistakes"]
    for key in HINTS[name]:
        differs = [c for c in cases if c.wrong[key] is not None
                   and not _close(c.wrong[key], c.want, 1e-6, 1e-8)]
        assert len(differs) >= 2, f"{name}/{key}: differs from the truth on {len(differs)} case(s)"


@pytest.mark.parametrize("name", sorted(HINTS))
def test_each_mistake_model_gets_its_own_hint(name):
    """A function that makes exactly one known mistake is told that mistake."""
    fns = {key: _stored_as_function(name, key) for key in HINTS[name]}
    for key, fn in fns.items():
        with pytest.raises(CheckFailed) as err:
            getattr(check, name)(fn)
        assert HINTS[name][key] in str(err.value), (key, str(err.value))


def _stored_as_function(name, key):
    """A student function that returns, case by case, the stored output of mistake ``key``."""
    cases = check._cases(name)

    def lookup(*args):
        for c in cases:
            a0, b0 = np.asarray(args[0]), np.asarray(c.args[0])
            if a0.shape == b0.shape and np.array_equal(a0, b0):
                if c.wrong[key] is None:
                    raise ValueError("this mistake does not apply here")
                return c.wrong[key]
        raise KeyError("unknown case")

    if name == "numerical_gradient":
        return lambda f, a, eps: lookup(a)
    if name == "to_torch":  # stored as (W_ih, W_hh, b_ih + b_hh): return the bias split in two
        return lambda *a: (lambda W_ih, W_hh, b: (W_ih, W_hh, 0.25 * b, 0.75 * b))(*lookup(*a))
    return lookup


def test_the_module_computes_no_graded_function():
    """checks/coursework.py has no matrix product, no activation and no import of a library
    function: nothing in it can be turned into an answer."""
    tree = ast.parse((ROOT / "lstm_course" / "checks" / "coursework.py").read_text())
    for node in ast.walk(tree):
        assert not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult)), node.lineno
        if isinstance(node, ast.Call):
            f = node.func
            called = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            assert called not in {"tanh", "sigmoid", "exp", "concatenate", "dot", "matmul",
                                  "einsum", "rnn_forward", "lstm_step", "lstm_backward",
                                  "numerical_gradient"}, (called, node.lineno)
        if isinstance(node, ast.ImportFrom) and node.level == 2:  # from ..x import y
            assert all(a.name.endswith("Params") for a in node.names), ast.dump(node)
        if isinstance(node, ast.ImportFrom) and node.level == 1:  # from . import / from .x import
            assert node.module is None, ast.dump(node)


# ---- cs231n's layout and the converters --------------------------------------------------

def _swap_go(a, axis):
    i, f, u, v = np.split(a, 4, axis=axis)
    return np.concatenate([i, f, v, u], axis=axis)


def test_cs231n_checks_accept_right_answers_and_any_bias_split(capsys):
    def step(x, h, c, Wx, Wh, b):
        H = h.shape[1]
        a = x @ Wx + h @ Wh + b
        i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 2 * H:3 * H])
        c = f * c + i * np.tanh(a[:, 3 * H:])
        return o * np.tanh(c), c

    check.cs231n_step(step)
    check.from_torch(lambda W_ih, W_hh, b_ih, b_hh: (_swap_go(W_ih, 0).T, _swap_go(W_hh, 0).T,
                                                     _swap_go(b_ih + b_hh, 0)))
    check.to_torch(lambda Wx, Wh, b: (_swap_go(Wx, 1).T, _swap_go(Wh, 1).T,
                                      _swap_go(b, 0) / 2, _swap_go(b, 0) / 2))
    check.to_torch(lambda Wx, Wh, b: (_swap_go(Wx, 1).T, _swap_go(Wh, 1).T,
                                      np.zeros_like(b), _swap_go(b, 0)))
    assert capsys.readouterr().out.split("\n")[:4] == [
        "cs231n_step: all 6 checks passed.", "from_torch: all 6 checks passed.",
        "to_torch: all 6 checks passed.", "to_torch: all 6 checks passed."]


def test_to_torch_says_what_to_return():
    with pytest.raises(CheckFailed, match=r"return four arrays"):
        check.to_torch(lambda Wx, Wh, b: (Wx.T, Wh.T, b))


def test_the_converters_agree_with_torch():
    """The references behind the stored values: both layouts compute torch.nn.LSTM's step."""
    torch = pytest.importorskip("torch")
    lstm_t = torch.nn.LSTM(3, 2, batch_first=True).double()
    x = np.random.default_rng(0).normal(size=(2, 4, 3))
    with torch.no_grad():
        out, _ = lstm_t(torch.tensor(x))
    ps = [t.detach().numpy() for t in (lstm_t.weight_ih_l0, lstm_t.weight_hh_l0,
                                       lstm_t.bias_ih_l0, lstm_t.bias_hh_l0)]
    Wx, Wh, b = ref.from_torch_reference(*ps)
    h = c = np.zeros((2, 2))
    for t in range(4):
        h, c = ref.cs231n_reference(x[:, t], h, c, Wx, Wh, b)
        assert np.allclose(h, out[:, t].numpy())
    back = ref.to_torch_reference(Wx, Wh, b)
    assert np.allclose(back[0], ps[0]) and np.allclose(back[1], ps[1])
    assert np.allclose(back[2] + back[3], ps[2] + ps[3])
