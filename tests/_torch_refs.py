"""Torch references for the cell contract test: each runs one cell with autograd tensors.

A reference is ``run(x, ps, state=None) -> (hs, final)``: x: (B, T, D) and the cell's
parameter arrays ``ps`` (in the params' field order) as torch tensors, ``state`` the
tensor ``h`` or the pair ``(h, c)`` (None: zeros), ``hs: (B, T, H)`` and ``final`` the
last state in the same form. Where torch has the cell (``nn.RNN``, ``nn.LSTM``,
``nn.GRU``) the reference runs it with our arrays as its weights; the other cells are
written here from the article's equations with concatenations, independently of the
package's numpy code.
"""
from __future__ import annotations

import torch

NN_NAMES = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")


def nn_cell(cls, **kw):
    """A reference that runs ``cls`` (``torch.nn.RNN``, ``LSTM`` or ``GRU``) on our weights."""
    def run(x, ps, state=None):
        m = cls(x.shape[2], ps[1].shape[1], batch_first=True, **kw).to(x.dtype)
        args = (x,)
        if state is not None:  # nn modules take (layers, B, H)
            args += (tuple(s[None] for s in state) if isinstance(state, tuple) else state[None],)
        out, final = torch.func.functional_call(m, dict(zip(NN_NAMES, ps)), args)
        return out, tuple(f[0] for f in final) if isinstance(final, tuple) else final[0]
    return run


def _zeros(x, H, pair):
    z = torch.zeros(x.shape[0], H, dtype=x.dtype)
    return (z, z) if pair else z


def _block(a, k, H):
    return a[k * H:(k + 1) * H]


def article_gru(x, ps, state=None):
    """The article's GRU: z = sigma(W_z . [h, x] + b_z), r likewise,
    h~ = tanh(W . [r * h, x] + b), h = (1 - z) * h + z * h~."""
    W_ih, W_hh, b_ih, b_hh = ps
    H = W_hh.shape[1]
    W_r, W_z, W = (torch.cat([_block(W_hh, k, H), _block(W_ih, k, H)], dim=1) for k in range(3))  # (H, H + D)
    b_r, b_z, b = (_block(b_ih, k, H) + _block(b_hh, k, H) for k in range(3))
    h, outs = _zeros(x, H, False) if state is None else state, []
    for t in range(x.shape[1]):
        hx = torch.cat([h, x[:, t]], dim=1)
        z = torch.sigmoid(hx @ W_z.T + b_z)
        r = torch.sigmoid(hx @ W_r.T + b_r)
        h_tilde = torch.tanh(torch.cat([r * h, x[:, t]], dim=1) @ W.T + b)
        h = (1 - z) * h + z * h_tilde
        outs.append(h)
    return torch.stack(outs, dim=1), h


def peephole(x, ps, state=None, output_sees_old_cell=False):
    """The article's peephole LSTM: f = sigma(W_f . [C_{t-1}, h_{t-1}, x_t] + b_f), i
    likewise, o = sigma(W_o . [C_t, h_{t-1}, x_t] + b_o). A diagonal peephole is diag(w)."""
    W_ih, W_hh, b_ih, b_hh, W_ci, W_cf, W_co = ps
    H = W_hh.shape[1]
    full = lambda w: torch.diag(w) if w.dim() == 1 else w  # noqa: E731
    W_i, W_f, W_o = (torch.cat([full(w), _block(W_hh, k, H), _block(W_ih, k, H)], dim=1)  # (H, 2H + D)
                     for w, k in ((W_ci, 0), (W_cf, 1), (W_co, 3)))
    W_C = torch.cat([_block(W_hh, 2, H), _block(W_ih, 2, H)], dim=1)  # (H, H + D)
    b_i, b_f, b_C, b_o = (_block(b_ih, k, H) + _block(b_hh, k, H) for k in range(4))
    (h, C), outs = _zeros(x, H, True) if state is None else state, []
    for t in range(x.shape[1]):
        hx = torch.cat([h, x[:, t]], dim=1)
        f = torch.sigmoid(torch.cat([C, hx], dim=1) @ W_f.T + b_f)
        i = torch.sigmoid(torch.cat([C, hx], dim=1) @ W_i.T + b_i)
        C_tilde = torch.tanh(hx @ W_C.T + b_C)
        C_old, C = C, f * C + i * C_tilde
        o = torch.sigmoid(torch.cat([C_old if output_sees_old_cell else C, hx], dim=1) @ W_o.T + b_o)
        h = o * torch.tanh(C)
        outs.append(h)
    return torch.stack(outs, dim=1), (h, C)


def coupled(x, ps, state=None):
    """The coupled-gate LSTM: C_t = f_t * C_{t-1} + (1 - f_t) * C~_t (blocks f, g, o)."""
    W_ih, W_hh, b_ih, b_hh = ps
    H = W_hh.shape[1]
    W = [torch.cat([_block(W_hh, k, H), _block(W_ih, k, H)], dim=1) for k in range(3)]  # (H, H + D)
    b = [_block(b_ih, k, H) + _block(b_hh, k, H) for k in range(3)]
    (h, C), outs = _zeros(x, H, True) if state is None else state, []
    for t in range(x.shape[1]):
        hx = torch.cat([h, x[:, t]], dim=1)
        f = torch.sigmoid(hx @ W[0].T + b[0])
        C_tilde = torch.tanh(hx @ W[1].T + b[1])
        o = torch.sigmoid(hx @ W[2].T + b[2])
        C = f * C + (1 - f) * C_tilde
        h = o * torch.tanh(C)
        outs.append(h)
    return torch.stack(outs, dim=1), (h, C)
