"""Tests of lstm_course.gru specific to the GRU: its two forms, the z conversion, its gates.

nn.GRU parity (torch form), torch autograd of the article's equations (article form),
step = sequence, finite differences, float32 and bad input are checked for every cell
in tests/test_cell_contract.py.
"""
from __future__ import annotations

import numpy as np
import pytest

from lstm_course import gru


def _data(B, T, D, H, seed=0):
    rng = np.random.default_rng(seed)
    p = gru.init_params(D, H, rng)
    return p, rng.normal(size=(B, T, D)), rng.normal(size=(B, H))


def test_torch_to_article_z_negates_only_z_and_is_an_involution():
    p = gru.init_params(3, 4, np.random.default_rng(0))
    before = [a.copy() for a in p]
    q = gru.torch_to_article_z(p)
    assert all(np.array_equal(a, b) for a, b in zip(p, before))  # input untouched
    for a, b in zip(p, q):
        np.testing.assert_array_equal(b[4:8], -a[4:8])
        np.testing.assert_array_equal(b[:4], a[:4])
        np.testing.assert_array_equal(b[8:], a[8:])
    back = gru.article_to_torch_z(q)
    assert all(np.array_equal(a, b) for a, b in zip(p, back))


def test_article_form_differs_from_the_torch_form_even_after_z_conversion():
    p, x, h0 = _data(2, 6, 3, 4, seed=3)
    hs_torch, _ = gru.gru_forward(x, p, h0, form="torch")
    hs_same, _ = gru.gru_forward(x, p, h0, form="article")
    hs_conv, _ = gru.gru_forward(x, gru.torch_to_article_z(p), h0, form="article")
    assert np.abs(hs_same - hs_torch).max() > 1e-2  # z reversed and r moved
    assert np.abs(hs_conv - hs_torch).max() > 1e-3  # r moved: no weights undo that


def test_after_z_conversion_only_the_place_of_r_differs():
    p, x, h0 = _data(2, 5, 3, 4, seed=4)
    H = 4
    q = gru.torch_to_article_z(p)
    _, _, g_t = gru.gru_forward(x, p, h0, form="torch", return_gates=True)
    _, _, g_a = gru.gru_forward(x, q, h0, form="article", return_gates=True)
    # First step: both see the same h0, so the gates line up exactly.
    np.testing.assert_allclose(g_a["z"][:, 0], 1 - g_t["z"][:, 0], atol=1e-15)
    np.testing.assert_allclose(g_a["r"][:, 0], g_t["r"][:, 0], atol=0)
    # Force r = 1 (sigmoid(60) is 1.0 in float64): the forms then coincide.
    b_ih = p.b_ih.copy()
    b_ih[:H] = 60.0
    p1 = p._replace(b_ih=b_ih)
    hs_t, hT_t = gru.gru_forward(x, p1, h0, form="torch")
    hs_a, hT_a = gru.gru_forward(x, gru.torch_to_article_z(p1), h0, form="article")
    np.testing.assert_allclose(hs_a, hs_t, atol=1e-14)
    np.testing.assert_allclose(hT_a, hT_t, atol=1e-14)


@pytest.mark.parametrize("form", gru.FORMS)
def test_gates_follow_the_forms_equations(form):
    p, x, h0 = _data(2, 3, 2, 4, seed=2)
    hs, _, gates = gru.gru_forward(x, p, h0, form=form, return_gates=True)
    cand = "n" if form == "torch" else "h_tilde"
    assert set(gates) == {"r", "z", cand}
    h_prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    z, n = gates["z"], gates[cand]
    expected = (1 - z) * n + z * h_prev if form == "torch" else (1 - z) * h_prev + z * n
    np.testing.assert_allclose(hs, expected, atol=1e-14)


_P = gru.init_params(3, 4, np.random.default_rng(0))
_X = np.random.default_rng(1).normal(size=(2, 5, 3))


def test_lstm_sized_params_are_refused():
    p = gru.GRUParams(np.zeros((16, 3)), np.zeros((16, 4)), np.zeros(16), np.zeros(16))
    with pytest.raises(ValueError, match=r"params.W_hh: expected shape \(3\*H, H\) for a GRU, got \(16, 4\)"):
        gru.gru_forward(_X, p)


@pytest.mark.parametrize("form", ["pytorch", "Torch", "", None, 1])
def test_unknown_form(form):
    pattern = r"form: expected one of \['torch', 'article'\], got " + repr(form).replace("(", r"\(")
    with pytest.raises(ValueError, match=pattern):
        gru.gru_forward(_X, _P, form=form)
    with pytest.raises(ValueError, match=r"form: expected one of"):
        gru.gru_step(_X[:, 0], None, _P, form=form)
