"""Tests for lstm_course.tasks: shapes, determinism, baselines, targets that match the text."""
import math

import numpy as np
import pytest

from lstm_course import tasks
from lstm_course.tasks import (
    COUNTRIES,
    IGNORE_INDEX,
    SLOT_NONE,
    SLOT_PRONOUN,
    SLOT_VERB,
    adding_problem,
    copy_memory,
    copy_memory_baseline,
    country_chance,
    country_language,
    country_vocab,
    decode,
    gender_number_language,
    gender_number_vocab,
    one_hot,
)


def rng(seed=0):
    return np.random.default_rng(seed)


def assert_batches_equal(a, b):
    for fa, fb in zip(a, b):
        if isinstance(fa, np.ndarray):
            np.testing.assert_array_equal(fa, fb)
        else:
            assert fa == fb


# ----------------------------------------------------------------------------- helpers


def test_one_hot_roundtrip_and_dtype():
    idx = rng().integers(0, 7, size=(3, 5))
    x = one_hot(idx, 7)
    assert x.shape == (3, 5, 7) and x.dtype == np.float32
    np.testing.assert_array_equal(x.argmax(-1), idx)
    np.testing.assert_array_equal(x.sum(-1), 1.0)


@pytest.mark.parametrize("idx, V, err", [
    (np.array([0, 3]), 3, ValueError),
    (np.array([-1]), 3, ValueError),
    (np.array([0.0, 1.0]), 3, TypeError),
    (np.array([0]), 0, ValueError),
])
def test_one_hot_rejects_bad_input(idx, V, err):
    with pytest.raises(err, match="indices|V"):
        one_hot(idx, V)


def test_decode_errors():
    vocab = ["a", "b"]
    assert decode(np.array([0, 1, 0]), vocab) == "a b a"
    with pytest.raises(ValueError, match="tokens: expected a 1-D"):
        decode(np.zeros((2, 3), dtype=np.int64), vocab)
    with pytest.raises(ValueError, match=r"tokens: expected ids in \[0, 1\]"):
        decode(np.array([2]), vocab)


# ----------------------------------------------------------------------------- adding


def test_adding_shapes_dtypes_and_markers():
    b = adding_problem(16, 11, rng())
    assert b.x.shape == (16, 11, 2) and b.x.dtype == np.float32
    assert b.y.shape == (16, 1) and b.y.dtype == np.float32
    marks = b.x[..., 1]
    np.testing.assert_array_equal(marks.sum(1), 2.0)
    first, second = b.positions.T
    assert (first < 11 // 2).all() and (second >= 11 // 2).all()
    np.testing.assert_array_equal(np.flatnonzero(marks[0]), b.positions[0])
    # The target is the sum of the two marked values, exactly as the model sees them.
    np.testing.assert_allclose(b.y[:, 0], (b.x[..., 0] * marks).sum(1), rtol=1e-6)
    assert ((b.x[..., 0] >= 0) & (b.x[..., 0] <= 1)).all()


def test_adding_baseline_is_one_sixth():
    b = adding_problem(200_000, 4, rng(1))
    mse_of_one = float(np.mean((b.y - 1.0) ** 2))
    assert abs(mse_of_one - 1 / 6) < 1e-2
    assert tasks.adding_baseline_mse() == pytest.approx(1 / 6)


def test_adding_deterministic():
    assert_batches_equal(adding_problem(4, 9, rng(3)), adding_problem(4, 9, rng(3)))
    assert not np.array_equal(adding_problem(4, 9, rng(3)).x, adding_problem(4, 9, rng(4)).x)


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(batch=0, T=10), ValueError, "batch"),
    (dict(batch=2, T=1), ValueError, "T: expected an integer >= 2"),
    (dict(batch=2, T=10.0), TypeError, "T"),
    (dict(batch=True, T=10), TypeError, "batch"),
])
def test_adding_bad_arguments(kwargs, err, match):
    with pytest.raises(err, match=match):
        adding_problem(rng=rng(), **kwargs)


def test_rng_must_be_a_generator():
    with pytest.raises(TypeError, match="rng: expected a numpy Generator"):
        adding_problem(2, 10, 0)
    with pytest.raises(TypeError, match="rng"):
        country_language(2, 3, np.random.RandomState(0))


# ----------------------------------------------------------------------------- copy memory


def test_copy_memory_layout():
    T = 7
    b = copy_memory(5, T, rng())
    L = T + 20
    assert b.x.shape == (5, L, 10) and b.x.dtype == np.float32
    assert b.y.shape == (5, L) and b.y.dtype == np.int64
    np.testing.assert_array_equal(b.x.argmax(-1), b.tokens)
    symbols = b.tokens[:, :10]
    assert ((symbols >= 1) & (symbols <= 8)).all()
    np.testing.assert_array_equal(b.tokens[:, 10:10 + T - 1], b.blank)  # T - 1 blanks
    np.testing.assert_array_equal(b.tokens[:, 10 + T - 1], b.delimiter)
    np.testing.assert_array_equal(b.tokens[:, -10:], b.blank)  # 10 blanks to answer in
    np.testing.assert_array_equal(b.y[:, :T + 10], b.blank)
    np.testing.assert_array_equal(b.y[:, -10:], symbols)
    assert_batches_equal(copy_memory(3, 5, rng(9)), copy_memory(3, 5, rng(9)))


@pytest.mark.parametrize("T", [1, 10, 100])
def test_copy_memory_baseline_formula_matches_memoryless_strategy(T):
    assert copy_memory_baseline(T) == pytest.approx(10 * math.log(8) / (T + 20))
    # Blank for sure until the answer, then a uniform guess over the 8 symbols.
    b = copy_memory(64, T, rng())
    p = np.zeros(b.y.shape)
    p[:, :T + 10] = (b.y[:, :T + 10] == b.blank)
    p[:, -10:] = 1 / 8
    assert np.mean(-np.log(p)) == pytest.approx(copy_memory_baseline(T))


def test_copy_memory_bad_arguments():
    with pytest.raises(ValueError, match="n_symbols"):
        copy_memory(2, 5, rng(), n_symbols=1)
    with pytest.raises(ValueError, match="T"):
        copy_memory(2, 0, rng())
    with pytest.raises(ValueError, match="length"):
        copy_memory_baseline(5, length=0)


# ----------------------------------------------------------------------------- country -> language


@pytest.mark.parametrize("gap", [0, 1, 2, 7, 40])
def test_country_targets_match_the_text(gap):
    b = country_language(32, gap, rng(gap))
    V = len(country_vocab())
    assert b.x.shape == (32, gap + 9, V) and b.x.dtype == np.float32
    assert b.y.shape == (32,) and b.y.dtype == np.int64
    assert b.tokens.shape == (32, gap + 9) and b.gap == gap
    np.testing.assert_array_equal(b.x.argmax(-1), b.tokens)
    assert b.vocab == country_vocab()
    for i in range(32):
        words = decode(b.tokens[i], b.vocab).split()
        country, language = COUNTRIES[b.y[i]]
        assert words[:6] == ["i", "grew", "up", "in", country, "."]
        assert words[b.country_position] == country
        assert words[-3:] == ["i", "speak", "fluent"]
        assert len(words) - 9 == gap  # exactly gap filler words
        filler = set(words[6:-3])
        assert not filler & {c for c, _ in COUNTRIES} and not filler & {lang for _, lang in COUNTRIES}
        assert b.vocab[b.answer_tokens[i]] == language
        assert b.text(i) == " ".join(words + [language])
        assert b.text(i, answer=False) == " ".join(words)


def test_country_chance_and_classes():
    assert country_chance() == 0.25 and country_chance(8) == 1 / 8
    b = country_language(400, 3, rng(), n_countries=3)
    assert b.chance == pytest.approx(1 / 3)
    assert set(np.unique(b.y)) == {0, 1, 2}
    assert len(b.vocab) == b.x.shape[-1] == len(country_vocab(3))


def test_country_deterministic():
    assert_batches_equal(country_language(8, 12, rng(5)), country_language(8, 12, rng(5)))
    assert not np.array_equal(country_language(8, 12, rng(5)).tokens, country_language(8, 12, rng(6)).tokens)


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(batch=4, gap=-1), ValueError, "gap: expected a non-negative integer"),
    (dict(batch=4, gap=2.5), TypeError, "gap"),
    (dict(batch=0, gap=3), ValueError, "batch"),
    (dict(batch=4, gap=3, n_countries=1), ValueError, "n_countries"),
    (dict(batch=4, gap=3, n_countries=99), ValueError, "n_countries"),
])
def test_country_bad_arguments(kwargs, err, match):
    with pytest.raises(err, match=match):
        country_language(rng=rng(), **kwargs)


# ----------------------------------------------------------------------------- gender / number

FEMALE_NOUNS = {"queen", "girl", "woman", "mother", "queens", "girls", "women", "mothers"}
PLURAL_NOUNS = {"kings", "boys", "men", "fathers", "queens", "girls", "women", "mothers"}
NOUNS = FEMALE_NOUNS | PLURAL_NOUNS | {"king", "boy", "man", "father"}


def test_gender_number_targets_and_labels_match_the_text():
    b = gender_number_language(64, rng(2), 0, 8, T=45)
    V = len(gender_number_vocab())
    assert b.x.shape == (64, 45, V) and b.x.dtype == np.float32
    for a in (b.tokens, b.next_tokens, b.y, b.slot, b.gender, b.number):
        assert a.shape == (64, 45) and a.dtype == np.int64
    np.testing.assert_array_equal(b.x.argmax(-1), b.tokens)
    np.testing.assert_array_equal(b.next_tokens[:, :-1], b.tokens[:, 1:])
    np.testing.assert_array_equal(b.y == IGNORE_INDEX, b.slot == SLOT_NONE)
    assert (b.slot == SLOT_VERB).any() and (b.slot == SLOT_PRONOUN).any()
    for i in range(64):
        words = b.text(i).split()
        nxt = decode(b.next_tokens[i], b.vocab).split()
        assert words[0] == "the" and words[1] in NOUNS
        g = n = -1
        for t, w in enumerate(words):
            if w in NOUNS:  # the parse of the text, independent of the generator
                g, n = int(w in FEMALE_NOUNS), int(w in PLURAL_NOUNS)
                assert b.new_subject[i, t]
            else:
                assert not b.new_subject[i, t]
            assert (b.gender[i, t], b.number[i, t]) == (g, n)
            if b.slot[i, t] == SLOT_VERB:
                assert nxt[t] == ("are" if n else "is") == b.vocab[b.y[i, t]]
            elif b.slot[i, t] == SLOT_PRONOUN:
                assert w == "so"
                assert nxt[t] == ("they" if n else "she" if g else "he") == b.vocab[b.y[i, t]]
            if nxt[t] in ("is", "are"):  # every verb in the stream is a target
                assert b.slot[i, t] == SLOT_VERB


@pytest.mark.parametrize("gap", [0, 3])
def test_gender_number_gap_bounds(gap):
    b = gender_number_language(32, rng(1), gap, gap, T=60)
    for i in range(32):
        words = b.text(i).split()
        nouns = [t for t, w in enumerate(words) if w in NOUNS]
        verbs = [t for t, w in enumerate(words) if w in ("is", "are")]
        for s, v in zip(nouns, verbs):
            assert v - s - 1 == gap  # exactly gap filler words between subject and verb


def test_gender_number_deterministic_and_balanced():
    assert_batches_equal(gender_number_language(8, rng(7)), gender_number_language(8, rng(7)))
    b = gender_number_language(256, rng(0), p_plural=0.0)
    assert (b.number[b.number >= 0] == 0).all()
    b = gender_number_language(256, rng(0))
    assert 0.4 < (b.gender[b.gender >= 0] == 1).mean() < 0.6


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(min_gap=5, max_gap=2), ValueError, "max_gap: expected max_gap >= min_gap"),
    (dict(min_gap=-1), ValueError, "min_gap"),
    (dict(T=0), ValueError, "T"),
    (dict(p_plural=1.5), ValueError, "p_plural"),
])
def test_gender_number_bad_arguments(kwargs, err, match):
    with pytest.raises(err, match=match):
        gender_number_language(4, rng(), **kwargs)
