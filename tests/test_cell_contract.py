"""One contract test for every cell module (the contract is written down in lstm_course.cells).

Each entry of CELLS names a cell: its params, its step / step backward / forward /
backward, its state's form, and the extra option that follows ``p`` (the GRU's form).
Adding a variant is one module and one entry here. Torch parity and cell-specific
behaviour stay in the cells' own test files.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
import pytest

from lstm_course import cells, gru, lstm, rnn, variants
from lstm_course.gradcheck import check_gradients


class Cell(NamedTuple):
    init: Callable  # (D, H, rng) -> params
    step: Callable
    step_backward: Callable
    forward: Callable
    backward: Callable
    pair: bool  # the state is (h, c)
    option: tuple = ()  # the extra argument after p


CELLS = {
    "rnn-tanh": Cell(lambda D, H, r: rnn.init_params(D, H, r), rnn.rnn_step, rnn.rnn_step_backward,
                     rnn.rnn_forward, rnn.rnn_backward, False),
    "rnn-relu": Cell(lambda D, H, r: rnn.init_params(D, H, r, nonlinearity="relu"), rnn.rnn_step,
                     rnn.rnn_step_backward, rnn.rnn_forward, rnn.rnn_backward, False),
    "lstm": Cell(lambda D, H, r: lstm.init_params(D, H, r, forget_bias=1.0), lstm.lstm_step,
                 lstm.lstm_step_backward, lstm.lstm_forward, lstm.lstm_backward, True),
    "gru-torch": Cell(gru.init_params, gru.gru_step, gru.gru_step_backward, gru.gru_forward,
                      gru.gru_backward, False, ("torch",)),
    "gru-article": Cell(gru.init_params, gru.gru_step, gru.gru_step_backward, gru.gru_forward,
                        gru.gru_backward, False, ("article",)),
    "peephole-full": Cell(variants.init_peephole_params, variants.peephole_step, variants.peephole_step_backward,
                          variants.peephole_forward, variants.peephole_backward, True),
    "peephole-diagonal": Cell(lambda D, H, r: variants.init_peephole_params(D, H, r, diagonal=True),
                              variants.peephole_step, variants.peephole_step_backward,
                              variants.peephole_forward, variants.peephole_backward, True),
    "coupled": Cell(variants.init_coupled_params, variants.coupled_step, variants.coupled_step_backward,
                    variants.coupled_forward, variants.coupled_backward, True),
}


def _forward(cell, x, p, state=None, **flags):
    kw = {"form": cell.option[0]} if cell.option else {}
    return cell.forward(x, p, state, **kw, **flags)


def _data(cell, B=2, T=4, D=3, H=5, seed=3, dtype=np.float64):
    rng = np.random.default_rng(seed)
    p = cell.init(D, H, rng)
    x = rng.normal(size=(B, T, D)).astype(dtype)
    h0, c0 = rng.normal(size=(B, H)).astype(dtype), rng.normal(size=(B, H)).astype(dtype)
    state = (h0, c0) if cell.pair else h0
    R = rng.normal(size=(B, T, H)).astype(dtype)  # dL/dhs
    dstate = (rng.normal(size=(B, H)), rng.normal(size=(B, H))) if cell.pair else rng.normal(size=(B, H))
    return p, x, state, R, dstate


def _unchecked_step_backward(cell):
    """The public step backward in the loop shape of cells.backprop_steps."""
    return lambda dstate, x_t, state, p, *option: cell.step_backward(dstate, x_t, state, p, *option)


@pytest.mark.parametrize("name", CELLS)
def test_stepping_equals_the_whole_sequence(name):
    cell = CELLS[name]
    p, x, state, _, _ = _data(cell)
    hs, final = _forward(cell, x, p, state)
    s = state
    for t in range(x.shape[1]):
        s = cell.step(x[:, t], s, p, *cell.option)
        np.testing.assert_allclose(s[0] if cell.pair else s, hs[:, t], rtol=0, atol=1e-12)
    for a, b in zip(final if cell.pair else [final], s if cell.pair else [s]):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", CELLS)
def test_sequence_backward_equals_the_step_backward_chained(name):
    """For the LSTM this is the fast in-place backward against the readable step backward."""
    cell = CELLS[name]
    p, x, state, R, dstate = _data(cell)
    cache = _forward(cell, x, p, state, return_cache=True).cache
    dx, dp, d0 = cell.backward(R, cache, dstate)
    hs, _ = _forward(cell, x, p, state)
    hs_tm = np.concatenate([(state[0] if cell.pair else state)[None], cells.time_major(hs)])
    if cell.pair:  # the cell states: step the cell again
        cs, s = [state[1]], state
        for t in range(x.shape[1]):
            s = cell.step(x[:, t], s, p)
            cs.append(s[1])
        states = list(zip(hs_tm, cs))
    else:
        states = list(hs_tm)
    dx_tm, dp2, d02 = cells.backprop_steps(_unchecked_step_backward(cell), cells.time_major(R),
                                           cells.time_major(x), states, dstate, p, *cell.option)
    np.testing.assert_allclose(dx, cells.batch_major(dx_tm), rtol=1e-10, atol=1e-12)
    for f in cells._arrays(dp):
        np.testing.assert_allclose(getattr(dp, f), getattr(dp2, f), rtol=1e-10, atol=1e-12, err_msg=f)
    for a, b in zip(d0 if cell.pair else [d0], d02 if cell.pair else [d02]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", CELLS)
def test_step_backward_matches_finite_differences(name):
    cell = CELLS[name]
    p, x, state, R, dstate = _data(cell, T=1)
    x_t = x[:, 0]
    dh = R[:, 0]
    dgrad = (dh + dstate[0], dstate[1]) if cell.pair else dh + dstate

    def loss():
        s = cell.step(x_t, state, p, *cell.option)
        if cell.pair:
            return np.sum(dgrad[0] * s[0]) + np.sum(dgrad[1] * s[1])
        return np.sum(dgrad * s)

    dx_t, dp, d_prev = cell.step_backward(dgrad, x_t, state, p, *cell.option)
    arrays = {f: getattr(p, f) for f in cells._arrays(dp)}
    analytic = {f: getattr(dp, f) for f in arrays}
    arrays["x_t"], analytic["x_t"] = x_t, dx_t
    for k, (s, d) in enumerate(zip(state if cell.pair else [state], d_prev if cell.pair else [d_prev])):
        arrays[f"state[{k}]"], analytic[f"state[{k}]"] = s, d
    # b_ih and b_hh are tied in the analytic result: each gets the full gradient
    check_gradients(loss, arrays, analytic, eps=1e-5, tol=1e-7)


@pytest.mark.parametrize("name", CELLS)
def test_float32_in_float32_out_and_named_fields(name):
    cell = CELLS[name]
    p, x, state, R, dstate = _data(cell, dtype=np.float32)
    out = _forward(cell, x, p, state, return_cache=True, return_gates=True)
    assert out._fields == ("hs", "state", "cache", "gates")
    assert out.hs.dtype == np.float32 and isinstance(out.gates, dict)
    assert _forward(cell, x, p, state)._fields == ("hs", "state")
    dx, dp, _ = cell.backward(R, out.cache)
    assert dx.dtype == np.float32
    assert all(a.dtype == np.float32 for a in dp if isinstance(a, np.ndarray))
    ref = _forward(cell, x.astype(np.float64), p, tuple(s.astype(np.float64) for s in state) if cell.pair
                   else state.astype(np.float64)).hs
    np.testing.assert_allclose(out.hs, ref, atol=1e-5)


@pytest.mark.parametrize("name", CELLS)
def test_bad_input_is_refused_at_the_boundary(name):
    cell = CELLS[name]
    p, x, state, R, _ = _data(cell)
    with pytest.raises(ValueError, match=r"x: expected a 3-D array"):
        _forward(cell, x[0], p)
    with pytest.raises(ValueError, match=r"x: expected input size D=3"):
        _forward(cell, x[:, :, :2], p)
    with pytest.raises(TypeError, match=r"x: expected a float32 or float64"):
        _forward(cell, x.astype(int), p)
    with pytest.raises(ValueError, match=r"x_t: expected input size D=3"):
        cell.step(x[:, 0, :2], state, p, *cell.option)
    with pytest.raises(TypeError, match=r"cache: expected the \w*Cache"):
        cell.backward(R, {"x": x})
    with pytest.raises(TypeError, match=r"rng: expected a numpy Generator"):
        cell.init(3, 5, 0)
