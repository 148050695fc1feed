"""Every hint of lstm_course.checks names the mistake without stating the answer, and a
known mistake is named only when it explains at least two cases."""
import ast
from pathlib import Path

import numpy as np
import pytest

from lstm_course.checks import Case, CheckFailed, Mistake, coursework, run_check
from lstm_course.checks import attention, bptt, gates, recurrence

CHECKS = Path(__file__).resolve().parents[1] / "lstm_course" / "checks"

# The answers of the exercises and assignments, as a hint would write them.
ANSWERS = ["o_t * tanh(C_t)", "f_t * C_{t-1} + i_t * C~_t", "(1 - f_t) * C~_t",
           "1 - tanh(C_t)^2", "1 - C~_t^2", "s * (1 - s)", "1 - h_t**2", "dC_t * f_t",
           "dC_t * C_{t-1}", "dC_t * C~_t", "dC_t * i_t", "min(1, max_norm", "log(g / (1 - g))",
           "tanh(W", "sigma(W", "sigma(a_o", "W_co * C_t", "@ W", "np.concatenate", "np.tanh",
           "(f(a + eps) - f(a - eps))", "a[k] = old"]


def _hints():
    """(module, hint) for every Mistake hint and every hint dictionary's value."""
    found = []
    for path in sorted(CHECKS.glob("*.py")):
        src = path.read_text()
        for node in ast.walk(ast.parse(src)):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Mistake"
                    and node.args):
                found.append((path.name, ast.get_source_segment(src, node.args[0])))
    for name in dir(coursework):
        value = getattr(coursework, name)
        if name.endswith("_HINTS") and isinstance(value, dict):
            found += [("coursework.py", h) for h in value.values()]
    found += [("coursework.py", h) for act in ("sigmoid", "tanh")
              for h in coursework._layer_hints(act).values()]
    return found


def test_there_are_hints_to_check():
    modules = {m for m, _ in _hints()}
    assert {"bptt.py", "recurrence.py", "gates.py", "cell.py", "variants.py", "attention.py",
            "coursework.py"} <= modules
    assert len(_hints()) > 100


@pytest.mark.parametrize("module, hint", _hints())
def test_no_hint_states_the_answer(module, hint):
    text = " ".join(hint.split())
    for answer in ANSWERS:
        assert answer not in text, f"{module}: {hint!r} states {answer!r}"
    assert " = " not in text.replace('" "', " "), f"{module}: {hint!r} states an equation"


def _square(x):
    return x ** 2


CASES = [Case((np.array([2.0]),), "x = 2"), Case((np.array([3.0]),), "x = 3"),
         Case((np.array([-1.0]),), "x = -1")]


def test_a_mistake_that_explains_one_case_only_is_not_named():
    # 2 * x equals x ** 2 at x = 2 only: a function returning 4 everywhere matches the
    # "doubled" mistake on the first case and nowhere else.
    doubled = Mistake("you doubled x.", lambda x: 2 * x)
    with pytest.raises(CheckFailed) as err:
        run_check(lambda x: np.full_like(x, 4.0) + (x != 2.0), _square, CASES, name="square",
                  mistakes=[doubled])
    assert "doubled" not in str(err.value) and "wrong values" in str(err.value)


def test_a_mistake_that_explains_two_cases_is_named():
    doubled = Mistake("you doubled x.", lambda x: 2 * x)
    with pytest.raises(CheckFailed, match="you doubled x"):
        run_check(lambda x: 2 * x, _square, CASES, name="square", mistakes=[doubled])
    # the same with stored outputs
    stored = [Case(c.args, c.description, want=c.args[0] ** 2, wrong={"doubled": 2 * c.args[0]})
              for c in CASES]
    with pytest.raises(CheckFailed, match="you doubled x"):
        run_check(lambda x: 2 * x, None, stored, name="square",
                  mistakes=[Mistake("you doubled x.", key="doubled")])


# every check with a list of known mistakes: each mistake, handed in, gets its own hint
MISTAKE_LISTS = [
    (bptt.cell_grad, bptt._CELL_GRAD_MISTAKES),
    (bptt.cell_update_backward, bptt._CELL_UPDATE_MISTAKES),
    (bptt.lstm_step_backward, bptt._STEP_MISTAKES),
    (bptt.lstm_step_backward_cs231n, bptt._CS231N_MISTAKES),
    (recurrence.rnn_step, recurrence._STEP_MISTAKES),
    (recurrence.rnn_step_input_first, recurrence._INPUT_FIRST_MISTAKES),
    (recurrence.unroll, recurrence._UNROLL_MISTAKES),
    (recurrence.tanh_step_backward, recurrence._BACKWARD_MISTAKES),
]


@pytest.mark.parametrize("checker, mistakes", MISTAKE_LISTS,
                         ids=[f"{c.__module__.rsplit('.', 1)[1]}.{c.__name__}" for c, _ in MISTAKE_LISTS])
def test_each_mistake_gets_its_own_hint(checker, mistakes):
    for m in mistakes:
        with pytest.raises(CheckFailed) as err:
            checker(m.fn)
        assert m.hint in str(err.value), (m.hint, str(err.value))


def _name(checker) -> str:
    return f"{checker.__module__.rsplit('.', 1)[1]}.{checker.__name__}"


def _stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize("checker", [attention.dot_attention, gates.lstm_param_count, gates.gate,
                                     coursework.forget_gate, recurrence.rnn_step], ids=_name)
def test_an_unfinished_stub_is_named(checker):
    with pytest.raises(CheckFailed, match="not implemented"):
        checker(_stub)


@pytest.mark.parametrize("checker", [attention.dot_attention, gates.gate, coursework.cell_update,
                                     recurrence.unroll], ids=_name)
def test_a_function_that_returns_nothing_is_told_so(checker):
    with pytest.raises(CheckFailed, match="return"):
        checker(lambda *args: None)
