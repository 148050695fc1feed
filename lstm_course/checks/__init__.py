"""Self-checks for the exercises.

A check runs the reader's function and a reference implementation on the same
cases and says, in words, what is wrong: an exception, a wrong shape or dtype, or
wrong values. When the values are wrong it also tries a list of *known mistakes*
(for example "tanh where a sigmoid belongs", or "the gates swapped"), each a small
wrong implementation; if the reader's output matches one of them, the hint names
that mistake. A passing check prints a single line; a failing one raises
``CheckFailed`` with the hint, so the notebook stops where the problem is.

The chapter-specific checks live in submodules and are re-exported here, so a
reader writes ``from lstm_course import checks`` and ``checks.rnn_step(my_step)``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

__all__ = ["CheckFailed", "Case", "Mistake", "run_check"]


class CheckFailed(AssertionError):
    """Raised by a self-check; its message says what is wrong and how to fix it."""


@dataclass(frozen=True)
class Case:
    """One set of arguments to try, with a short description for messages.

    ``want`` is the stored expected output, used when the check has no reference
    function; ``wrong`` maps a ``Mistake.key`` to that mistake's stored output.
    """

    args: tuple
    description: str
    kwargs: dict | None = None
    want: Any = None
    wrong: dict | None = None


@dataclass(frozen=True)
class Mistake:
    """A known wrong implementation and the hint to give when the output matches it.

    Either ``fn`` computes the wrong output, or ``key`` names it in each case's stored
    ``Case.wrong``.
    """

    hint: str
    fn: Callable[..., Any] | None = None
    key: str | None = None


def _as_tuple(out) -> tuple:
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def _close(a, b, rtol: float, atol: float) -> bool:
    a, b = _as_tuple(a), _as_tuple(b)
    if len(a) != len(b):
        return False
    for u, v in zip(a, b):
        u, v = np.asarray(u), np.asarray(v)
        if u.shape != v.shape or not np.allclose(u, v, rtol=rtol, atol=atol):
            return False
    return True


def _describe_mismatch(got, want, output_names: Sequence[str] | None, rtol: float, atol: float) -> str:
    got_t, want_t = _as_tuple(got), _as_tuple(want)
    if len(got_t) != len(want_t):
        names = ", ".join(output_names) if output_names else f"{len(want_t)} values"
        return f"it should return {len(want_t)} value(s) ({names}), but returned {len(got_t)}"
    for k, (u, v) in enumerate(zip(got_t, want_t)):
        label = output_names[k] if output_names and k < len(output_names) else f"output {k}"
        try:
            u = np.asarray(u, dtype=float)
        except (TypeError, ValueError):
            return f"{label} should be an array of numbers, but is {type(got_t[k]).__name__}"
        v = np.asarray(v)
        if u.shape != v.shape:
            return f"{label} should have shape {v.shape}, but has shape {u.shape}"
        if not np.allclose(u, v, rtol=rtol, atol=atol):
            worst = np.unravel_index(np.argmax(np.abs(u - v)), v.shape) if v.ndim else ()
            return (f"{label} has the right shape but wrong values: at index {tuple(int(i) for i in worst)} "
                    f"it is {float(u[worst]):.4g}, expected {float(v[worst]):.4g}")
    return "the outputs differ"


def _matches(mistake: Mistake, case: Case, got, rtol: float, atol: float) -> bool:
    if mistake.fn is None:
        stored = (case.wrong or {}).get(mistake.key)
        return stored is not None and _close(got, stored, rtol, atol)
    try:
        return _close(got, mistake.fn(*case.args, **(case.kwargs or {})), rtol, atol)
    except Exception:  # a mistake model that does not apply to this case
        return False


def _matches_again(mistake, student_fn, cases, failed: Case, rtol: float, atol: float) -> bool:
    """A mistake is named only if it explains a second case too: one match can be chance
    (a count of 8D equals 4H when H = 2D)."""
    for case in cases:
        if case is failed:
            continue
        try:
            got = student_fn(*case.args, **(case.kwargs or {}))
        except Exception:
            continue
        if _matches(mistake, case, got, rtol, atol):
            return True
    return False


def run_check(
    student_fn: Callable[..., Any],
    reference_fn: Callable[..., Any] | None,
    cases: Sequence[Case],
    *,
    name: str,
    output_names: Sequence[str] | None = None,
    mistakes: Sequence[Mistake] = (),
    rtol: float = 1e-6,
    atol: float = 1e-8,
) -> None:
    """Run ``student_fn`` on every case and compare it with ``reference_fn``.

    With ``reference_fn=None`` each case's stored ``Case.want`` is the expected output.

    Prints ``"<name>: all N checks passed."`` on success; raises ``CheckFailed``
    naming the first failing case, what differs, and, when the output matches a
    known mistake on that case and on at least one other, the likely cause.
    """
    if not callable(student_fn):
        raise TypeError(f"{name}: expected your function, got {type(student_fn).__name__} "
                        "(pass the function itself, without calling it)")
    for case in cases:
        kwargs = case.kwargs or {}
        want = case.want if reference_fn is None else reference_fn(*case.args, **kwargs)
        try:
            got = student_fn(*case.args, **kwargs)
        except NotImplementedError:
            raise CheckFailed(f"{name}: not implemented yet; replace the `raise NotImplementedError` line "
                              "with your code.") from None
        except Exception as exc:  # report the reader's error in context
            raise CheckFailed(f"{name}, case '{case.description}': your function raised "
                              f"{type(exc).__name__}: {exc}") from exc
        if got is None:
            raise CheckFailed(f"{name}, case '{case.description}': your function returned None; "
                              "did you forget the `return` statement?")
        if _close(got, want, rtol, atol):
            continue
        for mistake in mistakes:
            if _matches(mistake, case, got, rtol, atol) and _matches_again(
                    mistake, student_fn, cases, case, rtol, atol):
                raise CheckFailed(f"{name}, case '{case.description}': {mistake.hint}")
        detail = _describe_mismatch(got, want, output_names, rtol, atol)
        raise CheckFailed(f"{name}, case '{case.description}': {detail}.")
    print(f"{name}: all {len(cases)} checks passed.")


# Chapter checks, importable flat: ``checks.rnn_step(my_step)``. Imported last:
# the submodules use Case, Mistake and run_check defined above.
from .recurrence import rnn_step, tanh_step_backward, unroll  # noqa: E402
from .gates import gate, gate_preactivation, lstm_param_count  # noqa: E402
from .bptt import cell_grad, cell_update_backward, clip_by_global_norm, lstm_step_backward  # noqa: E402
from .attention import dot_attention  # noqa: E402
from .cell import cell_update, lstm_cell_step  # noqa: E402
from .variants import coupled_update, peephole_step  # noqa: E402
from .coursework import (  # noqa: E402
    candidate, coupled_step, forget_gate, full_peephole_step, hidden_state, influence, input_gate,
    lstm_step, numerical_gradient, output_gate, run_rnn, sequence_backward, with_parts,
)

__all__ += ["rnn_step", "unroll", "tanh_step_backward", "gate", "gate_preactivation", "lstm_param_count",
            "cell_grad", "cell_update_backward", "lstm_step_backward", "clip_by_global_norm", "dot_attention",
            "cell_update", "lstm_cell_step",
            "forget_gate", "input_gate", "candidate", "output_gate", "hidden_state", "lstm_step",
            "coupled_step", "numerical_gradient", "influence", "with_parts", "run_rnn",
            "sequence_backward", "full_peephole_step",
            "coupled_update", "peephole_step"]
