"""Self-checks for the graded coursework (``coursework/``) and for readers without nbgrader.

Every check tries the reader's function on several cases, edge cases included, and
says in words what is wrong. Use them as ``from lstm_course.checks import coursework
as check`` and then ``check.forget_gate(my_forget_gate)``.

The gates in the article's notation, with ``W_k: (H, H + D)`` whose first ``H``
columns multiply ``h_{t-1}`` and ``b_k: (H,)``:

``forget_gate(fn)``   ``fn(x_t, h_prev, W_f, b_f) -> f_t = sigma(W_f . [h_{t-1}, x_t] + b_f)``
``input_gate(fn)``    ``fn(x_t, h_prev, W_i, b_i) -> i_t = sigma(W_i . [h_{t-1}, x_t] + b_i)``
``candidate(fn)``     ``fn(x_t, h_prev, W_C, b_C) -> C~_t = tanh(W_C . [h_{t-1}, x_t] + b_C)``
``output_gate(fn)``   ``fn(x_t, h_prev, W_o, b_o) -> o_t = sigma(W_o . [h_{t-1}, x_t] + b_o)``
``cell_update(fn)``   ``fn(f_t, i_t, c_tilde, c_prev) -> C_t = f_t * C_{t-1} + i_t * C~_t``
``hidden_state(fn)``  ``fn(o_t, c_t) -> h_t = o_t * tanh(C_t)``

A whole step in PyTorch's layout (``torch.nn.LSTMCell``: rows of ``W_ih (4H, D)``,
``W_hh (4H, H)``, ``b_ih``, ``b_hh (4H,)`` in the blocks i, f, g, o):

``lstm_step(fn)``     ``fn(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh) -> (h_t, c_t)``

A step in cs231n's layout (``Wx (D, 4H)``, ``Wh (H, 4H)``, ``b (4H,)``, column blocks
i, f, o, g) and the converters between the two layouts:

``cs231n_step(fn)``   ``fn(x_t, h_prev, c_prev, Wx, Wh, b) -> (h_t, c_t)``
``from_torch(fn)``    ``fn(W_ih, W_hh, b_ih, b_hh) -> (Wx, Wh, b)``
``to_torch(fn)``      ``fn(Wx, Wh, b) -> (W_ih, W_hh, b_ih, b_hh)`` (only ``b_ih + b_hh`` is compared)

Two variants (chapter "Variants on LSTMs"), parameters as in ``lstm_course.variants``:

``full_peephole_step(fn)`` ``fn(x_t, h_prev, c_prev, p) -> (h_t, c_t)``, peephole matrices (H, H)
``coupled_step(fn)``  ``fn(x_t, h_prev, c_prev, p) -> (h_t, c_t)``, ``i_t = 1 - f_t``

And one tool for backpropagation through time:

``numerical_gradient(fn)``  ``fn(f, a, eps) -> grad``: central differences, ``a``
                            perturbed in place and restored.

And for the recurrent network of the first chapters:

``influence(fn)``     ``fn(x, p, h0, delta) -> (T,)``: how much nudging the first input
                      moves each later state of a tanh RNN (``rnn.RNNParams``).

``with_parts(check_fn, fn, name=(part_fn, part_check), ...)`` runs ``check_fn(fn)`` and,
if it fails, also names which of the earlier answers ``fn`` is built from fails its
own check.

Each prints ``"<name>: all N checks passed."`` or raises ``CheckFailed`` with a hint
that names the likely mistake.

The checks compare with stored values, not with code: ``data/coursework.json`` holds
each case's inputs, the expected outputs and the output of every known mistake,
written by the instructors' script ``coursework/check_data.py``. So this module holds
no implementation of a graded function, only the cases' descriptions and the hints.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

from . import Case, CheckFailed, Mistake, run_check
from ..lstm import LSTMParams
from ..variants import CoupledParams, PeepholeParams

__all__ = ["forget_gate", "input_gate", "candidate", "output_gate", "cell_update",
           "hidden_state", "lstm_step", "full_peephole_step", "coupled_step",
           "numerical_gradient"]

_DATA = Path(__file__).resolve().parent / "data" / "coursework.json"
_PARAMS = {cls.__name__: cls for cls in (LSTMParams, PeepholeParams, CoupledParams)}


@functools.lru_cache(maxsize=None)
def _stored() -> dict:
    return json.loads(_DATA.read_text())


def _decode(v):
    """Arrays, floats, tuples and parameter tuples, new objects on every call."""
    if v is None or isinstance(v, float):
        return v
    if "shape" in v:
        return np.array(v["data"], dtype=np.float64).reshape(v["shape"])
    if "tuple" in v:
        return tuple(_decode(u) for u in v["tuple"])
    return _PARAMS[v["params"]](**{k: _decode(u) for k, u in v["fields"].items()})


def _cases(name: str) -> list:
    return [Case(tuple(_decode(a) for a in c["args"]), c["description"], want=_decode(c["want"]),
                 wrong={k: _decode(u) for k, u in c["wrong"].items()})
            for c in _stored()[name]["cases"]]


def _check(student, name: str, output_names, hints: dict, **tolerance) -> None:
    """Run ``student`` on the stored cases of ``name``; ``hints`` maps mistake keys to hints."""
    run_check(student, None, _cases(name), name=name, output_names=output_names,
              mistakes=[Mistake(hint, key=key) for key, hint in hints.items()], **tolerance)


def _shape_hints(fn, name, layout):
    """Wrap ``fn`` so a shape error in a matrix product comes back with a hint."""

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValueError as exc:
            text = str(exc)
            if "matmul" in text or "shapes" in text or "broadcast" in text:
                raise ValueError(f"a shape mismatch ({text}). {layout}") from None
            raise
    return wrapped


# ---- one gate in the article's notation -------------------------------------------

_ARTICLE_LAYOUT = ("W has shape (H, H + D) and [h_{t-1}, x_t] has shape (B, H + D): arrange "
                   "the product so that these shapes agree and the result is (B, H), as in "
                   "the gate equations of chapter 4.")


def _layer_hints(act_name):
    other_name = "tanh" if act_name == "sigmoid" else "sigmoid"
    why = ("a gate's values must lie between 0 (let nothing through) and 1 (let everything "
           "through)" if act_name == "sigmoid" else
           "the candidate values C~_t must be able to be negative, in (-1, 1)")
    return {
        "other_activation": f"the values look like {other_name}: this layer uses the "
                            f"{act_name}, because {why}.",
        "x_first": "you concatenated [x_t, h_{t-1}]: the article's order is [h_{t-1}, x_t] "
                   "(h first), and W's first H columns multiply h_{t-1}.",
        "no_bias": "the bias b is missing: it belongs before the nonlinearity.",
        "no_activation": f"the {act_name} is missing: you returned the pre-activation.",
        "bias_outside": "the bias was added after the nonlinearity: it belongs inside.",
        "no_h": "h_{t-1} has no effect: the layer reads the concatenation of h_{t-1} and x_t.",
        "no_x": "x_t has no effect: the layer reads the concatenation of h_{t-1} and x_t.",
    }


def _check_layer(fn, name, symbol, act_name):
    _check(_shape_hints(fn, name, _ARTICLE_LAYOUT), name, [symbol], _layer_hints(act_name))


def forget_gate(fn) -> None:
    """Check ``fn(x_t, h_prev, W_f, b_f) -> f_t = sigma(W_f . [h_{t-1}, x_t] + b_f)``.

    x_t: (B, D); h_prev: (B, H); W_f: (H, H + D), columns for h first; b_f: (H,).
    """
    _check_layer(fn, "forget_gate", "f_t", "sigmoid")


def input_gate(fn) -> None:
    """Check ``fn(x_t, h_prev, W_i, b_i) -> i_t = sigma(W_i . [h_{t-1}, x_t] + b_i)``."""
    _check_layer(fn, "input_gate", "i_t", "sigmoid")


def output_gate(fn) -> None:
    """Check ``fn(x_t, h_prev, W_o, b_o) -> o_t = sigma(W_o . [h_{t-1}, x_t] + b_o)``."""
    _check_layer(fn, "output_gate", "o_t", "sigmoid")


def candidate(fn) -> None:
    """Check ``fn(x_t, h_prev, W_C, b_C) -> C~_t = tanh(W_C . [h_{t-1}, x_t] + b_C)``."""
    _check_layer(fn, "candidate", "C~_t", "tanh")


# ---- the cell update and the output ------------------------------------------------

_UPDATE_HINTS = {
    "swapped": "the forget and input gates are swapped: f_t scales the old state C_{t-1} "
               "and i_t scales the new candidate C~_t.",
    "no_old_state": "the old state is missing: the forget gate keeps part of C_{t-1} in the "
                    "new cell state (the cell update of chapter 4).",
    "no_candidate": "the new candidate is missing: the input gate writes part of C~_t into "
                    "the new cell state.",
    "squashed": "you squashed C_t with tanh: the cell state is updated linearly, with no "
                "nonlinearity (tanh comes only in h_t).",
    "added_gates": "you added the gates instead of multiplying: a gate scales a vector "
                   "elementwise.",
    "multiplied_terms": "you multiplied the two terms: the cell update adds what the forget "
                        "gate keeps and what the input gate writes.",
    "coupled": "you coupled the gates, writing as much as the forget gate lets go: in the "
               "standard LSTM the input gate i_t is learned on its own.",
}


def cell_update(fn) -> None:
    """Check ``fn(f_t, i_t, c_tilde, c_prev) -> C_t = f_t * C_{t-1} + i_t * C~_t``, all (B, H)."""
    _check(fn, "cell_update", ["C_t"], _UPDATE_HINTS)


_HIDDEN_HINTS = {
    "no_tanh": "the tanh is missing: without it h_t is unbounded (the output equation of "
               "chapter 4).",
    "tanh_after_product": "you applied tanh after the product: the tanh squashes the cell "
                          "state before the output gate scales it.",
    "sigmoid": "you used the sigmoid of C_t: the cell state is squashed with tanh, so h_t "
               "can be negative.",
    "no_output_gate": "the output gate is missing: it decides how much of the squashed cell "
                      "state is shown.",
    "added_output_gate": "you added the output gate: a gate scales a vector elementwise.",
}


def hidden_state(fn) -> None:
    """Check ``fn(o_t, c_t) -> h_t = o_t * tanh(C_t)``, both (B, H)."""
    _check(fn, "hidden_state", ["h_t"], _HIDDEN_HINTS)


# ---- a whole step in PyTorch's layout ----------------------------------------------

_TORCH_LAYOUT = ("PyTorch's layout: W_ih is (4H, D) and W_hh is (4H, H), so the "
                 "pre-activations have shape (B, 4H), four blocks of H columns in the "
                 "order i, f, g, o.")

_STEP_HINTS = {
    "order_ifog": "the row blocks are read in the order i, f, o, g: PyTorch stores them as "
                  "i, f, g, o (input gate, forget gate, candidate g (the article's C~), output gate).",
    "swap_fi": "the forget and input gates are swapped: in PyTorch's layout the first block "
               "of H rows is the input gate i, the second the forget gate f; f_t scales C_{t-1}.",
    "tanh_gates": "the gates use tanh: i, f and o are sigmoids; only the candidate g uses tanh.",
    "sigmoid_candidate": "the candidate g uses a sigmoid: it is tanh, so it can write "
                         "negative values.",
    "h_from_old": "h_t was computed from C_{t-1}: the output reads the cell state of this "
                  "step, so update the cell first.",
    "no_b_hh": "the bias b_hh is missing: PyTorch adds both biases, b_ih and b_hh.",
    "no_b_ih": "the bias b_ih is missing: PyTorch adds both biases, b_ih and b_hh.",
    "no_output_tanh": "the tanh in the output is missing: h_t is the output gate times the "
                      "squashed cell state.",
    "swap_out": "you returned (c_t, h_t): return h_t first, then c_t, as torch.nn.LSTMCell does.",
}


def lstm_step(fn) -> None:
    """Check ``fn(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh) -> (h_t, c_t)``.

    PyTorch's ``nn.LSTMCell`` layout: ``W_ih: (4H, D)``, ``W_hh: (4H, H)``, biases
    ``(4H,)``, row blocks i, f, g, o.
    """
    _check(_shape_hints(fn, "lstm_step", _TORCH_LAYOUT), "lstm_step", ["h_t", "c_t"],
           _STEP_HINTS)


# ---- a step in cs231n's layout and the converters from and to PyTorch's --------------

_CS231N_LAYOUT = ("cs231n's layout: Wx is (D, 4H) and Wh is (H, 4H), so x_t Wx + h_{t-1} Wh + b "
                  "has shape (B, 4H), four blocks of H columns in the order i, f, o, g.")

_CS231N_HINTS = {
    "order_ifgo": "the column blocks are read in PyTorch's order i, f, g, o: in cs231n's layout "
                  "they are i, f, o, g (the candidate g is the last block).",
    "swap_fi": "the forget and input gates are swapped: the first block of H columns is the "
               "input gate i, the second the forget gate f; f_t scales C_{t-1}.",
    "h_from_old": "h_t was computed from C_{t-1}: the output reads the cell state of this "
                  "step, so update the cell first.",
    "no_output_tanh": "the tanh in the output is missing: h_t is the output gate times the "
                      "squashed cell state.",
    "swap_out": "you returned (c_t, h_t): return h_t first, then c_t.",
}


def cs231n_step(fn) -> None:
    """Check ``fn(x_t, h_prev, c_prev, Wx, Wh, b) -> (h_t, c_t)`` in cs231n's layout.

    ``Wx: (D, 4H)``, ``Wh: (H, 4H)``, ``b: (4H,)``, column blocks i, f, o, g.
    """
    _check(_shape_hints(fn, "cs231n_step", _CS231N_LAYOUT), "cs231n_step", ["h_t", "c_t"],
           _CS231N_HINTS)


_CONVERT_LAYOUTS = ("PyTorch stores W_ih (4H, D), W_hh (4H, H) with row blocks i, f, g, o; "
                    "cs231n stores Wx (D, 4H), Wh (H, 4H) with column blocks i, f, o, g.")

_FROM_TORCH_HINTS = {
    "no_reorder": "the blocks keep PyTorch's order i, f, g, o: cs231n's columns come in the "
                  "order i, f, o, g, so two of the blocks change places.",
    "one_bias": "b is only one of PyTorch's biases: PyTorch adds both b_ih and b_hh to every "
                "pre-activation, so cs231n's single b must stand for both.",
}


def from_torch(fn) -> None:
    """Check ``fn(W_ih, W_hh, b_ih, b_hh) -> (Wx, Wh, b)``: PyTorch's layout to cs231n's."""
    _check(_shape_hints(fn, "from_torch", _CONVERT_LAYOUTS), "from_torch", ["Wx", "Wh", "b"],
           _FROM_TORCH_HINTS)


_TO_TORCH_HINTS = {
    "no_reorder": "the blocks keep cs231n's order i, f, o, g: PyTorch's rows come in the "
                  "order i, f, g, o, so two of the blocks change places.",
    "bias_twice": "b_ih + b_hh is twice the bias: PyTorch adds both biases, so together they "
                  "must add up to b once (for example all of it in b_ih and zeros in b_hh).",
}


def to_torch(fn) -> None:
    """Check ``fn(Wx, Wh, b) -> (W_ih, W_hh, b_ih, b_hh)``: cs231n's layout to PyTorch's.

    Only the sum ``b_ih + b_hh`` is compared: any split of ``b`` computes the same step.
    """
    fn = _shape_hints(fn, "to_torch", _CONVERT_LAYOUTS)

    @functools.wraps(fn)
    def summed(Wx, Wh, b):
        out = fn(Wx, Wh, b)
        if out is None:
            return None
        if not isinstance(out, (tuple, list)) or len(out) != 4:
            raise ValueError("return four arrays, (W_ih, W_hh, b_ih, b_hh)")
        W_ih, W_hh, b_ih, b_hh = out
        return W_ih, W_hh, np.asarray(b_ih) + np.asarray(b_hh)

    _check(summed, "to_torch", ["W_ih", "W_hh", "b_ih + b_hh"], _TO_TORCH_HINTS)


__all__ += ["cs231n_step", "from_torch", "to_torch"]


# ---- variants ------------------------------------------------------------------------

_PEEPHOLE_HINTS = {
    "out_sees_old": "the output gate peeks at C_{t-1}: the forget and input gates look at the "
                    "old state, but the output gate looks at the state of this step, so "
                    "compute that first.",
    "no_peepholes": "the peephole terms are missing: each gate's pre-activation also gets a "
                    "term from the cell state.",
    "transposed": "the peephole matrices are applied transposed: W_ci maps the cell state C "
                  "(B, H) to H pre-activations the way W_hh maps h_{t-1}.",
    "diagonal_only": "only the diagonal of the peephole matrices is used: here every unit's "
                     "gate sees the whole cell state, not only its own cell.",
}


def full_peephole_step(fn) -> None:
    """Check ``fn(x_t, h_prev, c_prev, p) -> (h_t, c_t)`` for a peephole LSTM with full matrices.

    ``p`` is a ``variants.PeepholeParams`` with ``W_ci, W_cf, W_co`` of shape ``(H, H)``:
    the gate of every unit sees the whole cell state.
    """
    _check(_shape_hints(fn, "full_peephole_step", _TORCH_LAYOUT), "full_peephole_step",
           ["h_t", "c_t"], _PEEPHOLE_HINTS)


_COUPLED_HINTS = {
    "write_f": "the candidate is scaled by f_t: the coupled cell writes exactly as much as "
               "it forgets.",
    "write_all": "the candidate is not scaled at all: in the coupled cell the forget gate "
                 "also decides how much is written.",
    "order_gfo": "the row blocks are read in the wrong order: the coupled cell's blocks are "
                 "f, g, o (an LSTM's i, f, g, o with i removed).",
    "order_fog": "the row blocks are read as f, o, g: the coupled cell's order is f, g, o.",
    "h_from_old": "h_t was computed from C_{t-1}: use the new C_t.",
}


def coupled_step(fn) -> None:
    """Check ``fn(x_t, h_prev, c_prev, p) -> (h_t, c_t)``: ``C_t = f_t C_{t-1} + (1 - f_t) C~_t``.

    ``p`` is a ``variants.CoupledParams`` (row blocks f, g, o).
    """
    _check(_shape_hints(fn, "coupled_step", _TORCH_LAYOUT), "coupled_step", ["h_t", "c_t"],
           _COUPLED_HINTS)


# ---- finite differences -------------------------------------------------------------

def _quadratic(a):
    """A scalar function of ``a`` with a known, non-trivial gradient (a test function)."""
    w = np.linspace(-1.0, 1.0, a.size).reshape(a.shape)
    return lambda: float(np.sum(w * a ** 3) + np.sum(np.sin(a)))


_NUMGRAD_HINTS = {
    "forward_difference": "that is a forward difference: use the central difference of "
                          "section 1, whose error shrinks like eps**2.",
}


def numerical_gradient(fn) -> None:
    """Check ``fn(f, a, eps) -> grad``: central differences of the scalar ``f()``.

    ``f`` takes no argument and reads ``a``, which ``fn`` perturbs in place one entry at
    a time; ``a`` must hold its original values when ``fn`` returns.
    """
    def student(a, eps):
        a = a.copy()
        before = a.copy()
        out = fn(_quadratic(a), a, eps)
        if not np.array_equal(a, before):
            raise CheckFailed("`a` was left changed: restore each entry after perturbing "
                              "it, so that f() sees the original values again.")
        return out

    _check(student, "numerical_gradient", ["grad"], _NUMGRAD_HINTS, rtol=1e-6, atol=1e-9)


# ---- the recurrent network of the first chapters (assignment "recurrence") -----------

_RUN_HINTS = {
    "restarts": "every step starts again from h0: each step must read the state the step "
                "before it produced.",
    "off_by_one": "the states are off by one: return h_1 .. h_T, without h_0.",
    "x_first": "the concatenation is in the wrong order: W's first H columns multiply h_{t-1}.",
    "no_tanh": "the nonlinearity is missing: each new state is squashed.",
}


def run_rnn(fn) -> None:
    """Check ``fn(x, W, b, h0) -> hs``: every state h_1 .. h_T of a tanh RNN, (B, T, H).

    x: (B, T, D); W: (H, H + D), the article's matrix (columns for h_{t-1} first); b: (H,);
    h0: (B, H).
    """
    def student(x, W, b, h0):
        before = x.copy()
        out = fn(x, W, b, h0)
        if not np.array_equal(x, before):
            raise CheckFailed("your function changed the caller's x.")
        return out

    _check(_shape_hints(student, "run_rnn", _ARTICLE_LAYOUT), "run_rnn", ["hs"], _RUN_HINTS)


_INFLUENCE_HINTS = {
    "not_divided": "the result depends on the size of the nudge: it should be a sensitivity.",
    "last_input": "you nudged the last input x[:, -1]: nudge the first one, x[:, 0], and watch "
                  "how its effect fades over the following steps.",
}


def influence(fn) -> None:
    """Check ``fn(x, W, b, h0, delta) -> (T,)``: how much nudging ``x[:, 0]`` moves each state.

    Entry ``t`` is the batch mean of ``||h'_{t+1} - h_{t+1}|| / delta``, where ``h'`` is
    the run with ``delta`` added to every feature of the first input. ``x`` must be
    left unchanged.
    """
    def student(x, W, b, h0, delta):
        before = x.copy()
        out = fn(x, W, b, h0, delta)
        if not np.array_equal(x, before):
            raise CheckFailed("your function changed the caller's x: nudge a copy, not x "
                              "itself.")
        return out

    _check(student, "influence", ["influence"], _INFLUENCE_HINTS, rtol=1e-5, atol=1e-9)


__all__ += ["run_rnn", "influence"]


# ---- backpropagation through a whole sequence (assignment "bptt") ---------------------

_SEQUENCE_HINTS = {
    "c_not_carried": "the gradient along the cell state is not carried from one step to the "
                     "one before: what your step sends to C_{t-1} must arrive at step t-1.",
    "h_not_carried": "the gradient along the hidden state is not carried from one step to the "
                     "one before: h_{t-1} feeds the loss directly and through step t, and both "
                     "add up.",
    "no_tanh_path": "your step backward forgets the path from h_t into C_t.",
    "no_gate_slopes": "the sigmoid slopes of the gates are missing.",
    "no_candidate_slope": "the slope of the candidate's tanh is missing.",
    "order_figo": "the pre-activation gradients are stacked in the article's order f, i, C~, "
                  "o; the parameters use PyTorch's row blocks i, f, g, o.",
}


def sequence_backward(fn) -> None:
    """Check ``fn(dhs, x, p, h0, c0) -> (dx, dW_ih, dW_hh, db, dh0, dc0)``.

    dhs: (B, T, H), the gradient reaching every h_t from the loss; x: (B, T, D);
    p: lstm.LSTMParams; h0, c0: (B, H). Returns dx (B, T, D), dW_ih (4H, D), dW_hh (4H, H),
    db (4H,) (the gradient of either bias), dh0 and dc0 (B, H). The stored truth comes
    from ``lstm.lstm_backward``.
    """
    _check(fn, "sequence_backward", ["dx", "dW_ih", "dW_hh", "db", "dh0", "dc0"],
           _SEQUENCE_HINTS)


__all__ += ["sequence_backward"]


# ---- a check that points at a broken earlier part ------------------------------------

def with_parts(check_fn, fn, *, defer: bool = False, **parts) -> None:
    """Run ``check_fn(fn)``; if it fails, also say which of the parts ``fn`` uses fails.

    ``parts`` maps a name to ``(part_fn, part_check)``, for example
    ``gate=(forget_gate, check.forget_gate)``. A function built from earlier answers often
    fails only because one of them is wrong; the message then says which one to fix first.
    With ``defer=True`` that case does not fail: it prints what to fix, because the graded
    version of this test runs ``fn`` with correct earlier parts (one mistake costs points
    once, in the test of the part that has it).
    """
    import contextlib
    import io

    try:
        check_fn(fn)
    except CheckFailed as exc:
        broken = []
        for name, (part_fn, part_check) in parts.items():
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    part_check(part_fn)
            except CheckFailed as part_exc:
                broken.append(f"{name} fails its own check ({part_exc})")
        if broken and defer:
            print(f"Not checked here, because {'; '.join(broken)}. Fix that first. When the "
                  "notebook is graded, this test runs your function with correct versions of "
                  "the earlier parts, so that mistake is not charged twice.")
            return
        if broken:
            raise CheckFailed(f"{exc} Your function uses earlier parts, and "
                              + "; ".join(broken) + ". Fix that first.") from None
        raise


__all__ += ["with_parts"]
