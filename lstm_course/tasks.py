"""Synthetic tasks that need a long memory, generated in code from a seeded numpy rng.

Four tasks, each a function that takes ``rng: np.random.Generator`` and returns one
batch as a small ``NamedTuple``. Inputs are batch-first ``float32`` arrays
``x: (B, T, D)``; the same generator state gives the same batch, and nothing here
seeds anything on its own.

* :func:`adding_problem` -- the adding problem in its modern form (Le, Jaitly &
  Hinton 2015, arXiv:1504.00941; Arjovsky, Shah & Bengio 2016, arXiv:1511.06464),
  a descendant of the tasks of Hochreiter & Schmidhuber (1997). Two channels: random
  values and a marker for two positions; the target is the sum of the two marked
  values. Predicting the mean, 1, gives MSE 1/6: the baseline to beat.
* :func:`copy_memory` -- the copy task of Arjovsky et al. (2016): read 10 symbols,
  wait ``T`` steps, then write them back. A memoryless model scores
  ``10 log 8 / (T + 20)`` nats per step (:func:`copy_memory_baseline`).
* :func:`country_language` -- our toy version of the long-gap example of Olah (2015),
  "I grew up in France ... I speak fluent *French*": a country named early fixes
  the language asked for at the end, with ``gap`` filler words in between. A small
  gap is the article's short-gap case ("the clouds are in the *sky*").
* :func:`gender_number_language` -- a stream of sentences for the step-by-step LSTM
  walk-through: each sentence's subject fixes the later verb form (its number) and
  pronoun (its gender and number); every token carries the current subject's gender
  and number as labels, to correlate with gate and cell activations.

Shapes: ``B`` batch, ``T`` time steps, ``D`` input size (``V`` vocabulary size for
the one-hot language tasks). Integer targets are ``int64``; positions without a
target hold :data:`IGNORE_INDEX` (-100, the default ``ignore_index`` of
``torch.nn.functional.cross_entropy``).
"""
from __future__ import annotations

import math
from numbers import Integral
from typing import NamedTuple, Sequence

import numpy as np

from . import _validate as val

__all__ = [
    "IGNORE_INDEX",
    "ADDING_BASELINE_MSE",
    "one_hot",
    "decode",
    "AddingBatch",
    "adding_problem",
    "adding_baseline_mse",
    "CopyBatch",
    "copy_memory",
    "copy_memory_baseline",
    "COUNTRIES",
    "CountryBatch",
    "country_language",
    "country_vocab",
    "country_chance",
    "GenderNumberBatch",
    "gender_number_language",
    "gender_number_vocab",
    "MALE",
    "FEMALE",
    "SINGULAR",
    "PLURAL",
    "SLOT_NONE",
    "SLOT_VERB",
    "SLOT_PRONOUN",
]

IGNORE_INDEX = -100

#: MSE of always predicting 1 on the adding problem: Var(u1 + u2) = 2 * 1/12 = 1/6.
ADDING_BASELINE_MSE = 1.0 / 6.0


# ----------------------------------------------------------------------------- checks


_check_rng = val.check_rng  # one rng check for the package, in _validate


def _check_nonneg(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name}: expected a non-negative integer, got {value!r} ({type(value).__name__})")
    if value < 0:
        raise ValueError(f"{name}: expected a non-negative integer, got {value}")
    return int(value)


def _check_min(value, name: str, minimum: int, why: str = "") -> int:
    value = val.check_size(value, name)
    if value < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}{why}, got {value}")
    return value


def _check_prob(p, name: str) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating, np.integer)) or not 0.0 <= float(p) <= 1.0:
        raise ValueError(f"{name}: expected a probability in [0, 1], got {p!r}")
    return float(p)


# ----------------------------------------------------------------------------- helpers


def one_hot(indices, V: int, dtype=np.float32) -> np.ndarray:
    """One-hot encode integer ``indices`` of any shape ``S`` into ``(*S, V)`` floats.

    >>> one_hot(np.array([[0, 2]]), 3)
    array([[[1., 0., 0.],
            [0., 0., 1.]]], dtype=float32)
    """
    V = val.check_size(V, "V")
    idx = np.asarray(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"indices: expected an integer array, got dtype {idx.dtype}")
    if idx.size and (idx.min() < 0 or idx.max() >= V):
        raise ValueError(f"indices: expected values in [0, {V - 1}] for V={V}, "
                         f"got values in [{idx.min()}, {idx.max()}]")
    out = np.zeros(idx.shape + (V,), dtype=dtype)
    np.put_along_axis(out, idx[..., None].astype(np.intp), 1, axis=-1)
    return out


def decode(tokens, vocab: Sequence[str]) -> str:
    """Join the words of a 1-D sequence of token ids ``tokens: (T,)`` with spaces."""
    tok = np.asarray(tokens)
    if tok.ndim != 1:
        raise ValueError(f"tokens: expected a 1-D array (T,) of token ids, got shape {tok.shape}"
                         + (" (pick one sequence: tokens[i])" if tok.ndim == 2 else ""))
    if tok.dtype.kind not in "iu":
        raise TypeError(f"tokens: expected integer token ids, got dtype {tok.dtype}")
    if tok.size and (tok.min() < 0 or tok.max() >= len(vocab)):
        raise ValueError(f"tokens: expected ids in [0, {len(vocab) - 1}] for a vocabulary of "
                         f"{len(vocab)} words, got ids in [{tok.min()}, {tok.max()}]")
    return " ".join(vocab[int(t)] for t in tok)


class _Phrases(NamedTuple):
    table: np.ndarray  # (P, Lmax) token ids, padded with -1
    lens: np.ndarray   # (P,)


def _phrases(phrases: list[list[str]], index: dict) -> _Phrases:
    lens = np.array([len(p) for p in phrases])
    table = np.full((len(phrases), lens.max()), -1, dtype=np.int64)
    for k, p in enumerate(phrases):
        table[k, :len(p)] = [index[w] for w in p]
    return _Phrases(table, lens)


def _fill(n: np.ndarray, ph: _Phrases, rng: np.random.Generator) -> np.ndarray:
    """Exactly ``n[b]`` filler token ids for each row ``b``: ``(B, max(n))``, padded with -1.

    Each row takes random phrases, each short enough to still fit (longer phrases
    are likelier, so the text reads "the food was good ." rather than "now today
    now"). One-word phrases exist, so every row stops at exactly ``n[b]`` on a
    phrase boundary. Vectorised over rows: one loop iteration per phrase.
    """
    B = n.shape[0]
    out = np.full((B, max(int(n.max(initial=0)), 1)), -1, dtype=np.int64)
    pos = np.zeros(B, dtype=np.int64)
    rows = np.arange(B)[:, None]
    J = np.arange(ph.table.shape[1])[None, :]
    while True:
        left = n - pos
        active = left > 0
        if not active.any():
            return out[:, :int(n.max(initial=0))]
        w = np.where(ph.lens[None, :] <= left[:, None], ph.lens[None, :], 0)  # (B, P)
        cdf = np.cumsum(w, axis=1)
        u = rng.random(B) * cdf[:, -1]
        pick = (u[:, None] < cdf).argmax(axis=1)  # (B,)
        length = np.where(active, ph.lens[pick], 0)
        mask = J < length[:, None]
        out[np.broadcast_to(rows, mask.shape)[mask], (pos[:, None] + J)[mask]] = ph.table[pick][mask]
        pos += length


# ----------------------------------------------------------------------------- adding


class AddingBatch(NamedTuple):
    """One batch of the adding problem.

    x: (B, T, 2) float32 -- channel 0 the values U[0, 1], channel 1 the two markers
    y: (B, 1) float32    -- the sum of the two marked values
    positions: (B, 2) int64 -- the marked time steps, one in each half
    """

    x: np.ndarray
    y: np.ndarray
    positions: np.ndarray


def adding_problem(batch: int, T: int, rng: np.random.Generator) -> AddingBatch:
    """A batch of the adding problem of length ``T`` (Arjovsky et al. 2016 form).

    One marker falls uniformly in ``[0, T//2)``, the other in ``[T//2, T)``, so the
    first one is at least ``T//2`` steps from the end. Always predicting 1 scores
    ``ADDING_BASELINE_MSE = 1/6 ~ 0.167``; below 0.01 counts as solved.

    >>> b = adding_problem(4, 10, np.random.default_rng(0))
    >>> b.x.shape, b.y.shape
    ((4, 10, 2), (4, 1))
    """
    B = val.check_size(batch, "batch")
    T = _check_min(T, "T", 2, " (one marker in each half)")
    rng = _check_rng(rng)
    half = T // 2
    values = rng.uniform(0.0, 1.0, size=(B, T))
    first = rng.integers(0, half, size=B)
    second = rng.integers(half, T, size=B)
    marks = np.zeros((B, T))
    rows = np.arange(B)
    marks[rows, first] = 1.0
    marks[rows, second] = 1.0
    x = np.stack([values, marks], axis=-1).astype(np.float32)  # (B, T, 2)
    # Sum the float32 values actually shown to the model.
    y = (x[rows, first, 0] + x[rows, second, 0])[:, None].astype(np.float32)  # (B, 1)
    return AddingBatch(x, y, np.stack([first, second], axis=1).astype(np.int64))


def adding_baseline_mse() -> float:
    """MSE of the constant prediction 1 (the target's mean): ``1/6``."""
    return ADDING_BASELINE_MSE


# ----------------------------------------------------------------------------- copy memory


class CopyBatch(NamedTuple):
    """One batch of the copy-memory task; token ids ``0 .. n_symbols + 1``.

    x: (B, T + 2*length, n_symbols + 2) float32 one-hot inputs
    y: (B, T + 2*length) int64 -- blank everywhere except the last ``length`` steps
    tokens: (B, T + 2*length) int64 -- the input token ids
    blank, delimiter: the two special ids (0 and n_symbols + 1); symbols are 1..n_symbols
    """

    x: np.ndarray
    y: np.ndarray
    tokens: np.ndarray
    blank: int
    delimiter: int


def copy_memory(batch: int, T: int, rng: np.random.Generator, n_symbols: int = 8,
                length: int = 10) -> CopyBatch:
    """A batch of the copy task of Arjovsky et al. (2016), sequences of ``T + 2*length``.

    Input: ``length`` symbols drawn from ``n_symbols``, then ``T - 1`` blanks, the
    delimiter, and ``length`` more blanks. Target: blanks for ``T + length`` steps,
    then the ``length`` symbols again. Train with cross-entropy over
    ``n_symbols + 2`` classes at every step; compare with
    :func:`copy_memory_baseline`.

    >>> b = copy_memory(2, 5, np.random.default_rng(0))
    >>> b.x.shape, b.y.shape
    ((2, 25, 10), (2, 25))
    """
    B = val.check_size(batch, "batch")
    T = val.check_size(T, "T")
    rng = _check_rng(rng)
    n_symbols = _check_min(n_symbols, "n_symbols", 2, " (a memoryless guess must be uncertain)")
    length = val.check_size(length, "length")
    blank, delimiter = 0, n_symbols + 1
    L = T + 2 * length
    symbols = rng.integers(1, n_symbols + 1, size=(B, length))
    tokens = np.full((B, L), blank, dtype=np.int64)
    tokens[:, :length] = symbols
    tokens[:, length + T - 1] = delimiter
    y = np.full((B, L), blank, dtype=np.int64)
    y[:, -length:] = symbols
    x = one_hot(tokens, n_symbols + 2)  # (B, L, n_symbols + 2)
    return CopyBatch(x, y, tokens, blank, delimiter)


def copy_memory_baseline(T: int, n_symbols: int = 8, length: int = 10) -> float:
    """Cross-entropy (nats per step) of the best memoryless strategy.

    Predict blank until the delimiter, then a uniform guess over the symbols for the
    last ``length`` steps: ``length * log(n_symbols) / (T + 2*length)``; with the
    defaults ``10 log 8 / (T + 20)``.
    """
    T = val.check_size(T, "T")
    n_symbols = _check_min(n_symbols, "n_symbols", 2)
    length = val.check_size(length, "length")
    return length * math.log(n_symbols) / (T + 2 * length)


# ----------------------------------------------------------------------------- country -> language

#: (country, language) pairs; ``n_countries`` takes the first few.
COUNTRIES: tuple[tuple[str, str], ...] = (
    ("france", "french"), ("germany", "german"), ("spain", "spanish"), ("italy", "italian"),
    ("japan", "japanese"), ("greece", "greek"), ("poland", "polish"), ("sweden", "swedish"),
)

_COUNTRY_PREFIX = ["i", "grew", "up", "in"]  # then the country and "."
_COUNTRY_QUERY = ["i", "speak", "fluent"]    # then the language: the target
_COUNTRY_FILLER = [
    ["the", "weather", "was", "mild", "."],
    ["we", "lived", "near", "the", "sea", "."],
    ["my", "school", "was", "small", "."],
    ["the", "food", "was", "good", "."],
    ["i", "had", "two", "dogs", "."],
    ["it", "rained", "a", "lot", "."],
    ["we", "ate", "bread", "."],
    ["i", "liked", "music", "."],
    ["my", "friends", "played", "chess", "."],
    ["then", "i", "moved", "away", "."],
    ["years", "later"],
    ["and", "then"],
    ["now"],
    ["today"],
]


def _country_words(n_countries: int) -> list[str]:
    words: list[str] = []
    for w in (_COUNTRY_PREFIX + ["."] + [c for c, _ in COUNTRIES[:n_countries]]
              + [w for p in _COUNTRY_FILLER for w in p] + _COUNTRY_QUERY
              + [lang for _, lang in COUNTRIES[:n_countries]]):
        if w not in words:
            words.append(w)
    return words


def _check_n_countries(n_countries) -> int:
    n = val.check_size(n_countries, "n_countries")
    if not 2 <= n <= len(COUNTRIES):
        raise ValueError(f"n_countries: expected an integer in [2, {len(COUNTRIES)}], got {n}")
    return n


def country_vocab(n_countries: int = 4) -> list[str]:
    """The vocabulary (list of words, index = token id) of :func:`country_language`."""
    return _country_words(_check_n_countries(n_countries))


def country_chance(n_countries: int = 4) -> float:
    """Accuracy of guessing the language without memory: ``1 / n_countries``."""
    return 1.0 / _check_n_countries(n_countries)


class CountryBatch(NamedTuple):
    """One batch of the country -> language task (all sequences share ``T = gap + 9``).

    x: (B, T, V) float32 one-hot of ``tokens``
    y: (B,) int64 -- the language as a class index in ``[0, n_countries)``
       (class ``k`` is ``COUNTRIES[k]``); predict it after reading the last token
    tokens: (B, T) int64 -- "i grew up in <country> . <gap fillers> i speak fluent"
    answer_tokens: (B,) int64 -- the vocabulary id of the language word
    country_position: int -- time step of the country word (always 4)
    gap: int; vocab: list[str]; chance: float = 1 / n_countries
    """

    x: np.ndarray
    y: np.ndarray
    tokens: np.ndarray
    answer_tokens: np.ndarray
    country_position: int
    gap: int
    vocab: list
    chance: float

    def text(self, i: int = 0, answer: bool = True) -> str:
        """Sequence ``i`` as text, with the correct language appended when ``answer``."""
        s = decode(self.tokens[i], self.vocab)
        return s + " " + self.vocab[int(self.answer_tokens[i])] if answer else s


def country_language(batch: int, gap: int, rng: np.random.Generator,
                     n_countries: int = 4) -> CountryBatch:
    """Sentences "i grew up in FRANCE . <gap filler words> i speak fluent" -> FRENCH.

    The country is drawn uniformly from the first ``n_countries`` of
    :data:`COUNTRIES`; ``gap >= 0`` filler words (random everyday phrases that carry
    no information about the country) separate the country's "." from the query,
    so the country sits ``gap + 4`` steps before the last input. Chance accuracy is
    ``1 / n_countries`` (:func:`country_chance`).

    >>> b = country_language(2, 3, np.random.default_rng(0))
    >>> b.x.shape, b.y.shape, len(b.vocab) == b.x.shape[-1]
    ((2, 12, 50), (2,), True)
    """
    B = val.check_size(batch, "batch")
    gap = _check_nonneg(gap, "gap")
    rng = _check_rng(rng)
    n = _check_n_countries(n_countries)
    vocab = _country_words(n)
    index = {w: i for i, w in enumerate(vocab)}
    y = rng.integers(0, n, size=B).astype(np.int64)
    filler = _fill(np.full(B, gap), _phrases(_COUNTRY_FILLER, index), rng)  # (B, gap)
    countries = np.array([index[c] for c, _ in COUNTRIES[:n]])
    languages = np.array([index[lang] for _, lang in COUNTRIES[:n]])
    tokens = np.concatenate([
        np.broadcast_to([index[w] for w in _COUNTRY_PREFIX], (B, len(_COUNTRY_PREFIX))),
        countries[y][:, None], np.full((B, 1), index["."]), filler,
        np.broadcast_to([index[w] for w in _COUNTRY_QUERY], (B, len(_COUNTRY_QUERY))),
    ], axis=1).astype(np.int64)  # (B, T)
    answers = languages[y].astype(np.int64)
    return CountryBatch(one_hot(tokens, len(vocab)), y, tokens, answers, len(_COUNTRY_PREFIX),
                        gap, vocab, 1.0 / n)


# ----------------------------------------------------------------------------- subject gender / number

MALE, FEMALE = 0, 1
SINGULAR, PLURAL = 0, 1
SLOT_NONE, SLOT_VERB, SLOT_PRONOUN = 0, 1, 2

# NOUNS[number][gender]
_NOUNS = (
    (("king", "boy", "man", "father"), ("queen", "girl", "woman", "mother")),
    (("kings", "boys", "men", "fathers"), ("queens", "girls", "women", "mothers")),
)
_BE = ("is", "are")                      # by number
_PRONOUN = (("he", "she"), ("they", "they"))  # [number][gender]
_REST = ("rests", "rest")                # by number
_ADJECTIVES = ("tired", "happy", "hungry", "late")
# Neither gender nor number: the words between subject and verb are pure distraction.
_GN_FILLER = [
    ["from", "the", "north"],
    ["near", "the", "river"],
    ["with", "a", "red", "hat"],
    ["in", "the", "old", "town"],
    ["who", "lived", "by", "the", "sea"],
    ["at", "the", "market"],
    ["over", "there"],
    ["right", "here"],
    ["today"],
    ["again"],
]


def gender_number_vocab() -> list[str]:
    """The vocabulary (list of words, index = token id) of :func:`gender_number_language`."""
    words: list[str] = ["the"]
    for per_number in _NOUNS:
        for per_gender in per_number:
            words.extend(per_gender)
    for w in ([w for p in _GN_FILLER for w in p] + list(_BE) + list(_ADJECTIVES) + [",", "so"]
              + ["he", "she", "they"] + list(_REST) + ["."]):
        if w not in words:
            words.append(w)
    return words


class GenderNumberBatch(NamedTuple):
    """One batch of the subject gender/number language; every array is ``(B, T)``.

    x: (B, T, V) float32 one-hot of ``tokens``
    tokens: (B, T) int64 -- the input words
    next_tokens: (B, T) int64 -- the word after each input (full next-word targets)
    y: (B, T) int64 -- ``next_tokens`` at the two kinds of slot, IGNORE_INDEX elsewhere:
       at the last word before "is"/"are" (its number) and at "so" before
       "he"/"she"/"they" (gender and number)
    slot: (B, T) int64 -- SLOT_VERB, SLOT_PRONOUN or SLOT_NONE for each position of ``y``
    gender, number: (B, T) int64 -- the current subject's MALE/FEMALE and SINGULAR/PLURAL
       once its noun has been read; -1 before the first noun
    new_subject: (B, T) bool -- True at each subject noun (where the old subject is forgotten)
    vocab: list[str]
    """

    x: np.ndarray
    tokens: np.ndarray
    next_tokens: np.ndarray
    y: np.ndarray
    slot: np.ndarray
    gender: np.ndarray
    number: np.ndarray
    new_subject: np.ndarray
    vocab: list

    def text(self, i: int = 0) -> str:
        """Sequence ``i`` as text."""
        return decode(self.tokens[i], self.vocab)


def _gn_words(ix: dict) -> dict:
    """The gender/number language's word classes as token indices."""
    return {"phrases": _phrases(_GN_FILLER, ix),
            "nouns": np.array([[[ix[w] for w in per_gender] for per_gender in per_number] for per_number in _NOUNS]),
            "be": np.array([ix[w] for w in _BE]), "rest": np.array([ix[w] for w in _REST]),
            "pron": np.array([[ix[w] for w in per_number] for per_number in _PRONOUN]),  # [number, gender]
            "adjectives": np.array([ix[w] for w in _ADJECTIVES])}


def _gn_sentences(B, rng, words, ix, min_gap, max_gap, p_plural):
    """One sentence per row: ``sent (B, max_gap + 9)`` padded with -1, its gaps g, genders, numbers."""
    num = (rng.random(B) < p_plural).astype(np.int64)
    gen = rng.integers(0, 2, size=B)
    nouns = words["nouns"]
    noun = nouns[num, gen, rng.integers(0, nouns.shape[2], size=B)]
    g = rng.integers(min_gap, max_gap + 1, size=B)
    filler = _fill(g, words["phrases"], rng)  # (B, max g)
    adj = words["adjectives"][rng.integers(0, len(words["adjectives"]), size=B)]
    # the NOUN <filler> is|are ADJ , so PRONOUN rests|rest .
    tail = np.stack([words["be"][num], adj, np.full(B, ix[","]), np.full(B, ix["so"]), words["pron"][num, gen],
                     words["rest"][num], np.full(B, ix["."])], axis=1)  # (B, 7)
    sent = np.full((B, max_gap + 9), -1, dtype=np.int64)
    sent[:, 0], sent[:, 1] = ix["the"], noun
    sent[:, 2:2 + filler.shape[1]] = filler
    sent[np.arange(B)[:, None], 2 + g[:, None] + np.arange(7)] = tail
    return sent, g, gen, num


def gender_number_language(batch: int, rng: np.random.Generator, min_gap: int = 0,
                           max_gap: int = 8, *, T: int = 40,
                           p_plural: float = 0.5) -> GenderNumberBatch:
    """A stream of sentences, cut to ``T`` words, whose subjects fix later words.

    Each sentence is ``the NOUN <g fillers> is|are ADJ , so he|she|they rests|rest .``
    with ``g`` uniform in ``[min_gap, max_gap]`` and filler phrases that carry neither
    gender nor number ("from the north", "who lived by the sea"). The noun fixes the
    subject's gender (king/queen, boy/girl, ...) and number (king/kings): "is" or
    "are" needs the number across ``g`` words, the pronoun needs both across
    ``g + 4``. A new sentence brings a new subject, so a memory of the old one must
    be overwritten -- the forget gate's job in the article's walk-through.

    >>> b = gender_number_language(2, np.random.default_rng(0), T=20)
    >>> b.x.shape, b.y.shape
    ((2, 20, 54), (2, 20))
    """
    B = val.check_size(batch, "batch")
    rng = _check_rng(rng)
    min_gap = _check_nonneg(min_gap, "min_gap")
    max_gap = _check_nonneg(max_gap, "max_gap")
    if max_gap < min_gap:
        raise ValueError(f"max_gap: expected max_gap >= min_gap = {min_gap}, got {max_gap}")
    T = val.check_size(T, "T")
    p_plural = _check_prob(p_plural, "p_plural")
    vocab = gender_number_vocab()
    ix = {w: i for i, w in enumerate(vocab)}
    L = T + 1  # one extra word gives the last input its next word
    W = L + max_gap + 9  # room for the last sentence to run past L
    tokens, gender, number = (np.full((B, W), -1, dtype=np.int64) for _ in range(3))  # -1: no word, no subject yet
    slot = np.full((B, W), SLOT_NONE, dtype=np.int64)
    new_subject = np.zeros((B, W), dtype=bool)
    rows = np.arange(B)
    offset = np.zeros(B, dtype=np.int64)
    cur_g, cur_n = np.full(B, -1, dtype=np.int64), np.full(B, -1, dtype=np.int64)
    words = _gn_words(ix)
    while (offset < L).any():  # one sentence per row per iteration
        active = offset < L
        sent, g, gen, num = _gn_sentences(B, rng, words, ix, min_gap, max_gap, p_plural)
        length = g + 9
        J = np.arange(sent.shape[1])[None, :]
        mask = active[:, None] & (J < length[:, None])  # (B, max_gap + 9)
        at = (np.broadcast_to(rows[:, None], mask.shape)[mask], (offset[:, None] + J)[mask])
        tokens[at] = sent[mask]
        # "the" still belongs to the old subject; the noun switches to the new one.
        gender[at] = np.where(J == 0, cur_g[:, None], gen[:, None])[mask]
        number[at] = np.where(J == 0, cur_n[:, None], num[:, None])[mask]
        new_subject[at] = np.broadcast_to(J == 1, mask.shape)[mask]
        # A slot sits on the word *before* the one to predict.
        gv = g[:, None]
        slot[at] = np.where(J == 1 + gv, SLOT_VERB, np.where(J == 5 + gv, SLOT_PRONOUN, SLOT_NONE))[mask]
        cur_g[active], cur_n[active] = gen[active], num[active]
        offset[active] += length[active]
    tokens, gender, number = tokens[:, :L], gender[:, :T], number[:, :T]
    slot, new_subject = slot[:, :T], new_subject[:, :T]
    inputs, nxt = tokens[:, :T], tokens[:, 1:]
    y = np.where(slot != SLOT_NONE, nxt, IGNORE_INDEX).astype(np.int64)
    return GenderNumberBatch(one_hot(inputs, len(vocab)), inputs, nxt, y, slot, gender, number,
                             new_subject, vocab)
