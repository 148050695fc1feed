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


def good_article(x_t, h_prev, C_prev, W, b, peep):
    H = h_prev.shape[1]
    a = np.concatenate([h_prev, x_t], axis=1) @ W.T + b
    a_i, a_f, a_o, a_g = np.split(a, 4, axis=1)
    zero = np.zeros(H)
    f = sigmoid(a_f + peep.get("f", zero) * C_prev)
    i = sigmoid(a_i + peep.get("i", zero) * C_prev)
    C = f * C_prev + i * tanh(a_g)
    o = sigmoid(a_o + peep.get("o", zero) * C)
    return o * tanh(C), C


def test_peephole_article_reference_passes(capsys):
    check.peephole_article(good_article)
    assert capsys.readouterr().out.strip() == "peephole_article: all 5 checks passed."


def test_peephole_article_agrees_with_the_package():
    """The article's layout is the package's peephole step with rows and columns moved."""
    from lstm_course import variants
    rng = np.random.default_rng(0)
    D, H = 3, 4
    W, b = rng.normal(size=(4 * H, H + D)), rng.normal(size=4 * H)
    peep = {"f": rng.normal(size=H), "o": rng.normal(size=H)}
    x, h, C = rng.normal(size=(2, D)), rng.normal(size=(2, H)), rng.normal(size=(2, H))
    i, f, o, g = np.split(np.arange(4 * H), 4)
    rows = np.concatenate([i, f, g, o])                     # i, f, o, g -> i, f, g, o
    p = variants.init_peephole_params(D, H, rng, diagonal=True)._replace(
        W_ih=W[rows, H:], W_hh=W[rows, :H], b_ih=b[rows], b_hh=np.zeros(4 * H),
        W_ci=np.zeros(H), W_cf=peep["f"], W_co=peep["o"])
    want = variants.peephole_step(x, (h, C), p)
    got = good_article(x, h, C, W, b, peep)
    assert all(np.allclose(w, g_) for w, g_ in zip(want, got))


@pytest.mark.parametrize("wrong,hint", [
    (check._article_variant(order="ifgo"), "PyTorch's order"),
    (check._article_variant(concat="xh"), r"\[x_t, h_\{t-1\}\]"),
    (check._article_variant(order="ifgo", concat="xh"), "habits"),
    (check._article_variant(out_sees="old"), "NEW"),
    (check._article_variant(swap_peep=True), "swapped"),
    (check._article_variant(tanh_out=False), "through tanh"),
])
def test_peephole_article_mistakes(wrong, hint):
    with pytest.raises(CheckFailed, match=hint):
        check.peephole_article(wrong)
