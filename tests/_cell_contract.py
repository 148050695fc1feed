"""How the cell contract test (``tests/test_cell_contract.py``) drives a cell, and its bad input.

``Cell`` describes a cell module to the test (the list of cells, ``CELLS``, is in the test
module, the one place to add a cell). Here: the helpers that call any cell in its own form
(``cell_forward``, ``step_args``), take its state and params apart and back together
(``state_arrays``, ``make_state``, ``top_h``, ``param_arrays``), draw random data
(``make_data``) and give the loss whose gradients the backward returns (``contract_loss``);
then the rows of bad input, each with the clear error it must raise, and the good arguments
they start from (``good_args``, ``fill_pattern``).
"""
from __future__ import annotations

from types import ModuleType
from typing import Callable, NamedTuple

import numpy as np


class Cell(NamedTuple):
    module: ModuleType
    prefix: str  # the functions are module.{prefix}_step, _step_backward, _forward, _backward
    init: Callable  # (D, H, rng, **options) -> params
    G: int  # row blocks of W_ih and W_hh: W_hh is (G*H, H)
    pair: bool  # the state is (h, c)
    torch: Callable | None  # the torch reference: (x, ps, state=None) -> (hs, final); None: no torch
    option: tuple = ()  # the extra argument after p
    forget_block: int | None = None  # the row block of b_ih that forget_bias shifts
    layers: int = 0  # > 0: the state is a list of (h, c), one per layer, bottom first
    clock: bool = False  # the step number t (from 1) follows p: the Clockwork RNN
    gates: bool = True  # step and forward take return_gates and give (B, H) / (B, T, H) arrays
    constrain: Callable = lambda p: p  # the params the forward accepts, for finite differences
    # finite differences' tolerance, per entry: the depth-gated stack has entries whose true
    # gradient is ~1e-5, where central differences stop at ~1e-7; it is checked exactly
    # against torch's autograd in test_more_variants.py instead
    fd_tol: float = 1e-7

    step = property(lambda c: getattr(c.module, f"{c.prefix}_step"))
    step_backward = property(lambda c: getattr(c.module, f"{c.prefix}_step_backward"))
    forward = property(lambda c: getattr(c.module, f"{c.prefix}_forward"))
    backward = property(lambda c: getattr(c.module, f"{c.prefix}_backward"))



def cell_forward(cell, x, p, state=None, **flags):
    kw = {"form": cell.option[0]} if cell.option else {}
    return cell.forward(x, p, state, **kw, **flags)


def step_args(cell, t=0):
    """The extra arguments after p of step t (from 0)."""
    return cell.option + ((t + 1,) if cell.clock else ())


def state_arrays(cell, s):
    """The state's arrays as a list: [h], [h, c] or [h, c] per layer."""
    if cell.layers:
        return [a for pair in s for a in pair]
    return list(s) if cell.pair else [s]


def make_state(cell, arrays):
    """The state from its arrays: the inverse of _states."""
    if cell.layers:
        return [tuple(arrays[2 * L:2 * L + 2]) for L in range(cell.layers)]
    return tuple(arrays) if cell.pair else arrays[0]


def top_h(cell, s):
    """The h of the output: the top layer's in a stack."""
    return state_arrays(cell, s)[-2 if cell.pair else 0]


def param_arrays(p, prefix="") -> dict:
    """Every array of the params by name, nested params (a stack's layers) included."""
    out = {}
    for f in p._fields:
        a = getattr(p, f)
        if isinstance(a, np.ndarray):
            out[prefix + f] = a
        elif a and all(hasattr(q, "_fields") for q in a):  # a tuple of params
            for k, q in enumerate(a):
                out |= param_arrays(q, f"{prefix}{f}[{k}].")
    return out


def make_data(cell, B=2, T=4, D=3, H=5, seed=3, dtype=np.float64, params_dtype=np.float64):
    """params, x (B, T, D), state, dL/dhs (B, T, H) and dL/dstate_T, random normal but the params."""
    rng = np.random.default_rng(seed)
    p = cell.init(D, H, rng, dtype=params_dtype)
    x = rng.normal(size=(B, T, D)).astype(dtype)
    n = 2 * cell.layers if cell.layers else 1 + cell.pair  # arrays in a state
    s0 = [rng.normal(size=(B, H)).astype(dtype) for _ in range(max(n, 2))]  # h0, c0 always: the draws stay put
    R = rng.normal(size=(B, T, H)).astype(dtype)
    dstate = make_state(cell, [rng.normal(size=(B, H)).astype(dtype) for _ in range(n)])
    return p, x, make_state(cell, s0[:n]), R, dstate


def contract_loss(cell, x, p, state, R, dstate):
    """sum(hs * R) + sum(state_T * dstate): the loss whose gradients the backward returns."""
    hs, final = cell_forward(cell, x, cell.constrain(p), state)
    return np.sum(hs * R) + sum(np.sum(s * d) for s, d in zip(state_arrays(cell, final), state_arrays(cell, dstate)))


# ----------------------------------------------------------------------------- bad input
# Each row: label, call(cell, c) where c holds good arguments (B, T, D, H = 2, 5, 3, 4), the
# exception, and the message for a one-array state and for a pair (h, c) when they differ.
# Patterns are formatted with G and GH (the rows of W_hh).


def _with(a, idx, value):
    a = a.copy()
    a[idx] = value
    return a


def _pair_or(cell, one, pair):
    return pair if cell.pair else one


BAD_FORWARD = [
    ("2-D x", lambda cell, c: cell_forward(cell, c.x[0], c.p), ValueError,
     r"x: expected a 3-D array \(B, T, D\), got shape \(5, 3\) \(a single sequence\? add a batch axis"),
    ("4-D x", lambda cell, c: cell_forward(cell, c.x[..., None], c.p), ValueError, r"x: expected a 3-D array"),
    ("D too big", lambda cell, c: cell_forward(cell, np.zeros((2, 4, 5)), c.p), ValueError,
     r"x: expected input size D=3 .*got shape \(2, 4, 5\)"),
    ("D too small", lambda cell, c: cell_forward(cell, c.x[:, :, :2], c.p), ValueError,
     r"x: expected input size D=3 .*got shape \(2, 5, 2\)"),
    ("T = 0", lambda cell, c: cell_forward(cell, np.zeros((2, 0, 3)), c.p), ValueError,
     r"x: expected at least one time step"),
    ("B = 0", lambda cell, c: cell_forward(cell, np.zeros((0, 4, 3)), c.p), ValueError, r"x: expected batch size"),
    ("int64 x", lambda cell, c: cell_forward(cell, c.x.astype(np.int64), c.p), TypeError,
     r"x: expected a float32 or float64 array, got dtype int64"),
    ("int32 x", lambda cell, c: cell_forward(cell, c.x.astype(np.int32), c.p), TypeError, r"x: .*got dtype int32"),
    ("str x", lambda cell, c: cell_forward(cell, "abc", c.p), TypeError, r"x: expected a float32 or float64 array, got str"),
    ("object x", lambda cell, c: cell_forward(cell, np.array([[[None]]], dtype=object), c.p), TypeError, r"x: .*object"),
    ("NaN x", lambda cell, c: cell_forward(cell, _with(c.x, (0, 1, 2), np.nan), c.p), ValueError,
     r"x: expected finite values, got 1 NaN"),
    ("inf x", lambda cell, c: cell_forward(cell, _with(c.x, (1, 0, 0), -np.inf), c.p), ValueError,
     r"x: expected finite values, got 0 NaN and 1 inf"),
]
BAD_STATE = [
    ("state form", lambda cell, c: cell_forward(cell, c.x, c.p, _pair_or(cell, c.s0[:2], c.s0[0])), TypeError,
     r"state: expected one array of shape \(2, 4\), got a tuple of length 2 \(an RNN/GRU has no cell state\)",
     r"state: expected a pair \(h, c\) of arrays each of shape \(2, 4\), got array"),
    ("state 3-array", lambda cell, c: cell_forward(cell, c.x, c.p, np.zeros((2, 2, 4))), None,
     r"state: expected shape \(B, H\) = \(2, 4\), got \(2, 2, 4\)", r"state: expected a pair \(h, c\)"),
    ("state triple", lambda cell, c: cell_forward(cell, c.x, c.p, (c.s0[0],) * 3), TypeError,
     r"state: expected one array .*of length 3", r"state: expected a pair \(h, c\).*of length 3"),
    ("h wrong H", lambda cell, c: cell_forward(cell, c.x, c.p, c.state(np.zeros((2, 5)), 0)), ValueError,
     r"state{h}: expected shape \(B, H\) = \(2, 4\), got \(2, 5\)"),
    ("c wrong H", lambda cell, c: cell_forward(cell, c.x, c.p, c.state(np.zeros((2, 5)), -1)), ValueError,
     r"state{c}: expected shape \(B, H\) = \(2, 4\), got \(2, 5\)"),
    ("c wrong B", lambda cell, c: cell_forward(cell, c.x, c.p, c.state(np.zeros((3, 4)), -1)), ValueError,
     r"state{c}: expected shape \(B, H\) = \(2, 4\), got \(3, 4\)"),
    ("h (layers, B, H)", lambda cell, c: cell_forward(cell, c.x, c.p, c.state(np.zeros((1, 2, 4)), 0)), ValueError,
     r"state{h}: expected shape \(B, H\) = \(2, 4\), got \(1, 2, 4\)"),
    ("h 1-D", lambda cell, c: cell_forward(cell, c.x, c.p, c.state(np.zeros(4), 0)), ValueError,
     r"state{h}: expected shape \(B, H\)"),
    ("h int", lambda cell, c: cell_forward(cell, c.x, c.p, c.state(np.zeros((2, 4), dtype=np.int32), 0)), TypeError,
     r"state{h}: .*int32"),
    ("c NaN", lambda cell, c: cell_forward(cell, c.x, c.p, c.state(np.full((2, 4), np.nan), -1)), ValueError,
     r"state{c}: expected finite values"),
]
BAD_PARAMS = [
    ("plain tuple", lambda cell, c: cell_forward(cell, c.x, tuple(c.p)), TypeError,
     r"params: expected [\w -]+ params with fields"),
    ("W_hh not (G*H, H)", lambda cell, c: cell_forward(cell, c.x, c.p._replace(W_hh=np.zeros((c.GH, 5)))), ValueError,
     r"params.W_hh: expected shape \({G}\*H, H\) for a"),
    ("W_hh one block short", lambda cell, c: cell_forward(cell, c.x, c.p._replace(W_hh=np.zeros((c.GH - 4, 4)))), ValueError,
     r"params.W_hh: expected shape \({G}\*H, H\)"),
    ("W_ih disagrees", lambda cell, c: cell_forward(cell, c.x, c.p._replace(W_ih=np.zeros((c.GH - 4, 3)))), ValueError,
     r"params.W_ih: expected shape \({GH}, D\) .*got \({GH4}, 3\)"),
    ("W_ih 3-D", lambda cell, c: cell_forward(cell, c.x, c.p._replace(W_ih=np.zeros((c.GH, 3, 1)))), ValueError,
     r"params.W_ih: expected shape \({GH}, D\)"),
    ("W_ih another D", lambda cell, c: cell_forward(cell, c.x, c.p._replace(W_ih=np.zeros((c.GH, 2)))), ValueError,
     r"x: expected input size D=2"),
    ("b_ih short", lambda cell, c: cell_forward(cell, c.x, c.p._replace(b_ih=np.zeros(c.GH - 1))), ValueError,
     r"params.b_ih: expected shape \({GH},\)"),
    ("b_hh short", lambda cell, c: cell_forward(cell, c.x, c.p._replace(b_hh=np.zeros(c.GH - 4))), ValueError,
     r"params.b_hh: expected shape \({GH},\).*\({GH4},\)"),
    ("b_hh 2-D", lambda cell, c: cell_forward(cell, c.x, c.p._replace(b_hh=np.zeros((c.GH, 1)))), ValueError,
     r"params.b_hh: expected shape \({GH},\)"),
    ("int b_ih", lambda cell, c: cell_forward(cell, c.x, c.p._replace(b_ih=np.zeros(c.GH, dtype=int))), TypeError,
     r"params.b_ih: expected a float32 or float64"),
    ("int64 W_ih", lambda cell, c: cell_forward(cell, c.x, c.p._replace(W_ih=c.p.W_ih.astype(np.int64))), TypeError,
     r"params.W_ih: .*int64"),
    ("inf W_hh", lambda cell, c: cell_forward(cell, c.x, c.p._replace(W_hh=np.full((c.GH, 4), np.inf))), ValueError,
     r"params.W_hh: expected finite"),
    ("inf W_ih", lambda cell, c: cell_forward(cell, c.x, c.p._replace(W_ih=np.full((c.GH, 3), np.inf))), ValueError,
     r"params.W_ih: expected finite"),
]
BAD_STEP = [
    ("x_t 3-D", lambda cell, c: cell.step(c.x, None, c.p, *step_args(cell)), ValueError,
     r"x_t: expected a 2-D array \(B, D\), got shape \(2, 5, 3\)"),
    ("x_t 1-D", lambda cell, c: cell.step(np.zeros(3), None, c.p, *step_args(cell)), ValueError,
     r"x_t: expected a 2-D array"),
    ("x_t D too small", lambda cell, c: cell.step(c.x[:, 0, :2], None, c.p, *step_args(cell)), ValueError,
     r"x_t: expected input size D=3 .*got shape \(2, 2\)"),
    ("x_t D too big", lambda cell, c: cell.step(np.zeros((2, 4)), None, c.p, *step_args(cell)), ValueError,
     r"x_t: expected input size D=3"),
    ("x_t int", lambda cell, c: cell.step(np.zeros((2, 3), dtype=np.int64), None, c.p, *step_args(cell)), TypeError,
     r"x_t: .*int64"),
    ("x_t NaN", lambda cell, c: cell.step(np.full((2, 3), np.nan), None, c.p, *step_args(cell)), ValueError,
     r"x_t: expected finite"),
    ("wrong state", lambda cell, c: cell.step(c.x[:, 0], np.zeros((1, 4)) if not cell.pair else c.s0[0], c.p,
                                              *step_args(cell)), None,
     r"h_prev: expected shape \(B, H\) = \(2, 4\), got \(1, 4\)", r"state: expected a pair \(h, c\)"),
    ("1-D state", lambda cell, c: cell.step(c.x[:, 0], np.zeros(4), c.p, *step_args(cell)), None,
     r"h_prev: expected shape \(B, H\) = \(2, 4\), got \(4,\)", r"state: expected a pair \(h, c\)"),
]
BAD_BACKWARD = [
    ("dhs short T", lambda cell, c: cell.backward(np.zeros((2, 4, 4)), c.cache), ValueError,
     r"dhs: expected shape \(2, 5, 4\) \(the forward output's\), got \(2, 4, 4\)"),
    ("dhs wrong H", lambda cell, c: cell.backward(np.zeros((2, 5, 3)), c.cache), ValueError,
     r"dhs: expected shape \(2, 5, 4\) \(the forward output's\), got \(2, 5, 3\)"),
    ("dhs 2-D", lambda cell, c: cell.backward(np.zeros((5, 4)), c.cache), ValueError,
     r"dhs: expected shape \(2, 5, 4\).*got \(5, 4\)"),
    ("dhs NaN", lambda cell, c: cell.backward(np.full((2, 5, 4), np.nan), c.cache), ValueError, r"dhs: expected finite"),
    ("dhs inf", lambda cell, c: cell.backward(np.full((2, 5, 4), np.inf), c.cache), ValueError, r"dhs: expected finite"),
    ("dstate 1-D", lambda cell, c: cell.backward(c.dhs, c.cache, c.state(np.zeros(4), -1)), ValueError,
     r"dstate{dc}: expected shape \(2, 4\).*got \(4,\)"),
    ("dstate (1, B, H)", lambda cell, c: cell.backward(c.dhs, c.cache, c.state(np.zeros((1, 2, 4)), -1)), ValueError,
     r"dstate{dc}: expected shape \(2, 4\).*got \(1, 2, 4\)"),
    ("dstate form", lambda cell, c: cell.backward(c.dhs, c.cache, _pair_or(cell, c.s0[:1], c.s0[0])), TypeError,
     r"dstate: expected None or one array dh_T of shape \(2, 4\)",
     r"dstate: expected None or a pair \(dh_T, dc_T\) of arrays each of shape \(2, 4\)"),
    ("dstate triple", lambda cell, c: cell.backward(c.dhs, c.cache, (None, None, None)), TypeError,
     r"dstate: expected None or one array", r"dstate: .*of length 3"),
    ("dstate int", lambda cell, c: cell.backward(c.dhs, c.cache, c.state(np.zeros((2, 4), dtype=int), 0, None)),
     TypeError, r"dstate{dh}: .*int"),
    ("cache None", lambda cell, c: cell.backward(c.dhs, None), TypeError,
     r"cache: expected the \w+Cache from \w+_forward\(\.\.\., return_cache=True\), got NoneType"),
    ("cache tuple", lambda cell, c: cell.backward(c.dhs, (np.zeros(3),)), TypeError, r"cache: expected the \w+Cache"),
    ("cache dict", lambda cell, c: cell.backward(c.dhs, {"x": c.x}), TypeError, r"cache: expected the \w+Cache"),
]
BAD = BAD_FORWARD + BAD_STATE + BAD_PARAMS + BAD_STEP + BAD_BACKWARD
# rows that know PyTorch's layout, and rows that know a state h or (h, c) but not a stack of them
LAYOUT_ROWS = {r[0] for r in BAD_PARAMS}
STATE_ROWS = {r[0] for r in BAD_STATE + BAD_STEP[-2:] + BAD_BACKWARD if r[0].split()[0] in ("state", "h", "c", "wrong",
                                                                                           "1-D", "dstate")}


class Good(NamedTuple):
    """Good arguments for B, T, D, H = 2, 5, 3, 4, and a state with one entry replaced."""
    cell: Cell
    p: tuple
    x: np.ndarray
    cache: tuple
    pair: bool
    dhs: np.ndarray = np.zeros((2, 5, 4))
    s0: tuple = (np.zeros((2, 4)), np.zeros((2, 4)))

    GH = property(lambda c: c.p.W_hh.shape[0])

    def state(self, a, k, other=np.zeros((2, 4))):
        """A pair with entry k replaced by a (the other entry `other`), or a itself."""
        if not self.pair:
            return a
        return (a, other) if k == 0 else (other, a)


def good_args(cell):
    p = cell.init(3, 4, np.random.default_rng(0))
    x = np.random.default_rng(1).normal(size=(2, 5, 3))
    return Good(cell, p, x, cell_forward(cell, x, p, return_cache=True).cache, cell.pair)


def fill_pattern(cell, c, pattern):
    """Fill in {G}, {GH}, {GH4} (rows of W_hh, less one block of 4) and the state entry's name."""
    names = {"{h}": r"\[0\] \(h\)", "{c}": r"\[1\] \(c\)", "{dh}": r"\[0\] \(dh_T\)", "{dc}": r"\[1\] \(dc_T\)"}
    for key, entry in names.items():
        pattern = pattern.replace(key, entry if cell.pair else "")
    if "{G" not in pattern:
        return pattern
    return pattern.replace("{GH4}", str(c.GH - 4)).replace("{GH}", str(c.GH)).replace("{G}", str(c.GH // 4))
