"""Attention over LSTM states, on a toy task where squeezing the input into one state hurts.

The task (:func:`reversal_task`) is to read ``T`` random symbols and write them back in
reverse order. Two encoder-decoder models (Cho et al. 2014; Sutskever et al. 2014) see
the same data:

* :class:`EncoderDecoder` with ``attention=False``: an LSTM encoder reads ``x_1..x_T``; its
  final state ``(h_T, C_T)`` is all the decoder gets. The decoder is a second LSTM started
  from that state; its input at output step ``t`` is only the step number.
* ``attention=True`` (Bahdanau et al. 2015; Luong et al. 2015; Xu et al. 2015 attend over
  image regions): at every output step the decoder state ``s_t`` looks at *all* encoder
  states ``h_1..h_T`` with dot-product attention::

      q_t    = W_q s_t                        query            (B, H)
      e_tj   = q_t . h_j                      scores           (B, T)
      a_tj   = exp(e_tj) / sum_k exp(e_tk)    weights, softmax over input positions j
      c_t    = sum_j a_tj h_j                 context          (B, H)
      out_t  = W_o tanh(W_c [s_t, c_t])       logits over the symbols

The attention weights ``a_tj`` form a ``(T_out, T_in)`` map; for reversal a trained
model puts its weight on the anti-diagonal ``j = T + 1 - t``.

:func:`fit` trains a model with the course's one training loop,
:func:`lstm_course.train.fit` (Adam, gradient clipping, seeding torch and numpy from
``seed`` at the start), so a repeated call on one machine gives the same numbers. Thread count is the
caller's (``torch.set_num_threads(1)`` in the chapters).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from matplotlib.figure import Figure
from torch import nn
from torch.nn import functional as F

from . import style, train
from ._validate import check_instance, check_positive, check_rng
from ._validate import check_int as _check_int

__all__ = [
    "ReversalBatch",
    "reversal_task",
    "dot_attention",
    "EncoderDecoder",
    "FitHistory",
    "fit",
    "evaluate",
    "sequence_accuracy",
    "attention_map",
    "attention_maps",
    "attention_map_plot",
    "position_accuracy_plot",
]


# ----------------------------------------------------------------------------- task


@dataclass
class ReversalBatch:
    """x: (B, T) input symbols in [0, n_symbols); y: (B, T) the same, reversed."""

    x: np.ndarray
    y: np.ndarray
    n_symbols: int


def reversal_task(batch: int, T: int, rng: np.random.Generator, n_symbols: int = 8) -> ReversalBatch:
    """``batch`` sequences of ``T`` uniform random symbols and their reversals.

    >>> b = reversal_task(1, 4, np.random.default_rng(0))
    >>> bool((b.y == b.x[:, ::-1]).all())
    True
    """
    batch = _check_int(batch, "batch")
    T = _check_int(T, "T")
    n_symbols = _check_int(n_symbols, "n_symbols", 2)
    rng = check_rng(rng)
    x = rng.integers(0, n_symbols, size=(batch, T))    # (B, T)
    return ReversalBatch(x=x, y=np.ascontiguousarray(x[:, ::-1]), n_symbols=n_symbols)


# ----------------------------------------------------------------------------- models


def dot_attention(query: torch.Tensor, states: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Dot-product attention: ``query (B, H)``, ``states (B, T, H)`` -> ``(weights (B, T), context (B, H))``.

    ``weights = softmax(states @ query)`` over the T positions; ``context = weights @ states``.
    """
    scores = torch.einsum("bth,bh->bt", states, query)      # e_tj: (B, T)
    weights = torch.softmax(scores, dim=-1)                 # a_tj, sums to 1 over j
    context = torch.einsum("bt,bth->bh", weights, states)   # c_t: (B, H)
    return weights, context


class EncoderDecoder(nn.Module):
    """An LSTM encoder and an LSTM decoder, with or without attention over the encoder states.

    n_symbols: vocabulary size; T: sequence length (the decoder runs T steps, its input
    at step t is a learned embedding of t); hidden_size: H of both LSTMs.
    ``forward(x)`` maps ``x (B, T)`` integer symbols to logits ``(B, T, n_symbols)``;
    with ``return_attention=True`` also the weights ``(B, T_out, T_in)`` (attention only).
    ``seed`` makes the initialisation reproducible without touching torch's global state.
    """

    def __init__(self, n_symbols: int, T: int, hidden_size: int = 32, attention: bool = True,
                 embed_size: int = 16, seed: int | None = None):
        super().__init__()
        self.n_symbols = _check_int(n_symbols, "n_symbols", 2)
        self.T = _check_int(T, "T")
        H = self.hidden_size = _check_int(hidden_size, "hidden_size")
        E = _check_int(embed_size, "embed_size")
        self.attention = bool(attention)
        with torch.random.fork_rng(devices=[]):
            if seed is not None:
                torch.manual_seed(_check_int(seed, "seed", 0))
            self.embed = nn.Embedding(self.n_symbols, E)
            self.encoder = nn.LSTM(E, H, batch_first=True)
            self.step_embed = nn.Embedding(self.T, E)
            self.decoder = nn.LSTM(E, H, batch_first=True)
            if self.attention:
                self.query = nn.Linear(H, H, bias=False)      # W_q
                self.combine = nn.Linear(2 * H, H)            # W_c
            self.head = nn.Linear(H, self.n_symbols)          # W_o

    def forward(self, x: torch.Tensor, return_attention: bool = False):
        if x.ndim != 2 or x.shape[1] != self.T:
            raise ValueError(f"x: expected integer symbols of shape (B, T) with T={self.T}, "
                             f"got {tuple(x.shape)}")
        B = x.shape[0]
        enc, (h_T, c_T) = self.encoder(self.embed(x))         # enc: (B, T, H)
        steps = self.step_embed.weight.unsqueeze(0).expand(B, -1, -1)  # (B, T, E)
        dec, _ = self.decoder(steps, (h_T, c_T))              # s_t: (B, T, H)
        if not self.attention:
            if return_attention:
                raise ValueError("return_attention: this model has no attention")
            return self.head(dec)                             # (B, T, n_symbols)
        q = self.query(dec)                                   # (B, T_out, H)
        scores = q @ enc.transpose(1, 2)                      # (B, T_out, T_in)
        weights = torch.softmax(scores, dim=-1)               # over input positions
        context = weights @ enc                               # (B, T_out, H)
        out = self.head(torch.tanh(self.combine(torch.cat([dec, context], dim=-1))))
        return (out, weights) if return_attention else out


# ----------------------------------------------------------------------------- training


@dataclass
class FitHistory:
    """step: evaluation steps; accuracy: held-out share of symbols right at those steps;
    train_loss: one cross-entropy value per step."""

    step: list[int] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)

    @property
    def final_accuracy(self) -> float:
        return self.accuracy[-1]


def _tensors(batch: ReversalBatch) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.from_numpy(np.asarray(batch.x, dtype=np.int64)), torch.from_numpy(np.asarray(batch.y, dtype=np.int64))


def _correct(model: EncoderDecoder, batch: ReversalBatch) -> torch.Tensor:
    """(B, T) booleans: greedy predictions of ``model`` equal the targets."""
    x, y = _tensors(batch)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        pred = model(x).argmax(-1)                            # (B, T)
    model.train(was_training)
    return pred == y


def evaluate(model: EncoderDecoder, batch: ReversalBatch) -> np.ndarray:
    """Per-output-position accuracy ``(T,)`` of ``model`` on ``batch`` (greedy argmax)."""
    return _correct(model, batch).double().mean(0).numpy()


def sequence_accuracy(model: EncoderDecoder, batch: ReversalBatch) -> float:
    """Share of the sequences in ``batch`` that ``model`` reverses without a single error."""
    return float(_correct(model, batch).all(dim=1).double().mean())


def fit(model: EncoderDecoder, steps: int, *, batch: int = 64, lr: float = 1e-2, clip: float = 1.0,
        seed: int = 0, eval_every: int = 50, eval_size: int = 512) -> FitHistory:
    """Train ``model`` on :func:`reversal_task` with Adam for ``steps`` steps.

    :func:`lstm_course.train.fit` with the cross-entropy of the reversed symbols: seeds
    ``torch.manual_seed(seed)`` and the numpy streams ``train.streams(seed)`` (one for
    training batches, one for the fixed held-out set of ``eval_size`` sequences).
    """
    check_instance(model, EncoderDecoder, "model", "an EncoderDecoder")
    steps = _check_int(steps, "steps", 0)
    seed = _check_int(seed, "seed", 0)
    batch, eval_every = _check_int(batch, "batch"), _check_int(eval_every, "eval_every")
    lr, clip = check_positive(lr, "lr"), check_positive(clip, "clip")
    held_out = reversal_task(_check_int(eval_size, "eval_size"), model.T, train.streams(seed)[1],
                             model.n_symbols)

    def loss(m: EncoderDecoder, xy: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        x, y = xy
        return F.cross_entropy(m(x).reshape(-1, m.n_symbols), y.reshape(-1))

    run = train.fit(model, lambda rng: _tensors(reversal_task(batch, model.T, rng, model.n_symbols)),
                    loss, steps, lr=lr, clip=clip, seed=seed, every=eval_every,
                    evaluate=lambda m: {"accuracy": float(evaluate(m, held_out).mean())})
    return FitHistory(step=run.step, accuracy=run.metrics["accuracy"], train_loss=run.train_loss)


def attention_maps(model: EncoderDecoder, x) -> np.ndarray:
    """The attention weights ``(B, T_out, T_in)`` of an attention model for sequences ``x (B, T)``."""
    check_instance(model, EncoderDecoder, "model", "an EncoderDecoder with attention=True")
    if not model.attention:
        raise ValueError("model: expected an EncoderDecoder with attention=True, got attention=False")
    x = np.asarray(x, dtype=np.int64)
    if x.ndim != 2:
        raise ValueError(f"x: expected symbols of shape (B, T), got {x.shape}")
    was_training = model.training
    model.eval()
    with torch.no_grad():
        _, w = model(torch.from_numpy(x), return_attention=True)
    model.train(was_training)
    return w.double().numpy()


def attention_map(model: EncoderDecoder, x) -> np.ndarray:
    """The attention weights ``(T_out, T_in)`` of an attention model for one sequence ``x (T,)``."""
    return attention_maps(model, np.asarray(x).reshape(1, -1))[0]


# ----------------------------------------------------------------------------- figures


def attention_map_plot(weights, x=None, ax=None) -> Figure:
    """Heatmap of attention weights ``(T_out, T_in)``: output step down, input position across.

    ``x`` (optional, ``(T_in,)``): the input symbols, written under the columns.
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2:
        raise ValueError(f"weights: expected shape (T_out, T_in), got {w.shape}")
    T_out, T_in = w.shape
    if ax is None:
        fig = Figure(figsize=(4.6, 4.2), layout="constrained")
        ax = fig.subplots()
    fig = ax.figure
    im = ax.imshow(w, cmap="Blues", vmin=0, vmax=1, origin="upper")
    ax.set_xticks(np.arange(T_in), [str(j + 1) for j in range(T_in)], fontsize=8)
    ax.set_yticks(np.arange(T_out), [str(t + 1) for t in range(T_out)], fontsize=8)
    ax.set(xlabel="input position j", ylabel="output step t")
    if x is not None:
        x = np.asarray(x).ravel()
        if x.shape != (T_in,):
            raise ValueError(f"x: expected {T_in} input symbols, got shape {x.shape}")
        ax.set_xticks(np.arange(T_in), [f"{j + 1}\n{int(s)}" for j, s in enumerate(x)], fontsize=8)
        ax.set_xlabel("input position j (and its symbol)")
    fig.colorbar(im, ax=ax, shrink=0.8, label="attention weight $a_{tj}$")
    return fig


def position_accuracy_plot(curves: dict, chance: float | None = None, ax=None) -> Figure:
    """Held-out accuracy at each output step, one line per model.

    ``curves``: ``{label: accuracies}``, each ``(T,)`` for one model, or ``(S, T)`` for
    the same model trained with S seeds: then the line is the mean over the seeds and a
    shaded band spans their lowest to highest value at each step.
    """
    if ax is None:
        fig = Figure(figsize=(6.4, 3.0), layout="constrained")
        ax = fig.subplots()
    fig = ax.figure
    markers = ("o", "s", "^", "D")
    colors = style.LINE_CYCLE[:len(markers)]                  # Okabe-Ito: blue, orange, green, purple
    for k, (label, acc) in enumerate(curves.items()):
        acc = np.asarray(acc, dtype=float)
        if acc.ndim not in (1, 2) or acc.shape[-1] == 0:
            raise ValueError(f"curves[{label!r}]: expected shape (T,) or (S, T), got {acc.shape}")
        t = np.arange(1, acc.shape[-1] + 1)
        color = colors[k % len(colors)]
        if acc.ndim == 2:                                     # (S, T): mean and min-max band
            ax.fill_between(t, acc.min(0), acc.max(0), color=color, alpha=0.2, lw=0)
            acc = acc.mean(0)
        ax.plot(t, acc, marker=markers[k % 4], color=color, lw=2, ms=5, label=label)
        ax.set_xticks(t)
    if chance is not None:
        ax.axhline(chance, color="0.45", ls="--", lw=1.2)
        ax.text(ax.get_xlim()[1], chance, "chance ", ha="right", va="bottom", fontsize=9, color="0.45")
    ax.set(xlabel="output step t (the input symbol from position T + 1 - t)",
           ylabel="held-out accuracy", ylim=(0, 1.05))
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 0.16), fontsize=9)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig
