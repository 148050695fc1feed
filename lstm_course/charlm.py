"""A tiny character-level LSTM language model (Karpathy 2015), with temperature sampling.

The model reads one character at a time and predicts the next::

    x_t = embed(char_t)                  (B, T, E)
    h_t = LSTM(x_1..x_t)                 (B, T, H)
    p(char_{t+1} | char_1..char_t) = softmax(W h_t + b)

Sampling draws each next character from the softmax of the logits ``z`` divided by a
temperature ``tau``: ``p_i = exp(z_i / tau) / sum_k exp(z_k / tau)``. Below 1 the
distribution sharpens toward the most likely character (``tau -> 0`` is greedy
decoding); above 1 it flattens toward uniform.

The corpus is the Zen of Python (Tim Peters, PEP 20), which ships with every Python
as the ``this`` module, stored ROT13-encoded; :func:`zen_of_python` decodes it with the
module's own table without printing it. The decoded text is identical in CPython 3.6
to 3.13 (compared when this module was written); ``tests/test_charlm.py`` pins its
SHA-256, so a change would show at once.

Randomness is explicit: :func:`fit` (the course's one training loop,
:func:`lstm_course.train.fit`, configured for next-character prediction) seeds torch
and numpy from ``seed``;
:func:`sample` draws from its own ``numpy`` generator, so a stored sample is stable on
one machine. Not across machines: a sample depends on every bit of the trained
weights, so a chapter states what :func:`known_word_share` measures over several
training seeds rather than what one sample happens to say.
"""
from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass, field
from numbers import Real

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from . import train
from ._validate import check_instance, check_positive
from ._validate import check_int as _check_int

__all__ = [
    "zen_of_python",
    "Vocabulary",
    "random_windows",
    "CharLSTM",
    "LMHistory",
    "fit",
    "softmax_with_temperature",
    "next_char_logits",
    "sample",
    "known_word_share",
]


def zen_of_python() -> str:
    """The Zen of Python, decoded from the standard library's ``this`` module (856 characters).

    Importing ``this`` prints the text once per process; the print is swallowed here.
    """
    with contextlib.redirect_stdout(io.StringIO()):
        import this
    return "".join(this.d.get(c, c) for c in this.s)


# ----------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class Vocabulary:
    """The sorted characters of a text; ``encode`` maps a string to ids, ``decode`` back.

    >>> v = Vocabulary.from_text("abba")
    >>> v.chars, v.encode("ab").tolist(), v.decode([1, 0])
    ('ab', [0, 1], 'ba')
    """

    chars: str

    @classmethod
    def from_text(cls, text: str) -> "Vocabulary":
        if not isinstance(text, str) or not text:
            raise ValueError(f"text: expected a non-empty string, got {text!r:.40}")
        return cls("".join(sorted(set(text))))

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        index = {c: i for i, c in enumerate(self.chars)}
        missing = sorted(set(text) - set(index))
        if missing:
            raise ValueError(f"text: characters not in the vocabulary: {''.join(missing)!r}")
        return np.array([index[c] for c in text], dtype=np.int64)

    def decode(self, ids) -> str:
        ids = np.asarray(ids).ravel()
        if ids.size and (ids.min() < 0 or ids.max() >= len(self.chars)):
            raise ValueError(f"ids: expected values in [0, {len(self.chars) - 1}], got {ids.min()}..{ids.max()}")
        return "".join(self.chars[int(i)] for i in ids)


def random_windows(ids: np.ndarray, batch: int, T: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``batch`` random windows of the encoded text: inputs ``x (B, T)`` and next characters ``y (B, T)``.

    ``y[b, t] = x[b, t + 1]`` within the text: the target is the input shifted by one.
    """
    ids = np.asarray(ids)
    batch, T = _check_int(batch, "batch"), _check_int(T, "T")
    if ids.ndim != 1 or ids.size < T + 1:
        raise ValueError(f"ids: expected a 1-D array longer than T={T}, got shape {ids.shape}")
    starts = rng.integers(0, ids.size - T, size=batch)           # (B,)
    idx = starts[:, None] + np.arange(T + 1)[None, :]            # (B, T + 1)
    windows = ids[idx]
    return windows[:, :-1], windows[:, 1:]


# ----------------------------------------------------------------------------- model


class CharLSTM(nn.Module):
    """Embedding -> one LSTM layer -> linear readout of next-character logits.

    ``forward(x, state=None)`` maps ids ``x (B, T)`` to ``(logits (B, T, V), (h, c))``.
    ``seed`` makes the initialisation reproducible without touching torch's global state.
    """

    def __init__(self, vocab_size: int, hidden_size: int = 128, embed_size: int = 16,
                 seed: int | None = None):
        super().__init__()
        self.vocab_size = _check_int(vocab_size, "vocab_size", 2)
        self.hidden_size = _check_int(hidden_size, "hidden_size")
        E = _check_int(embed_size, "embed_size")
        with torch.random.fork_rng(devices=[]):
            if seed is not None:
                torch.manual_seed(_check_int(seed, "seed", 0))
            self.embed = nn.Embedding(self.vocab_size, E)
            self.lstm = nn.LSTM(E, self.hidden_size, batch_first=True)
            self.head = nn.Linear(self.hidden_size, self.vocab_size)

    def forward(self, x: torch.Tensor, state=None):
        if x.ndim != 2:
            raise ValueError(f"x: expected character ids of shape (B, T), got {tuple(x.shape)}")
        h, state = self.lstm(self.embed(x), state)   # h: (B, T, H)
        return self.head(h), state                   # (B, T, V)


@dataclass
class LMHistory:
    """train_loss: cross-entropy (nats per character) at each step; eval_step, eval_loss:
    the loss on a fixed set of held-out windows (from the same text) at those steps."""

    train_loss: list[float] = field(default_factory=list)
    eval_step: list[int] = field(default_factory=list)
    eval_loss: list[float] = field(default_factory=list)

    @property
    def final_eval_loss(self) -> float:
        return self.eval_loss[-1]


def _loss(model: CharLSTM, x: np.ndarray, y: np.ndarray) -> torch.Tensor:
    logits, _ = model(torch.from_numpy(np.ascontiguousarray(x)))
    return F.cross_entropy(logits.reshape(-1, model.vocab_size), torch.from_numpy(np.ascontiguousarray(y)).reshape(-1))


def fit(model: CharLSTM, ids: np.ndarray, steps: int, *, batch: int = 32, T: int = 64, lr: float = 1e-2,
        clip: float = 1.0, seed: int = 0, eval_every: int = 50, eval_size: int = 64) -> LMHistory:
    """Train ``model`` on random windows of ``ids`` with Adam; returns an :class:`LMHistory`.

    The evaluation windows come from the same text (the corpus is one short poem), so the
    evaluation loss measures how well the model has learned *this* text, not
    generalisation. :func:`lstm_course.train.fit` with the next-character cross-entropy:
    seeds torch and the numpy streams ``train.streams(seed)`` first.
    """
    check_instance(model, CharLSTM, "model", "a CharLSTM")
    steps = _check_int(steps, "steps", 0)
    seed = _check_int(seed, "seed", 0)
    eval_every = _check_int(eval_every, "eval_every")
    lr, clip = check_positive(lr, "lr"), check_positive(clip, "clip")
    x_eval, y_eval = random_windows(ids, _check_int(eval_size, "eval_size"), T, train.streams(seed)[1])
    run = train.fit(model, lambda rng: random_windows(ids, batch, T, rng), lambda m, xy: _loss(m, *xy), steps,
                    lr=lr, clip=clip, seed=seed, every=eval_every,
                    evaluate=lambda m: {"loss": float(_loss(m, x_eval, y_eval))})
    return LMHistory(train_loss=run.train_loss, eval_step=run.step, eval_loss=run.metrics["loss"])


# ----------------------------------------------------------------------------- sampling


def softmax_with_temperature(logits, temperature: float) -> np.ndarray:
    """``softmax(logits / temperature)`` over the last axis, in float64 (pure numpy).

    >>> softmax_with_temperature([0.0, np.log(3.0)], 1.0).round(3).tolist()
    [0.25, 0.75]
    """
    if isinstance(temperature, bool) or not isinstance(temperature, Real) or not temperature > 0:
        raise ValueError(f"temperature: expected a positive number, got {temperature!r}")
    z = np.asarray(logits, dtype=np.float64) / float(temperature)
    z = z - z.max(axis=-1, keepdims=True)          # exp never overflows
    p = np.exp(z)
    return p / p.sum(axis=-1, keepdims=True)


def next_char_logits(model: CharLSTM, vocab: Vocabulary, prompt: str) -> np.ndarray:
    """The model's logits ``(V,)`` for the character after ``prompt``."""
    if not prompt:
        raise ValueError("prompt: expected at least one character")
    x = torch.from_numpy(vocab.encode(prompt)).reshape(1, -1)
    with torch.no_grad():
        logits, _ = model(x)
    return logits[0, -1].double().numpy()


def sample(model: CharLSTM, vocab: Vocabulary, prompt: str, length: int, temperature: float = 1.0,
           seed: int = 0) -> str:
    """``length`` characters sampled after ``prompt`` at ``temperature`` (returned without the prompt).

    The prompt is read once; then each sampled character is fed back in. Draws come from
    ``np.random.default_rng(seed)``, so the same call gives the same text.
    """
    length = _check_int(length, "length", 0)
    if not prompt:
        raise ValueError("prompt: expected at least one character")
    rng = np.random.default_rng(_check_int(seed, "seed", 0))
    x = torch.from_numpy(vocab.encode(prompt)).reshape(1, -1)  # (1, T_prompt)
    out = []
    state = None
    with torch.no_grad():
        for _ in range(length):
            logits, state = model(x, state)                      # (1, T, V)
            p = softmax_with_temperature(logits[0, -1].double().numpy(), temperature)
            k = int(rng.choice(len(p), p=p))
            out.append(k)
            x = torch.tensor([[k]])                             # (1, 1): feed it back
    return vocab.decode(out)


_WORD = re.compile(r"[A-Za-z']+")


def known_word_share(sample: str, text: str) -> float:
    """The share of the words in ``sample`` that also occur as words in ``text``.

    A word is a run of letters and apostrophes; a word that the end of ``sample`` cuts
    off (the sample ends in a letter) is not counted.

    >>> known_word_share("Flat is betterr than nes", "Flat is better than nested.")
    0.75
    """
    if not isinstance(sample, str) or not isinstance(text, str):
        raise ValueError("sample, text: expected two strings")
    words = _WORD.findall(sample)
    if words and sample[-1:].isalpha():
        words = words[:-1]                      # cut off by the sample's length
    if not words:
        raise ValueError(f"sample: expected at least one whole word, got {sample!r:.40}")
    known = set(_WORD.findall(text))
    return sum(w in known for w in words) / len(words)
