"""The self-checks of the chapter "Variants on LSTMs" pass the reference and name each mistake."""
import numpy as np
import pytest

from lstm_course.activations import sigmoid, tanh
from lstm_course.checks import CheckFailed
from lstm_course.checks import variants as check


def good_peephole(x_t, h_prev, C_prev, p):
    a = x_t @ p.W_ih.T + p.b_ih + h_prev @ p.W_hh.T + p.b_hh
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
    f = sigmoid(a_f + p.W_cf * C_prev)
    i = sigmoid(a_i + p.W_ci * C_prev)
    C = f * C_prev + i * tanh(a_g)
    o = sigmoid(a_o + p.W_co * C)
    return o * tanh(C), C


def test_references_pass(capsys):
    check.peephole_step(good_peephole)
    check.coupled_update(lambda f, C, Ct: f * C + (1 - f) * Ct)
    assert capsys.readouterr().out.splitlines() == [
        "peephole_step: all 3 checks passed.", "coupled_update: all 3 checks passed."]


def _variant(**kw):
    return check._peephole_variant(**kw)


@pytest.mark.parametrize("wrong,hint", [
    (_variant(out_sees="old"), "NEW"),
    (_variant(use_peep=False), "without peepholes"),
    (_variant(tanh_out=False), "through tanh"),
    (_variant(swap_if=True), "swapped"),
    (lambda x, h, C, p: good_peephole(x, h, C, p)[::-1], "shape|wrong values"),
    (lambda x, h, C, p: good_peephole(x, h, C, p)[0], "2 value"),
])
def test_peephole_mistakes(wrong, hint):
    with pytest.raises(CheckFailed, match=hint):
        check.peephole_step(wrong)


@pytest.mark.parametrize("wrong,hint", [
    (lambda f, C, Ct: (1 - f) * C + f * Ct, "swapped"),
    (lambda f, C, Ct: f * C + Ct, "not coupled"),
    (lambda f, C, Ct: f * (C + Ct), "complement"),
    (lambda f, C, Ct: C + (1 - f) * Ct, "not gated"),
    (lambda f, C, Ct: f * C, "wrong values"),
])
def test_coupled_mistakes(wrong, hint):
    with pytest.raises(CheckFailed, match=hint):
        check.coupled_update(wrong)


def test_stub_is_reported_as_not_implemented():
    def stub(f, C, Ct):
        raise NotImplementedError
    with pytest.raises(CheckFailed, match="not implemented"):
        check.coupled_update(stub)
