"""The character-level LSTM: corpus, vocabulary, batching, training, temperature sampling,
and the temperature widget of the chapter "Conclusion"."""
import hashlib

import numpy as np
import pytest
import torch

from lstm_course import charlm as L
from lstm_course.widgets import sampling as S

ZEN_SHA256 = "e250f274f33b9b621a04264025d50e5fb9b1f989f444d13bb373882e734e996f"


def test_zen_of_python_is_the_pinned_text(capsys):
    text = L.zen_of_python()
    assert capsys.readouterr().out == ""                      # importing `this` printed nothing
    assert text.startswith("The Zen of Python, by Tim Peters\n\nBeautiful is better than ugly.")
    assert len(text) == 856
    assert hashlib.sha256(text.encode()).hexdigest() == ZEN_SHA256


def test_vocabulary_round_trip_and_errors():
    v = L.Vocabulary.from_text("hello world")
    assert v.chars == " dehlorw" and len(v) == 8
    ids = v.encode("world")
    assert ids.dtype == np.int64 and v.decode(ids) == "world"
    with pytest.raises(ValueError, match="not in the vocabulary"):
        v.encode("xyz")
    with pytest.raises(ValueError, match="ids"):
        v.decode([8])
    with pytest.raises(ValueError, match="text"):
        L.Vocabulary.from_text("")


def test_random_windows_targets_are_shifted_inputs():
    ids = np.arange(100)
    x, y = L.random_windows(ids, 6, 10, np.random.default_rng(0))
    assert x.shape == y.shape == (6, 10)
    assert np.array_equal(y, x + 1)                           # the next character
    assert x.min() >= 0 and y.max() <= 99
    with pytest.raises(ValueError, match="longer than T"):
        L.random_windows(np.arange(5), 2, 5, np.random.default_rng(0))


def test_softmax_with_temperature():
    z = np.array([2.0, 1.0, 0.0])
    p1 = L.softmax_with_temperature(z, 1.0)
    assert np.allclose(p1, np.exp(z) / np.exp(z).sum())
    assert L.softmax_with_temperature(z, 0.01)[0] > 0.999       # toward greedy
    assert np.allclose(L.softmax_with_temperature(z, 1e6), 1 / 3)  # toward uniform
    assert np.isfinite(L.softmax_with_temperature([1e4, 0.0], 1.0)).all()
    for bad in (0, -1.0, True, "1"):
        with pytest.raises(ValueError, match="temperature"):
            L.softmax_with_temperature(z, bad)


@pytest.fixture(scope="module")
def trained():
    text = L.zen_of_python()
    v = L.Vocabulary.from_text(text)
    ids = v.encode(text)
    m = L.CharLSTM(len(v), hidden_size=32, seed=0)
    h = L.fit(m, ids, 60, batch=16, T=32, seed=0, eval_every=30)
    return m, v, ids, h


def test_fit_lowers_the_loss_reproducibly(trained):
    m, v, ids, h = trained
    assert h.eval_step == [0, 30, 60] and len(h.train_loss) == 60
    assert abs(h.eval_loss[0] - np.log(len(v))) < 0.1          # starts near uniform
    assert h.final_eval_loss < h.eval_loss[0] - 1.0
    m2 = L.CharLSTM(len(v), hidden_size=32, seed=0)
    assert L.fit(m2, ids, 60, batch=16, T=32, seed=0, eval_every=30) == h


def test_sample_is_seeded_and_uses_the_vocabulary(trained):
    m, v, _, _ = trained
    a = L.sample(m, v, "Beautiful ", 40, temperature=1.0, seed=1)
    assert len(a) == 40 and set(a) <= set(v.chars)
    assert a == L.sample(m, v, "Beautiful ", 40, temperature=1.0, seed=1)
    assert L.sample(m, v, "Beautiful ", 0) == ""
    with pytest.raises(ValueError, match="prompt"):
        L.sample(m, v, "", 5)


def test_sample_at_low_temperature_is_greedy(trained):
    m, v, _, _ = trained
    prompt = "Simple is "
    greedy = ""
    with torch.no_grad():
        for _ in range(15):
            greedy += v.chars[int(np.argmax(L.next_char_logits(m, v, prompt + greedy)))]
    for seed in (0, 1):
        assert L.sample(m, v, prompt, 15, temperature=1e-3, seed=seed) == greedy


def test_known_word_share():
    text = "Flat is better than nested.\nSparse is better than dense."
    assert L.known_word_share("Sparse is better than nestd.\n", text) == 0.8
    assert L.known_word_share("Flat is better than nes", text) == 1.0   # "nes" is cut off
    assert L.known_word_share("dense, flat.", text) == 0.5               # case matters: "flat"
    with pytest.raises(ValueError, match="whole word"):
        L.known_word_share("ab", text)
    with pytest.raises(ValueError, match="strings"):
        L.known_word_share(None, text)


def test_stepwise_state_equals_whole_sequence(trained):
    m, v, _, _ = trained
    x = torch.from_numpy(v.encode("Errors should never")).reshape(1, -1)
    with torch.no_grad():
        whole, _ = m(x)
        state, steps = None, []
        for t in range(x.shape[1]):
            out, state = m(x[:, t:t + 1], state)
            steps.append(out)
    assert torch.allclose(whole, torch.cat(steps, 1), atol=1e-5)


# ---- the temperature widget ---------------------------------------------------------------


def test_temperature_distribution():
    d = S.temperature_distribution([0.0, np.log(3.0), -1.0], "a\n ", 1.0, k=2)
    assert d.labels == ("\\n", "a")                              # newline shown as \n
    z = np.array([0.0, np.log(3.0), -1.0])
    p = np.exp(z) / np.exp(z).sum()
    assert np.allclose(d.probs, [p[1], p[0]]) and np.allclose(d.probs_at_1, d.probs)
    cold = S.temperature_distribution(z, "a\n ", 0.5, k=3)
    hot = S.temperature_distribution(z, "a\n ", 2.0, k=3)
    assert cold.labels == hot.labels == ("\\n", "a", "␣")      # order fixed by the logits
    assert cold.entropy < d.entropy < hot.entropy < np.log(3)
    with pytest.raises(ValueError, match="logits"):
        S.temperature_distribution([1.0, 2.0], "abc", 1.0)
    with pytest.raises(ValueError, match="temperature"):
        S.temperature_distribution([1.0, 2.0], "ab", 0.0)


def test_temperature_figure_updates_in_place():
    z, chars = np.array([2.0, 1.0, 0.0, -1.0]), "wxyz"
    fig = S.temperature_figure(z, chars, 1.0, prompt="p", k=3)
    art = fig.lstm_course_artists
    S.update_temperature_figure(fig, 0.5)
    want = S.temperature_distribution(z, chars, 0.5, k=3).probs
    assert np.allclose([b.get_height() for b in art["bars"]], want)
    assert "τ = 0.5" in art["title"].get_text()
    assert len(fig.axes) == 1


def test_temperature_widget_holds_a_sample_per_slider_position():
    pytest.importorskip("anywidget")
    calls = []

    def sample_fn(tau):
        calls.append(tau)
        return f"<sample at {tau:.1f}>"

    w = S.temperature_widget(np.array([1.0, 0.0]), "ab", sample_fn, temperature=1.0, prompt="x")
    assert len(calls) == len(S.temperature_grid()) == 20
    assert w.samples["1.5"] == "<sample at 1.5>"
    assert 'data-volatile="' in w.mount_html()
    w.temperature = 1.5
    assert repr(w) == "TemperatureWidget(temperature=1.5, prompt='x')"
    with pytest.raises(ValueError, match="sample_fn"):
        S.temperature_widget(np.array([1.0, 0.0]), "ab", None)


def test_wrong_types_raise_type_error_and_wrong_values_value_error():
    ids = L.Vocabulary.from_text("abcabcabc").encode("abcabcabc")
    with pytest.raises(TypeError, match="model: expected a CharLSTM"):
        L.fit(torch.nn.Linear(2, 2), ids, 1)
    with pytest.raises(TypeError, match="steps"):
        L.fit(L.CharLSTM(3, 4, seed=0), ids, 2.0)
    with pytest.raises(TypeError, match="length"):
        L.sample(L.CharLSTM(3, 4, seed=0), L.Vocabulary("abc"), "ab", True)
    with pytest.raises(ValueError, match="steps"):
        L.fit(L.CharLSTM(3, 4, seed=0), ids, -1)
    with pytest.raises(ValueError, match="clip"):
        L.fit(L.CharLSTM(3, 4, seed=0), ids, 1, clip=0.0)
