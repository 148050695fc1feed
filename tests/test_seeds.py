"""Tests for lstm_course.seeds: S seeds trained as one batched model follow the S single runs."""
import numpy as np
import pytest
import torch

from lstm_course import seeds
from lstm_course.tasks import adding_problem, country_language, country_vocab, gender_number_language, \
    gender_number_vocab
from lstm_course.train import SequenceModel, train

V_COUNTRY = len(country_vocab())


@pytest.mark.parametrize("cell,fb", [("rnn", None), ("lstm", 1.0), ("lstm", None), ("gru", None)])
def test_initial_copies_equal_the_single_models(cell, fb):
    m = seeds.SeedModels(cell, V_COUNTRY, 8, 4, [3, 1], forget_gate_bias=fb)
    x = torch.from_numpy(country_language(5, 3, np.random.default_rng(0)).x)
    out = m(torch.stack([x, x]))                                  # (S, B, O)
    for s, seed in enumerate([3, 1]):
        single = SequenceModel(cell, V_COUNTRY, 8, 4, forget_gate_bias=fb, seed=seed)
        with torch.no_grad():
            torch.testing.assert_close(out[s], single(x), rtol=1e-5, atol=1e-6)
            torch.testing.assert_close(m.single(s)(x), single(x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_training_follows_each_single_run(cell):
    """Same data, same gradient, own clipping and Adam state: the first steps agree to rounding."""
    make = lambda rng: country_language(16, 4, rng)  # noqa: E731
    m = seeds.SeedModels(cell, V_COUNTRY, 8, 4, [0, 5, 2])
    hist = seeds.train_seeds(m, make, 12, lr=1e-2, loss="ce", clip=0.5, eval_every=4, progress=False)
    for s, seed in enumerate([0, 5, 2]):
        single = SequenceModel(cell, V_COUNTRY, 8, 4, seed=seed)
        h = train(single, make, 12, lr=1e-2, loss="ce", clip=0.5, seed=seed, eval_every=4, progress=False)
        np.testing.assert_allclose(hist.eval_loss[s], h.eval_loss, rtol=1e-4)
        np.testing.assert_allclose(hist.eval_accuracy[s], h.eval_accuracy)
        assert hist.step == h.step


def test_a_stopped_seed_is_frozen_like_an_early_stopped_single_run():
    make = lambda rng: adding_problem(16, 5, rng)  # noqa: E731
    m = seeds.SeedModels("lstm", 2, 8, 1, [0, 1], forget_gate_bias=1.0)
    # a loss threshold that seed 0 reaches early and seed 1 later, or not at all
    single = [train(SequenceModel("lstm", 2, 8, 1, forget_gate_bias=1.0, seed=s), make, 60, lr=1e-2,
                    seed=s, eval_every=10, progress=False) for s in (0, 1)]
    a, b = np.array(single[0].eval_loss), np.array(single[1].eval_loss)
    k = next(k for k in range(1, len(a)) if a[k] < a[:k].min() and a[k] < b[:k + 1].min())
    stop = float(a[k])  # seed 0 reaches it at evaluation k, seed 1 not by then
    hist = seeds.train_seeds(m, make, 60, lr=1e-2, eval_every=10, stop_at=stop, progress=False)
    m0 = SequenceModel("lstm", 2, 8, 1, forget_gate_bias=1.0, seed=0)
    h0 = train(m0, make, 60, lr=1e-2, seed=0, eval_every=10, stop_at=stop, progress=False)
    assert h0.stopped_early and hist.steps_run[1] > hist.steps_run[0]
    assert hist.steps_run[0] == h0.steps_run and hist.solved_at[0] == h0.steps_run
    np.testing.assert_allclose(hist.final_eval_loss[0], h0.final_eval_loss, rtol=1e-4)
    assert (hist.eval_loss[0, len(h0.step) - 1:] == hist.eval_loss[0, len(h0.step) - 1]).all()
    with torch.no_grad():  # the frozen copy's weights are those its own run stopped with
        x = torch.from_numpy(make(np.random.default_rng(9)).x)
        torch.testing.assert_close(m.single(0)(x), m0(x), rtol=1e-3, atol=1e-4)


def test_per_position_language_model_and_ignored_targets():
    V = len(gender_number_vocab())
    m = seeds.SeedModels("lstm", V, 8, V, [0, 1], readout="all", forget_gate_bias=1.0)
    hist = seeds.train_seeds(m, lambda r: gender_number_language(4, r), 3, lr=1e-2, loss="ce",
                             eval_every=3, eval_batches=1, progress=False)
    assert hist.eval_accuracy.shape == (2, 2) and np.isfinite(hist.eval_loss).all()


def test_gap_study_shapes_and_protocol():
    P = seeds.GapProtocol(hidden_size=4, batch=8, steps=3, eval_every=3, eval_batches=1, seeds=(0, 1))
    study = seeds.gap_study("rnn", [0, 2], protocol=P, progress=False)
    assert study.accuracy.shape == study.solved_at.shape == (2, 2)
    assert study.mean.shape == (2,) and study.at(2).shape == (2,)
    assert study.chance == 0.25 and study.protocol is P
    with pytest.raises(ValueError, match="was not trained"):
        study.at(7)
    assert study.forget_gate_bias is None and not hasattr(study, "forget_bias")


def test_forget_bias_is_refused():
    """``forget_bias`` means "add" (numpy cells); ``SeedModels`` and ``gap_study`` take ``forget_gate_bias``."""
    with pytest.raises(TypeError, match="unexpected keyword argument 'forget_bias'"):
        seeds.SeedModels("lstm", 3, 4, 2, [0, 1], forget_bias=1.0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'forget_bias'"):
        seeds.gap_study("lstm", [2], forget_bias=1.0, progress=False)


@pytest.mark.parametrize("bad,err", [([], ValueError), ([1, 1], ValueError), ([-1], ValueError),
                                     (None, TypeError), ([1.0], TypeError)])
def test_bad_seeds(bad, err):
    with pytest.raises(err, match="seeds"):
        seeds.check_seeds(bad)


def test_bad_arguments():
    m = seeds.SeedModels("rnn", 3, 4, 2, [0, 1])
    with pytest.raises(ValueError, match=r"\(S, B, T, D\)"):
        m(torch.zeros(3, 2, 5, 3))
    with pytest.raises(TypeError, match="SeedModels"):
        seeds.train_seeds(object(), lambda r: None, 1)
    with pytest.raises(TypeError, match="make_batch"):
        seeds.train_seeds(m, 3, 1)
    with pytest.raises(ValueError, match="loss"):
        seeds.train_seeds(m, lambda r: None, 1, loss="l1")
    with pytest.raises(ValueError, match="stop_at"):
        seeds.train_seeds(m, lambda r: None, 1, stop_at=float("nan"))
    with pytest.raises(ValueError, match="gaps"):
        seeds.gap_study("rnn", [])
    with pytest.raises(TypeError, match="protocol"):
        seeds.gap_study("rnn", [1], protocol={"lr": 1})


def test_train_seeds_leaves_torchs_global_generator_alone():
    """Each copy draws from its own seed's streams; a later cell's torch.rand must not change."""
    m = seeds.SeedModels("gru", V_COUNTRY, 4, 4, [0, 1])
    torch.manual_seed(11)
    before = torch.get_rng_state()
    seeds.train_seeds(m, lambda r: country_language(4, 2, r), 3, loss="ce", eval_every=2, progress=False)
    assert torch.equal(torch.get_rng_state(), before)
