"""Several seeds trained at once: one batched model holds S independent copies.

A claim drawn from training ("the RNN fails at gap 20, the LSTM does not") is only
worth stating if it holds for more than one random start, and on more than one
machine. Training S copies one after another costs S times as long; these models are
so small that the cost is almost all per-step overhead, so :class:`SeedModels` stacks
the S copies' weights along a leading axis and runs them as one model with batched
matrix products (``torch.bmm``). S = 5 seeds cost about as much as one or two.

Copy ``s`` is the model that ``train.SequenceModel(cell, ..., seed=seeds[s])``
builds (the same initial weights, taken from it), and :func:`train_seeds` gives copy
``s`` the batches and held-out set that ``train.train(..., seed=seeds[s])`` would
draw. Its gradient is its own (the losses are summed, and no weight is shared), it is
clipped by its own norm, Adam's update is elementwise (:class:`lstm_course.optim.SeedAdam`),
and a copy that reaches ``stop_at`` is frozen while the others go on. So copy ``s`` follows the single run of
seed ``seeds[s]`` up to floating-point rounding; a test checks the first steps.

Shapes: ``x: (S, B, T, D)``; hidden states ``(S, B, T, H)``; outputs ``(S, B, O)``
(``readout="last"``) or ``(S, B, T, O)`` (``readout="all"``). Gate order is PyTorch's
(LSTM: i, f, g, o; GRU: r, z, n).

:func:`train_seeds` is a configuration of the course's one loop,
:func:`lstm_course.train.fit`, with three hooks for what S copies need and a single run
does not: an ``update`` that clips every copy by its own norm and steps only the copies
still active (:class:`lstm_course.optim.SeedAdam`), a ``stop`` that freezes the copies
reaching ``stop_at`` and ends the run once all are frozen, and ``seed=None``, because each
copy's batches come from its own seed's stream and torch's global generator is left alone.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from . import _validate as V
from .optim import SeedAdam
from .tasks import IGNORE_INDEX, country_chance, country_language, country_vocab
from .train import (CELLS, SequenceModel, _split, check_gaps, check_settings, fit, progress_enabled,
                    streams)

__all__ = ["SeedModels", "SeedHistory", "train_seeds", "check_seeds", "GapProtocol", "GAP_PROTOCOL",
           "GapStudy", "gap_study"]

_GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def check_seeds(seeds) -> list[int]:
    """A non-empty list of distinct non-negative integers."""
    try:
        out = [int(s) for s in seeds]
    except TypeError:
        raise TypeError(f"seeds: expected a sequence of non-negative integers, got {seeds!r}") from None
    if not out or any(s < 0 for s in out) or len(set(out)) != len(out):
        raise ValueError(f"seeds: expected distinct non-negative integers, got {seeds!r}")
    if any(isinstance(s, (bool, float)) for s in seeds):
        raise TypeError(f"seeds: expected integers, got {seeds!r}")
    return out


class SeedModels(nn.Module):
    """S copies of ``train.SequenceModel``, one per seed, computed together.

    ``forget_gate_bias`` sets the forget gate's bias as in ``SequenceModel``.

    >>> m = SeedModels("lstm", 3, 8, 2, seeds=[0, 1, 2])
    >>> m(torch.zeros(3, 4, 5, 3)).shape          # (S, B, T, D) -> (S, B, O)
    torch.Size([3, 4, 2])
    """

    def __init__(self, cell: str, input_size: int, hidden_size: int, output_size: int,
                 seeds: Sequence[int], readout: str = "last", forget_gate_bias: float | None = None):
        super().__init__()
        self.seeds = check_seeds(seeds)
        singles = [SequenceModel(cell, input_size, hidden_size, output_size, readout=readout,
                                 forget_gate_bias=forget_gate_bias, seed=s) for s in self.seeds]
        first = singles[0]
        self.cell, self.readout = first.cell, first.readout
        self.input_size, self.hidden_size, self.output_size = input_size, hidden_size, output_size

        def stack(get):
            return nn.Parameter(torch.stack([get(m).detach().clone() for m in singles]))

        self.W_ih = stack(lambda m: m.rnn.weight_ih_l0)   # (S, G*H, D)
        self.W_hh = stack(lambda m: m.rnn.weight_hh_l0)   # (S, G*H, H)
        self.b_ih = stack(lambda m: m.rnn.bias_ih_l0)     # (S, G*H)
        self.b_hh = stack(lambda m: m.rnn.bias_hh_l0)     # (S, G*H)
        self.W_out = stack(lambda m: m.head.weight)       # (S, O, H)
        self.b_out = stack(lambda m: m.head.bias)         # (S, O)
        # the one layer of S*H units that runs all copies (its own weights are unused)
        S, D, H = len(self.seeds), input_size, hidden_size
        layer = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[self.cell]
        with torch.random.fork_rng(devices=[]):
            self._layer = layer(S * D, S * H, batch_first=True)
        for p in self._layer.parameters():
            p.requires_grad_(False)

    @property
    def n_seeds(self) -> int:
        return len(self.seeds)

    def single(self, s: int):
        """Copy ``s`` as a ``train.SequenceModel`` (its weights copied, for analysis)."""
        m = SequenceModel(self.cell, self.input_size, self.hidden_size, self.output_size,
                          readout=self.readout, seed=self.seeds[s])
        with torch.no_grad():
            m.rnn.weight_ih_l0.copy_(self.W_ih[s])
            m.rnn.weight_hh_l0.copy_(self.W_hh[s])
            m.rnn.bias_ih_l0.copy_(self.b_ih[s])
            m.rnn.bias_hh_l0.copy_(self.b_hh[s])
            m.head.weight.copy_(self.W_out[s])
            m.head.bias.copy_(self.b_out[s])
        return m.eval()

    def _block_diagonal(self, W: torch.Tensor) -> torch.Tensor:
        """``(S, G*H, K)`` per-seed weights -> ``(G*S*H, S*K)``: one layer whose gate g, copy s
        rows see only copy s's columns (the zeros get no gradient: they are not parameters)."""
        S, GH, K = W.shape
        G = _GATES[self.cell]
        W = W.reshape(S, G, GH // G, K).permute(1, 0, 2, 3)            # (G, S, H, K)
        eye = torch.eye(S, dtype=W.dtype)[None, :, None, :, None]      # (1, S, 1, S, 1)
        return (W[:, :, :, None, :] * eye).reshape(G * GH // G * S, S * K)

    def _interleave(self, b: torch.Tensor) -> torch.Tensor:
        """``(S, G*H)`` per-seed biases -> ``(G*S*H,)`` in the block-diagonal layer's row order."""
        S, GH = b.shape
        G = _GATES[self.cell]
        return b.reshape(S, G, GH // G).permute(1, 0, 2).reshape(-1)

    def hidden_states(self, x: torch.Tensor) -> torch.Tensor:
        """``x: (S, B, T, D)`` -> ``h: (S, B, T, H)``, every step of every copy.

        The S copies run as one PyTorch layer of S*H units whose weight matrices are
        block-diagonal (copy s's units see only copy s's inputs and states), so the
        time loop is PyTorch's own compiled one.
        """
        S, H = self.n_seeds, self.hidden_size
        if x.ndim != 4 or x.shape[0] != S or x.shape[-1] != self.input_size:
            raise ValueError(f"x: expected shape (S, B, T, D) with S={S}, D={self.input_size}, "
                             f"got {tuple(x.shape)}")
        _, B, T, D = x.shape
        weights = {"weight_ih_l0": self._block_diagonal(self.W_ih),
                   "weight_hh_l0": self._block_diagonal(self.W_hh),
                   "bias_ih_l0": self._interleave(self.b_ih),
                   "bias_hh_l0": self._interleave(self.b_hh)}
        x_cat = x.permute(1, 2, 0, 3).reshape(B, T, S * D)             # copy s in columns s*D..
        h, _ = torch.func.functional_call(self._layer, weights, (x_cat,))
        return h.reshape(B, T, S, H).permute(2, 0, 1, 3)               # (S, B, T, H)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.hidden_states(x)
        if self.readout == "last":
            return torch.baddbmm(self.b_out[:, None], h[:, :, -1], self.W_out.transpose(1, 2))
        S, B, T, H = h.shape
        y = torch.baddbmm(self.b_out[:, None], h.reshape(S, B * T, H), self.W_out.transpose(1, 2))
        return y.reshape(S, B, T, -1)


@dataclass
class SeedHistory:
    """What :func:`train_seeds` measured, one row per seed.

    step: evaluation steps (0, then every ``eval_every`` and the last)
    eval_loss, eval_accuracy: ``(S, len(step))`` on each seed's held-out set; a frozen
        seed repeats its last value (accuracy ``None`` for ``loss="mse"``)
    steps_run: ``(S,)`` optimisation steps each seed took before it stopped
    solved_at: ``(S,)`` first evaluation step at which ``stop_at`` was reached, or -1
    """

    seeds: list[int]
    step: list[int] = field(default_factory=list)
    eval_loss: np.ndarray | None = None
    eval_accuracy: np.ndarray | None = None
    steps_run: np.ndarray | None = None
    solved_at: np.ndarray | None = None
    seconds: float = field(default=0.0, compare=False)

    @property
    def final_eval_loss(self) -> np.ndarray:
        return self.eval_loss[:, -1]

    @property
    def final_eval_accuracy(self) -> np.ndarray | None:
        return None if self.eval_accuracy is None else self.eval_accuracy[:, -1]


def _seed_batches(make_batch, rngs, loss: str, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    xs, ys = zip(*(_split(make_batch(r), name) for r in rngs))
    try:
        x = np.stack([V.as_float_array(a, f"{name}.x", dtype=np.float32) for a in xs])
        y = np.stack([np.asarray(a) for a in ys])
    except ValueError as exc:
        raise ValueError(f"{name}: every seed's batch must have the same shape; {exc}") from None
    y_dtype = np.float32 if loss == "mse" else np.int64
    return torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(np.ascontiguousarray(y, dtype=y_dtype))


def _seed_held_out(make_batch, eval_rngs, loss: str, eval_batches: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Every seed's held-out set, ``eval_batches`` batches from its own stream: ``x (S, N, T, D)``."""
    held = [_seed_batches(make_batch, eval_rngs, loss, "make_batch(rng) (held-out set)")
            for _ in range(eval_batches)]
    return torch.cat([h[0] for h in held], dim=1), torch.cat([h[1] for h in held], dim=1)


def _per_seed_loss(out: torch.Tensor, y: torch.Tensor, loss: str) -> torch.Tensor:
    """``(S,)`` losses, each the mean over its own copy's batch."""
    S = out.shape[0]
    if loss == "mse":
        return ((out - y) ** 2).reshape(S, -1).mean(1)
    flat = F.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1), ignore_index=IGNORE_INDEX,
                           reduction="none").reshape(S, -1)
    keep = (y.reshape(S, -1) != IGNORE_INDEX).to(flat.dtype)
    return (flat * keep).sum(1) / keep.sum(1).clamp(min=1)


def _per_seed_accuracy(out: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    S = out.shape[0]
    keep = (y != IGNORE_INDEX).reshape(S, -1)
    right = (out.argmax(-1) == y).reshape(S, -1) & keep
    return (right.sum(1).double() / keep.sum(1).clamp(min=1)).numpy()


def _clip_per_seed(params, clip: float | None) -> torch.Tensor:
    """Scale each seed's gradient to norm <= clip (``clip_grad_norm_`` per copy); return the
    norms before clipping, ``(S,)``."""
    sq = sum(p.grad.pow(2).reshape(p.shape[0], -1).sum(1) for p in params)
    norms = sq.sqrt()
    if clip is not None:
        scale = (clip / (norms + 1e-6)).clamp(max=1.0)
        for p in params:
            p.grad.mul_(scale.reshape((-1,) + (1,) * (p.ndim - 1)))
    return norms


class _Freezer:
    """Which of S seeds still train (``active``, ``(S,)`` bools): a seed that reaches
    ``stop_at`` is frozen, and keeps the held-out values it stopped with."""

    def __init__(self, S: int, stop_at: float | None, stop_on: str):
        self.stop_at, self.stop_on = stop_at, stop_on
        self.active = torch.ones(S, dtype=torch.bool)
        self.last = None

    def hold(self, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """``values`` (``(S,)`` each) with every frozen seed's replaced by its last ones."""
        if self.last is not None:
            frozen = ~self.active.numpy()
            values = {name: np.where(frozen, self.last[name], v) for name, v in values.items()}
        self.last = values
        return values

    def hit(self, values: dict[str, np.ndarray]) -> np.ndarray:
        """``(S,)`` bools: the seeds whose held-out value reached ``stop_at``."""
        if self.stop_on == "loss":
            return values["loss"] <= self.stop_at
        return values["accuracy"] >= self.stop_at

    def stop(self, values: dict[str, np.ndarray]) -> bool:
        """Freeze the seeds that reached ``stop_at``; True once every seed is frozen."""
        self.active[torch.from_numpy(self.hit(values))] = False
        return not bool(self.active.any())

    def solved_at(self, step: list[int], values: dict[str, np.ndarray]) -> np.ndarray:
        """``(S,)`` the first of the evaluation ``step``s at which each seed reached ``stop_at``,
        or -1; ``values`` holds ``(S, len(step))`` arrays."""
        if self.stop_at is None:
            return np.full(len(values["loss"]), -1)
        hit = self.hit(values)                                      # (S, len(step))
        return np.where(hit.any(axis=1), np.asarray(step)[hit.argmax(axis=1)], -1)


def _seed_update(model: SeedModels, loss: str, lr: float, clip: float | None, freezer: _Freezer,
                 steps_run: np.ndarray):
    """``train.fit``'s step for S copies: the summed per-seed losses backpropagated, each
    copy's gradient clipped by its own norm, Adam for the copies still active (counted in
    ``steps_run``); returns ``(S,)`` losses and norms before clipping."""
    params = [p for p in model.parameters() if p.requires_grad]
    opt = SeedAdam(params, lr)

    def update(model: SeedModels, batch) -> tuple[np.ndarray, np.ndarray]:
        x, y = batch
        opt.zero_grad()
        losses = _per_seed_loss(model(x), y, loss)          # (S,)
        losses.sum().backward()
        norms = _clip_per_seed(params, clip)
        opt.step(freezer.active)
        steps_run[freezer.active.numpy()] += 1              # in place: the caller reads it
        return losses.detach().numpy(), norms.numpy()

    return update


def train_seeds(model: SeedModels, make_batch: Callable[[np.random.Generator], object], steps: int, *,
                lr: float = 3e-3, loss: str = "mse", clip: float | None = 1.0,
                eval_every: int = 50, eval_batches: int = 4,
                stop_at: float | None = None, stop_on: str = "loss",
                progress: bool | None = None) -> SeedHistory:
    """Train every copy of ``model`` in place; copy ``s`` as ``train.train(..., seed=model.seeds[s])``.

    ``make_batch(rng)`` draws one seed's batch (as for :func:`train.train`). A seed whose
    held-out loss (``stop_on="loss"``) falls to ``stop_at`` or whose accuracy
    (``stop_on="accuracy"``) reaches it is frozen from then on; the run ends when every
    seed is frozen or ``steps`` have run. A progress bar shows unless
    ``LSTM_COURSE_PROGRESS=0``. Torch's global generator is left alone.
    """
    V.check_instance(model, SeedModels, "model")
    V.check_callable(make_batch, "make_batch", "a function rng -> (x, y)")
    steps, lr, loss, clip, eval_every, eval_batches, stop_at, stop_on = check_settings(
        steps, lr, loss, clip, eval_every, eval_batches, stop_at, stop_on)
    rngs, eval_rngs = zip(*(streams(s) for s in model.seeds))   # as train.train(seed=s) draws
    x_eval, y_eval = _seed_held_out(make_batch, eval_rngs, loss, eval_batches)
    freezer = _Freezer(model.n_seeds, stop_at, stop_on)
    steps_run = np.zeros(model.n_seeds, dtype=int)

    def evaluate(m: SeedModels) -> dict[str, np.ndarray]:
        out = m(x_eval)
        values = {"loss": _per_seed_loss(out, y_eval, loss).double().numpy()}
        if loss == "ce":
            values["accuracy"] = _per_seed_accuracy(out, y_eval)
        return freezer.hold(values)

    run = fit(model, lambda _: _seed_batches(make_batch, rngs, loss, "make_batch(rng)"), None, steps,
              seed=None, update=_seed_update(model, loss, lr, clip, freezer, steps_run),
              evaluate=evaluate, every=eval_every, stop=None if stop_at is None else freezer.stop,
              progress=progress_enabled(progress), desc=f"{model.cell} x {model.n_seeds} seeds")
    values = {name: np.stack(v, axis=1) for name, v in run.metrics.items()}   # (S, len(step)) each
    return SeedHistory(seeds=list(model.seeds), step=run.step, eval_loss=values["loss"],
                       eval_accuracy=values.get("accuracy"), steps_run=steps_run,
                       solved_at=freezer.solved_at(run.step, values), seconds=run.seconds)


# ----------------------------------------------------------------------------- the gap protocol


@dataclass(frozen=True)
class GapProtocol:
    """The one set of training settings for every country-task comparison in the book.

    Chapters 2 ("long-term dependencies"), 5 (the LSTM's redemption) and 6 (the
    odyssey's country task) ask the same question, "which gaps does this cell learn
    within a fixed budget?", so they use these same settings: ``hidden_size`` units,
    ``batch`` sentences a step, Adam at ``lr`` with the gradient clipped at ``clip``,
    at most ``steps`` steps, the held-out accuracy (``eval_batches`` x ``batch``
    sentences) checked every ``eval_every`` steps, a seed frozen once it reaches
    ``stop_accuracy``, and ``seeds`` random starts. ``benchmarks/gap_protocol.py``
    measures why the rate is the same for every cell: of the rates it tries, this one is
    at least as good for the RNN, the GRU and every LSTM initialisation.
    """

    hidden_size: int = 16
    batch: int = 32
    lr: float = 3e-3
    clip: float = 1.0
    steps: int = 300
    eval_every: int = 25
    eval_batches: int = 4
    stop_accuracy: float = 0.99
    seeds: tuple[int, ...] = (0, 1, 2)
    n_countries: int = 4


GAP_PROTOCOL = GapProtocol()


@dataclass
class GapStudy:
    """Result of :func:`gap_study`: per gap and per seed.

    accuracy: ``(len(gaps), len(seeds))`` final held-out accuracy
    solved_at: same shape, the first evaluation step with accuracy >= stop_accuracy, or -1
    histories: one :class:`SeedHistory` per gap
    """

    cell: str
    forget_gate_bias: float | None
    gaps: list[int]
    seeds: list[int]
    accuracy: np.ndarray
    solved_at: np.ndarray
    histories: list[SeedHistory]
    chance: float
    protocol: GapProtocol
    seconds: float = field(default=0.0, compare=False)

    @property
    def mean(self) -> np.ndarray:
        """Mean accuracy over seeds, one value per gap."""
        return self.accuracy.mean(axis=1)

    def solved(self) -> np.ndarray:
        """``(len(gaps), len(seeds))`` bool: the seed reached ``stop_accuracy`` at that gap."""
        return self.accuracy >= self.protocol.stop_accuracy

    def at(self, gap: int) -> np.ndarray:
        """The per-seed accuracies at ``gap``."""
        if gap not in self.gaps:
            raise ValueError(f"gap: {gap!r} was not trained; the gaps are {self.gaps}")
        return self.accuracy[self.gaps.index(gap)]


def gap_study(cell: str, gaps: Sequence[int], *, forget_gate_bias: float | None = None,
              protocol: GapProtocol = GAP_PROTOCOL, progress: bool | None = None) -> GapStudy:
    """Train ``cell`` on the country task at every gap, with every seed of ``protocol``.

    Each seed starts from the same initial weights at every gap (they depend on the
    seed and the vocabulary only), so along a row only the gap changes.

    ``forget_gate_bias`` sets the LSTM's forget-gate bias, as in ``SequenceModel``.

    >>> study = gap_study("lstm", [2], forget_gate_bias=3.0)   # doctest: +SKIP
    >>> study.accuracy.shape                              # doctest: +SKIP
    (1, 3)
    """
    cell = V.check_choice(cell, "cell", CELLS)
    V.check_instance(protocol, GapProtocol, "protocol")
    gaps = check_gaps(gaps)
    P = protocol
    n_words = len(country_vocab(P.n_countries))
    t0 = time.perf_counter()
    hists = []
    for gap in gaps:
        model = SeedModels(cell, n_words, P.hidden_size, P.n_countries, P.seeds,
                           forget_gate_bias=forget_gate_bias)
        hists.append(train_seeds(
            model, lambda rng, g=gap: country_language(P.batch, g, rng, P.n_countries), P.steps,
            lr=P.lr, loss="ce", clip=P.clip, eval_every=P.eval_every, eval_batches=P.eval_batches,
            stop_at=P.stop_accuracy, stop_on="accuracy", progress=progress))
    return GapStudy(cell, forget_gate_bias, gaps, list(P.seeds),
                    np.stack([h.final_eval_accuracy for h in hists]),
                    np.stack([h.solved_at for h in hists]), hists,
                    country_chance(P.n_countries), P, time.perf_counter() - t0)
