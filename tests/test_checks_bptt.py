"""The BPTT appendix's self-checks pass correct code and name each known mistake."""
import numpy as np
import pytest

from lstm_course import clipping, gradcheck, lstm
from lstm_course.checks import CheckFailed
from lstm_course.checks import bptt as check


def _good_step_backward(dh, dc_next, x, h_prev, c_prev, p):
    """A readable one-step backward, written independently of the package's loop."""
    h_t, c_t, gates = lstm.lstm_step(x, (h_prev, c_prev), p, return_gates=True)
    i, f, g, o = gates["i"], gates["f"], gates["g"], gates["o"]
    tc = np.tanh(c_t)
    dc = dc_next + dh * o * (1 - tc ** 2)
    da = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f),
                         dc * i * (1 - g ** 2), dh * tc * o * (1 - o)], axis=1)
    return da @ p.W_ih, da @ p.W_hh, dc * f, da.T @ x, da.T @ h_prev, da.sum(axis=0)


def _good_step_backward_cs231n(dh, dc_next, x, h_prev, c_prev, Wx, Wh, b):
    """The same step in cs231n's layout (columns i, f, o, g), written without the package."""
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b  # (B, 4H)
    i, f, o = (1 / (1 + np.exp(-a[:, k * H:(k + 1) * H])) for k in range(3))
    g = np.tanh(a[:, 3 * H:])
    tc = np.tanh(f * c_prev + i * g)
    dc = dc_next + dh * o * (1 - tc ** 2)
    da = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f),
                         dh * tc * o * (1 - o), dc * i * (1 - g ** 2)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)


def test_cell_grad_passes_reference(capsys):
    check.cell_grad(lambda dh, dcn, o, tc: dcn + dh * o * (1 - tc ** 2))
    assert capsys.readouterr().out == "cell_grad: all 5 checks passed.\n"


def test_cell_update_backward_passes_reference(capsys):
    check.cell_update_backward(lambda dc, f, i, g, cp: (dc * cp, dc * g, dc * i, dc * f))
    assert capsys.readouterr().out == "cell_update_backward: all 4 checks passed.\n"


def test_lstm_step_backward_passes_reference(capsys):
    check.lstm_step_backward(_good_step_backward)
    assert capsys.readouterr().out == "lstm_step_backward: all 5 checks passed.\n"


def test_lstm_step_backward_cs231n_passes_reference(capsys):
    check.lstm_step_backward_cs231n(_good_step_backward_cs231n)
    assert capsys.readouterr().out == "lstm_step_backward_cs231n: all 5 checks passed.\n"


def test_cs231n_layout_round_trip_and_reference():
    """The converters lose nothing, and the cs231n reference equals the package's sequence
    pass over one step (lstm_backward, independent of lstm_step_backward), converted."""
    for case in check._step_cases():
        dh, dc_next, x, h_prev, c_prev, p = case.args
        Wx, Wh, b = check._to_cs231n(p)
        q = check._from_cs231n(Wx, Wh, b)
        np.testing.assert_array_equal(q.W_ih, p.W_ih)
        np.testing.assert_array_equal(q.W_hh, p.W_hh)
        np.testing.assert_array_equal(q.b_ih + q.b_hh, p.b_ih + p.b_hh)
        h, c = lstm.lstm_step(x, (h_prev, c_prev), p)
        H = h.shape[1]
        a = x @ Wx + h_prev @ Wh + b  # (B, 4H), columns i, f, o, g
        c_cs = 1 / (1 + np.exp(-a[:, H:2 * H])) * c_prev + np.tanh(a[:, 3 * H:]) / (1 + np.exp(-a[:, :H]))
        np.testing.assert_allclose(c_cs, c, rtol=1e-12)
        want = check._grads_to_cs231n(*check._ref_step_backward(*case.args))
        got = check._ref_step_backward_cs231n(dh, dc_next, x, h_prev, c_prev, Wx, Wh, b)
        for u, v in zip(got, want):
            np.testing.assert_allclose(u, v, rtol=1e-10, atol=1e-12)


def test_clip_by_global_norm_passes_reference(capsys):
    check.clip_by_global_norm(clipping.clip_by_global_norm)
    assert capsys.readouterr().out == "clip_by_global_norm: all 4 checks passed.\n"


def test_readable_variant_without_mistakes_equals_the_package():
    for case in check._step_cases():
        want = check._ref_step_backward(*case.args)
        got = check._step_backward_variant(*case.args)
        for u, v in zip(got, want):
            np.testing.assert_allclose(u, v, rtol=1e-10, atol=1e-12)


def test_reference_step_backward_matches_finite_differences():
    rng = np.random.default_rng(5)
    B, D, H = 2, 3, 4
    p = lstm.LSTMParams(*(a.copy() for a in lstm.init_params(D, H, rng)))
    x, h_prev, c_prev = rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    wh, wc = rng.normal(size=(B, H)), rng.normal(size=(B, H))

    def loss():
        h, c = lstm.lstm_step(x, (h_prev, c_prev), p)
        return np.sum(wh * h) + np.sum(wc * c)

    dx, dhp, dcp, dW_ih, dW_hh, db = check._ref_step_backward(wh, wc, x, h_prev, c_prev, p)
    arrays = {"x": x, "h_prev": h_prev, "c_prev": c_prev, "W_ih": p.W_ih, "W_hh": p.W_hh, "b_ih": p.b_ih}
    analytic = {"x": dx, "h_prev": dhp, "c_prev": dcp, "W_ih": dW_ih, "W_hh": dW_hh, "b_ih": db}
    gradcheck.check_gradients(loss, arrays, analytic, eps=1e-5)


def test_each_clipping_mistake_gets_its_own_hint():
    for m in check._CLIP_MISTAKES:
        def wrong(grads, max_norm, _f=m.fn):
            *clipped, norm = _f(grads, max_norm)  # the mistake models return (*clipped, norm)
            return clipped, norm

        with pytest.raises(CheckFailed) as err:
            check.clip_by_global_norm(wrong)
        assert m.hint in str(err.value), (m.hint, str(err.value))


def test_unimplemented_wrong_shape_and_missing_return():
    def stub(*args):
        raise NotImplementedError

    for checker in (check.cell_grad, check.cell_update_backward, check.lstm_step_backward,
                    check.lstm_step_backward_cs231n, check.clip_by_global_norm):
        with pytest.raises(CheckFailed, match="not implemented yet"):
            checker(stub)
    with pytest.raises(CheckFailed, match="shape"):
        check.cell_grad(lambda dh, dcn, o, tc: dcn.sum(axis=0))
    with pytest.raises(CheckFailed, match="return"):
        check.lstm_step_backward(lambda *a: None)
    with pytest.raises(CheckFailed, match="4 value"):
        check.cell_update_backward(lambda dc, f, i, g, cp: (dc * cp, dc * g, dc * i))


def test_transposed_weight_gradient_reports_the_shape():
    def transposed(*args):
        dx, dhp, dcp, dW_ih, dW_hh, db = _good_step_backward(*args)
        return dx, dhp, dcp, dW_ih.T, dW_hh, db

    with pytest.raises(CheckFailed, match="dW_ih should have shape"):
        check.lstm_step_backward(transposed)


def test_not_a_function_is_a_type_error():
    with pytest.raises(TypeError, match="pass the function itself"):
        check.clip_by_global_norm(clipping.clip_by_global_norm([np.ones(2)], 1.0))


def test_cs231n_names_the_layout_mistakes_a_student_makes():
    """The named mistakes, written as a student would write them, get their hints."""
    def package_order(dh, dc_next, x, h_prev, c_prev, Wx, Wh, b):
        # reads (and stacks) the columns as i, f, g, o: the correct code on swapped blocks
        H = h_prev.shape[1]
        k = np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H]  # swaps the last two blocks
        dx, dhp, dcp, dWx, dWh, db = _good_step_backward_cs231n(
            dh, dc_next, x, h_prev, c_prev, Wx[:, k], Wh[:, k], b[k])
        return dx, dhp, dcp, dWx[:, k], dWh[:, k], db[k]

    def transposed(*args):
        dx, dhp, dcp, dWx, dWh, db = _good_step_backward_cs231n(*args)
        return dx, dhp, dcp, dWx.T, dWh.T, db

    def doubled(*args):
        *rest, db = _good_step_backward_cs231n(*args)
        return (*rest, db + db)

    for wrong, words in ((package_order, "package's order i, f, g, o"),
                         (transposed, "package's shapes"), (doubled, "twice the bias gradient")):
        with pytest.raises(CheckFailed, match=words):
            check.lstm_step_backward_cs231n(wrong)
