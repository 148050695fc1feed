"""Self-checks for the appendix "From this course to torch.nn.LSTM".

``quiz_questions()``      the questions of ``QUIZ``, as text.
``shape_quiz(answers)``   the reader's predicted shapes, a dict (or a function returning it)
                          ``{question: {tensor: shape}}`` for the questions in ``QUIZ``;
                          compared with the shapes ``torch.nn.LSTM`` actually produces.
``padded_h_n(fn)``        the reader's ``fn(module, x, pad, side) -> h_n``: the final hidden
                          state of a batch-first one-layer LSTM run, without packing, on
                          ``x (B, T, D)`` with ``pad`` zero steps added at the "end" or "start".

Each prints one line when everything is right, or raises ``CheckFailed`` saying what is
wrong; a wrong shape that matches a known misconception is explained.
"""
from __future__ import annotations

import numpy as np

from . import Case, CheckFailed, Mistake, run_check

__all__ = ["QUIZ", "quiz_questions", "quiz_shapes", "shape_quiz", "padded_h_n"]

# Each question: the module's arguments, the input's (B, T) and, for packed input, lengths.
QUIZ = {
    "A": dict(module=dict(input_size=5, hidden_size=8, num_layers=2, bidirectional=True, proj_size=3,
                          batch_first=True), B=2, T=6),
    "B": dict(module=dict(input_size=5, hidden_size=8, num_layers=3), B=2, T=5),
    "C": dict(module=dict(input_size=5, hidden_size=8, bidirectional=True, batch_first=True), B=3, T=6,
              lengths=[5, 4, 1]),
    "D": dict(module=dict(input_size=5, hidden_size=8, num_layers=2, bidirectional=True, proj_size=3),
              weights=["weight_ih_l1", "weight_hh_l1_reverse", "weight_hr_l0"]),
}


def quiz_questions() -> str:
    """The questions of ``QUIZ`` as text, one line each, for the chapter to print."""
    lines = []
    for key, q in QUIZ.items():
        args = ", ".join(f"{k}={v}" for k, v in q["module"].items())
        if "weights" in q:
            lines.append(f"{key}. nn.LSTM({args}): the shapes of {', '.join(q['weights'])}?")
            continue
        layout = "(B, T, D)" if q["module"].get("batch_first") else "(T, B, D)"
        how = (f", packed with lengths {q['lengths']} and unpacked with pad_packed_sequence"
               if "lengths" in q else "")
        kind = "a padded input" if "lengths" in q else "an input"
        lines.append(f"{key}. nn.LSTM({args}) on {kind} {layout} with B={q['B']}, T={q['T']}{how}: "
                     "the shapes of output, h_n and c_n?")
    return "\n".join(lines)


def _module(q):
    import torch

    torch.manual_seed(0)
    return torch.nn.LSTM(**q["module"]).double()


def quiz_shapes() -> dict[str, dict[str, tuple]]:
    """The true answers, measured: each question's tensors as torch.nn.LSTM makes them."""
    import torch
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    shapes = {}
    for key, q in QUIZ.items():
        m = _module(q)
        if "weights" in q:
            shapes[key] = {w: tuple(getattr(m, w).shape) for w in q["weights"]}
            continue
        bf = q["module"].get("batch_first", False)
        B, T, D = q["B"], q["T"], q["module"]["input_size"]
        x = torch.zeros((B, T, D) if bf else (T, B, D), dtype=torch.float64)
        with torch.no_grad():
            if "lengths" in q:
                out, (h, c) = m(pack_padded_sequence(x, torch.tensor(q["lengths"]), batch_first=bf))
                out, _ = pad_packed_sequence(out, batch_first=bf)
            else:
                out, (h, c) = m(x)
        shapes[key] = {"output": tuple(out.shape), "h_n": tuple(h.shape), "c_n": tuple(c.shape)}
    return shapes


def _with_time(shape, batch_first, T):
    """``shape`` with its time axis set to T."""
    return (shape[0], T, shape[2]) if batch_first else (T, shape[1], shape[2])


def _misconceptions(q) -> dict[str, list[tuple[tuple, str]]]:
    """For each tensor of a question: (wrong shape, why) for the usual mistakes."""
    a = q["module"]
    L, dirs, H, P = a.get("num_layers", 1), 1 + a.get("bidirectional", False), a["hidden_size"], a.get("proj_size", 0)
    H_out, bf = P or H, a.get("batch_first", False)
    if "weights" in q:
        return {
            "weight_ih_l1": [((4 * H, a["input_size"]), "layer 1 does not read x: its input is layer 0's output, "
                              "both directions concatenated, of size num_directions * H_out."),
                             ((4 * H, H), "layer 1's input has size num_directions * H_out (P with a projection), "
                              "not H."),
                             ((4 * H, H_out), "layer 1 reads both directions of layer 0, concatenated: "
                              "num_directions * H_out.")],
            "weight_hh_l1_reverse": [((4 * H, H), "with a projection the recurrent input is r_{t-1}, of size P, "
                                      "so W_hh has P columns.")],
            "weight_hr_l0": [((H, P), "W_hr maps o * tanh(C) (size H) to r (size P): it is (P, H), "
                              "like every torch weight (out_features, in_features).")],
        }
    B, T = q["B"], q["T"] if "lengths" not in q else max(q["lengths"])
    n = L * dirs
    batch = lambda *rest: (B, *rest)
    out = (B, T, dirs * H_out) if bf else (T, B, dirs * H_out)
    tm_out = (T, B, dirs * H_out) if bf else (B, T, dirs * H_out)
    output = [(tm_out, "batch_first=True makes input and output (B, T, features); without it they are "
                       "(T, B, features)." if bf else "without batch_first the output is time-major, (T, B, ...)."),
              (out[:-1] + (H_out,), "a bidirectional LSTM concatenates both directions: the last size is 2 * H_out."),
              (out[:-1] + (dirs * H,), "with proj_size, the output carries the projected state: its last size "
                                       "is num_directions * P."),
              ((L,) + out, "output holds only the last layer's hidden states, for every time step.")]
    if "lengths" in q:
        output.append((_with_time(out, bf, q["T"]), "pad_packed_sequence pads only up to the longest length in "
                       "the batch, not to the T of the padded input (pass total_length=T for that)."))
    return {
        "output": output,
        "h_n": [(batch(n, H_out), "h_n is never batch-first, whatever batch_first says: it is "
                                  "(num_layers * num_directions, B, H_out)."),
                ((L, B, H_out), "h_n has one row per layer *and* direction: num_layers * num_directions rows."),
                ((dirs, B, H_out), "h_n keeps the final state of every layer, not only the last one."),
                ((n, B, H), "with proj_size the hidden state is projected: its size is P."),
                ((B, H_out), "h_n keeps the layer and direction axis even when it has length 1."),
                ((n, B, T, H_out), "h_n is the state after the last step only; output holds every step.")],
        "c_n": [(batch(n, H), "c_n is never batch-first: (num_layers * num_directions, B, H)."),
                ((n, B, P), "the projection acts on h only: the cell state keeps size H."),
                ((L, B, H), "c_n has one row per layer *and* direction: num_layers * num_directions rows."),
                ((B, H), "c_n keeps the layer and direction axis even when it has length 1.")],
    }


def shape_quiz(answers) -> None:
    """Compare the reader's predicted shapes with the ones torch.nn.LSTM produces."""
    if callable(answers):
        try:
            answers = answers()
        except NotImplementedError:
            raise CheckFailed("shape_quiz: not answered yet; write your predictions and delete the "
                              "`raise NotImplementedError` line.") from None
    if not isinstance(answers, dict):
        raise CheckFailed(f"shape_quiz: expected a dict {{question: {{tensor: shape}}}}, got {type(answers).__name__}")
    truth, problems = quiz_shapes(), []
    n = sum(len(tensors) for tensors in truth.values())
    for key, tensors in truth.items():
        given = answers.get(key)
        if not isinstance(given, dict):
            problems.append(f"{key}: no answer (expected a dict with keys {sorted(tensors)})")
            continue
        known = _misconceptions(QUIZ[key])
        for name, want in tensors.items():
            got = given.get(name)
            if got is None:
                problems.append(f"{key} {name}: no answer yet")
                continue
            try:
                got = tuple(int(s) for s in got)
            except (TypeError, ValueError):
                problems.append(f"{key} {name}: expected a tuple of sizes such as (2, 3, 4), got {got!r}")
                continue
            if got == want:
                continue
            why = next((hint for wrong, hint in known.get(name, []) if tuple(wrong) == got and wrong != want), None)
            problems.append(f"{key} {name}: you wrote {got}, torch gives {want}"
                            + (f". Likely reason: {why}" if why else "."))
    if problems:
        raise CheckFailed("shape_quiz: " + f"{len(problems)} of {n} answers differ from torch:\n- "
                          + "\n- ".join(problems))
    print(f"shape_quiz: all {n} shapes match torch.nn.LSTM.")


# ---- padding without packing ------------------------------------------------------------

def _ref_padded_h_n(module, x, pad, side):
    import torch

    zeros = np.zeros((x.shape[0], pad, x.shape[2]))
    xp = np.concatenate([x, zeros] if side == "end" else [zeros, x], axis=1)  # (B, T + pad, D)
    with torch.no_grad():
        _, (h, _) = module(torch.from_numpy(xp))
    return h.numpy()


def _padded_cases():
    import torch

    torch.manual_seed(3)
    m = torch.nn.LSTM(2, 3, batch_first=True).double()
    x = np.random.default_rng(3).standard_normal((2, 4, 2))
    return [Case((m, x, 3, "end"), "3 zero steps at the end"),
            Case((m, x, 3, "start"), "3 zero steps at the start"),
            Case((m, x, 0, "end"), "no padding")]


_PADDED_MISTAKES = [
    Mistake("that is the state of the unpadded sequence: the padded steps must run through the LSTM too.",
            lambda m, x, pad, side: _ref_padded_h_n(m, x, 0, side)),
    Mistake("the padding is on the wrong side: 'end' appends zero steps after the sequence, 'start' puts them "
            "before it.",
            lambda m, x, pad, side: _ref_padded_h_n(m, x, pad, "start" if side == "end" else "end")),
]


def padded_h_n(fn) -> None:
    """Check ``fn(module, x, pad, side)``: h_n (1, B, H) of x padded with ``pad`` zero steps, not packed."""
    run_check(fn, _ref_padded_h_n, _padded_cases(), name="padded_h_n", output_names=["h_n"],
              mistakes=_PADDED_MISTAKES, rtol=1e-10, atol=1e-12)
