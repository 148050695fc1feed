"""Adam (Kingma & Ba 2015), written out in plain torch, and its per-seed form.

With gradient ``g`` at step ``t`` and PyTorch's defaults ``b1 = 0.9``, ``b2 = 0.999``,
``eps = 1e-8``::

    m <- b1 m + (1 - b1) g                   first moment (mean of g)
    v <- b2 v + (1 - b2) g^2                 second moment (mean of g^2)
    p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)

:class:`Adam` is ``torch.optim.Adam``'s update (a test compares them). It is written
out because the first ``torch.optim`` optimiser built in a process imports
``torch._dynamo``, which costs seconds in every freshly started notebook kernel.

:class:`SeedAdam` is the same rule for :class:`lstm_course.seeds.SeedModels`, whose
parameters hold S independent copies along their first axis: each copy has its own
step count ``t``, and a copy switched off (``active[s] = False``) keeps its weights and
moments as they are, as if its own run had stopped. Both share the state (``m``, ``v``,
``t``), the bias corrections and ``zero_grad``; each writes the three lines of the
update in its own arithmetic (in place for one model, masked with ``torch.where`` for
S copies), because changing either's order of operations would move the last bits of
every stored training result in the book.
"""
from __future__ import annotations

import torch

__all__ = ["Adam", "SeedAdam"]


class Adam:
    """``torch.optim.Adam``'s update. ``params``: tensors (those without ``requires_grad``
    are skipped); ``step()`` after ``loss.backward()``; ``zero_grad()`` clears the gradients.

    >>> w = torch.zeros(2, requires_grad=True)
    >>> opt = Adam([w], lr=0.1)
    >>> (w - 1).pow(2).sum().backward(); opt.step()
    >>> w.detach().round(decimals=6).tolist()   # the first step moves every entry by about lr
    [0.10000000149011612, 0.10000000149011612]
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8):
        self.params = [p for p in params if p.requires_grad]
        self.lr, (self.b1, self.b2), self.eps = lr, betas, eps
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.t = 0

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def corrections(self, t):
        """``(1 - b1^t, sqrt(1 - b2^t))``: the bias corrections of the moments after ``t`` steps."""
        return 1 - self.b1 ** t, (1 - self.b2 ** t) ** 0.5

    @torch.no_grad()
    def step(self) -> None:
        self.t += 1
        bc1, bc2_sqrt = self.corrections(self.t)
        for p, m, v in zip(self.params, self.m, self.v):
            if p.grad is None:
                continue
            g = p.grad
            m.lerp_(g, 1 - self.b1)                              # m <- b1 m + (1 - b1) g
            v.mul_(self.b2).addcmul_(g, g, value=1 - self.b2)    # v <- b2 v + (1 - b2) g^2
            denom = (v.sqrt() / bc2_sqrt).add_(self.eps)
            p.addcdiv_(m, denom, value=-self.lr / bc1)


class SeedAdam(Adam):
    """:class:`Adam` for S copies stacked along every parameter's first axis, with a
    per-copy switch: ``step(active)``, ``active: (S,)`` bools; an inactive copy's weights,
    moments and step count stay as they are."""

    def __init__(self, params, lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        super().__init__(params, lr, betas, eps)
        self.t = None  # (S,) steps taken by each copy, float64

    def corrections(self, t):
        bc1, bc2 = 1 - self.b1 ** t, 1 - self.b2 ** t
        return bc1, bc2.sqrt()

    @torch.no_grad()
    def step(self, active: torch.Tensor) -> None:
        if self.t is None:
            self.t = torch.zeros(active.shape[0], dtype=torch.float64)
        self.t += active.double()
        bc1, bc2_sqrt = self.corrections(self.t.clamp(min=1))
        for p, m, v in zip(self.params, self.m, self.v):
            shape = (-1,) + (1,) * (p.ndim - 1)                  # (S, 1, ...): one value per copy
            on = active.to(p.dtype).reshape(shape)
            g = p.grad
            m.copy_(torch.where(on.bool(), self.b1 * m + (1 - self.b1) * g, m))
            v.copy_(torch.where(on.bool(), self.b2 * v + (1 - self.b2) * g * g, v))
            denom = v.sqrt() / bc2_sqrt.to(p.dtype).reshape(shape) + self.eps
            p.sub_(on * (self.lr / bc1.to(p.dtype).reshape(shape)) * m / denom)
