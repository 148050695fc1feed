"""Tests for lstm_course.train: the model wrapper, the one seeded loop, progress and clipping."""
import importlib.util
import json
import platform
from pathlib import Path

import numpy as np
import pytest
import torch

from lstm_course import train as train_mod
from lstm_course.tasks import (
    adding_problem,
    country_language,
    country_vocab,
    gender_number_language,
    gender_number_vocab,
)
from lstm_course.train import (
    GapSweep,
    History,
    SequenceModel,
    accuracy_vs_gap,
    progress_enabled,
    train,
)

V_COUNTRY = len(country_vocab())


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def country_batches(gap=2, batch=16):
    return lambda rng: country_language(batch, gap, rng)


def small_country_model(cell="lstm", seed=0, **kw):
    return SequenceModel(cell, V_COUNTRY, 8, 4, seed=seed, **kw)


# ----------------------------------------------------------------------------- model


@pytest.mark.parametrize("cell, module", [("rnn", torch.nn.RNN), ("lstm", torch.nn.LSTM), ("gru", torch.nn.GRU)])
@pytest.mark.parametrize("readout, shape", [("last", (3, 2)), ("all", (3, 5, 2))])
def test_model_shapes(cell, module, readout, shape):
    m = SequenceModel(cell, 4, 6, 2, readout=readout, seed=0)
    assert isinstance(m.rnn, module) and m.rnn.batch_first
    assert m(torch.zeros(3, 5, 4)).shape == shape
    assert m.hidden_states(torch.zeros(3, 5, 4)).shape == (3, 5, 6)
    if cell == "rnn":
        assert m.rnn.nonlinearity == "tanh"


def test_model_last_readout_is_the_last_step_of_all():
    a = SequenceModel("gru", 3, 5, 2, readout="last", seed=1)
    b = SequenceModel("gru", 3, 5, 2, readout="all", seed=1)
    x = torch.randn(2, 7, 3, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(a(x), b(x)[:, -1])


def test_forget_gate_bias_sets_the_combined_f_block():
    H = 5
    m = SequenceModel("lstm", 3, H, 1, forget_gate_bias=3.0, seed=0)
    b = (m.rnn.bias_ih_l0 + m.rnn.bias_hh_l0).detach()
    torch.testing.assert_close(b[H:2 * H], torch.full((H,), 3.0))  # gate order i, f, g, o
    ref = SequenceModel("lstm", 3, H, 1, seed=0)
    b_ref = (ref.rnn.bias_ih_l0 + ref.rnn.bias_hh_l0).detach()
    torch.testing.assert_close(b[:H], b_ref[:H])
    torch.testing.assert_close(b[2 * H:], b_ref[2 * H:])


def test_model_seed_is_reproducible_and_leaves_global_rng_alone():
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    a, b = SequenceModel("lstm", 3, 4, 2, seed=7), SequenceModel("lstm", 3, 4, 2, seed=7)
    assert torch.equal(torch.random.get_rng_state(), before)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)
    c = SequenceModel("lstm", 3, 4, 2, seed=8)
    assert not torch.equal(a.rnn.weight_hh_l0, c.rnn.weight_hh_l0)


@pytest.mark.parametrize("kwargs, match", [
    (dict(cell="transformer"), "cell: expected one of"),
    (dict(readout="first"), "readout: expected one of"),
    (dict(hidden_size=0), "hidden_size"),
    (dict(cell="rnn", forget_gate_bias=1.0), "forget_gate_bias: only an LSTM"),
    (dict(forget_gate_bias=float("nan")), "forget_gate_bias"),
    (dict(seed=-1), "seed"),
])
def test_model_bad_arguments(kwargs, match):
    args = dict(cell="lstm", input_size=3, hidden_size=4, output_size=2) | kwargs
    with pytest.raises(ValueError, match=match):
        SequenceModel(**args)


@pytest.mark.parametrize("kwargs, match", [
    (dict(forget_gate_bias="1"), "forget_gate_bias"),
    (dict(seed=1.0), "seed"),
    (dict(hidden_size=True), "hidden_size"),
])
def test_model_wrong_types(kwargs, match):
    args = dict(cell="lstm", input_size=3, hidden_size=4, output_size=2) | kwargs
    with pytest.raises(TypeError, match=match):
        SequenceModel(**args)


def test_forget_bias_is_refused_on_the_torch_side():
    """``forget_bias`` means "add" (numpy cells); the torch side only takes ``forget_gate_bias``."""
    with pytest.raises(TypeError, match="unexpected keyword argument 'forget_bias'"):
        SequenceModel("lstm", 3, 4, 2, forget_bias=2.0, seed=0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'forget_bias'"):
        accuracy_vs_gap("lstm", [0], steps=1, forget_bias=1.0, progress=False)
    assert not hasattr(train_mod, "forget_gate_bias_arg")


def test_model_wrong_input_size():
    with pytest.raises(ValueError, match=r"x: expected shape \(B, T, D\) with D=3"):
        SequenceModel("rnn", 3, 4, 2, seed=0)(torch.zeros(2, 5, 4))


# ----------------------------------------------------------------------------- train


def test_train_is_deterministic():
    def run():
        m = small_country_model("lstm", forget_gate_bias=1.0)
        h = train(m, country_batches(), 30, loss="ce", eval_every=10, seed=3, progress=False)
        return h, [p.detach().clone() for p in m.parameters()]

    h1, p1 = run()
    h2, p2 = run()
    assert h1 == h2  # every list, except the wall time
    assert h1.step == [0, 10, 20, 30] and len(h1.train_loss) == len(h1.grad_norm) == 30
    for a, b in zip(p1, p2):
        assert torch.equal(a, b)
    h3 = train(small_country_model("lstm", forget_gate_bias=1.0), country_batches(), 30, loss="ce",
               eval_every=10, seed=4, progress=False)
    assert h3.train_loss != h1.train_loss


def test_train_does_not_consume_global_numpy_or_depend_on_call_order():
    m = small_country_model("gru")
    h1 = train(m, country_batches(), 5, loss="ce", progress=False)
    torch.rand(10)  # disturb torch's global state between runs
    np.random.rand(10)
    h2 = train(small_country_model("gru"), country_batches(), 5, loss="ce", progress=False)
    assert h1 == h2


def test_loss_decreases_on_an_easy_task():
    m = SequenceModel("lstm", V_COUNTRY, 16, 4, forget_gate_bias=1.0, seed=0)
    h = train(m, country_batches(gap=1, batch=32), 80, lr=1e-2, loss="ce", eval_every=20, progress=False)
    assert h.eval_loss[-1] < 0.5 * h.eval_loss[0]
    assert h.final_eval_accuracy > 0.9
    assert np.mean(h.train_loss[-10:]) < np.mean(h.train_loss[:10])
    assert "eval accuracy" in h.summary()


def test_mse_regression_and_history_fields():
    m = SequenceModel("gru", 2, 8, 1, seed=0)
    h = train(m, lambda rng: adding_problem(16, 6, rng), 40, lr=1e-2, eval_every=20, progress=False)
    assert isinstance(h, History) and h.eval_accuracy is None and h.final_eval_accuracy is None
    assert h.step == [0, 20, 40] and h.steps_run == 40 and not h.stopped_early
    assert h.final_eval_loss < h.eval_loss[0]
    assert h.seconds > 0


def test_early_stop_on_loss():
    m = SequenceModel("lstm", 2, 8, 1, seed=0)
    # The adding baseline 1/6 is reached quickly: predicting the mean needs no memory.
    h = train(m, lambda rng: adding_problem(32, 6, rng), 400, lr=1e-2, eval_every=5, stop_at=0.2,
              progress=False)
    assert h.stopped_early and h.steps_run < 400
    assert h.final_eval_loss <= 0.2 and all(v > 0.2 for v in h.eval_loss[:-1])
    assert len(h.train_loss) == h.steps_run == h.step[-1]


def test_early_stop_on_accuracy():
    m = SequenceModel("lstm", V_COUNTRY, 16, 4, forget_gate_bias=1.0, seed=0)
    h = train(m, country_batches(gap=1, batch=32), 500, lr=1e-2, loss="ce", eval_every=10,
              stop_at=0.9, stop_on="accuracy", progress=False)
    assert h.stopped_early and h.steps_run < 500 and h.final_eval_accuracy >= 0.9


def test_sequence_targets_with_ignored_positions():
    V = len(gender_number_vocab())
    m = SequenceModel("lstm", V, 8, V, readout="all", seed=0)
    h = train(m, lambda rng: gender_number_language(8, rng, T=20), 3, loss="ce", progress=False)
    assert np.isfinite(h.eval_loss).all() and 0 <= h.final_eval_accuracy <= 1


def test_explicit_eval_data():
    m = small_country_model("rnn")
    ev = country_language(10, 2, np.random.default_rng(99))
    h = train(m, country_batches(), 2, loss="ce", eval_data=(ev.x, ev.y), progress=False)
    with torch.no_grad():
        acc = (m(torch.from_numpy(ev.x)).argmax(-1).numpy() == ev.y).mean()
    assert h.final_eval_accuracy == pytest.approx(acc)


def test_clip_is_applied_every_step(monkeypatch):
    calls = []
    real = torch.nn.utils.clip_grad_norm_

    def spy(params, max_norm, *args, **kwargs):
        params = list(params)
        out = real(params, max_norm, *args, **kwargs)
        after = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad) for p in params]))
        calls.append((max_norm, float(out), float(after)))
        return out

    monkeypatch.setattr(torch.nn.utils, "clip_grad_norm_", spy)
    h = train(small_country_model("rnn"), country_batches(), 6, loss="ce", clip=1e-3, progress=False)
    assert len(calls) == 6
    for max_norm, before, after in calls:
        assert max_norm == 1e-3
        assert after <= 1e-3 * (1 + 1e-4) < before
    assert h.grad_norm == [c[1] for c in calls]  # the history keeps the norm before clipping

    calls.clear()
    h = train(small_country_model("rnn"), country_batches(), 4, loss="ce", clip=None, progress=False)
    assert calls == [] and len(h.grad_norm) == 4 and all(g > 0 for g in h.grad_norm)


# ----------------------------------------------------------------------------- progress


def test_progress_off_by_environment(capsys, monkeypatch):
    monkeypatch.setenv("LSTM_COURSE_PROGRESS", "0")
    assert progress_enabled(None) is False
    train(small_country_model("rnn"), country_batches(), 5, loss="ce")
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_progress_forced_on_writes_only_to_stderr(capsys, monkeypatch):
    monkeypatch.setenv("LSTM_COURSE_PROGRESS", "0")
    train(small_country_model("rnn"), country_batches(), 5, loss="ce", progress=True)
    out = capsys.readouterr()
    assert out.out == "" and "rnn training" in out.err


def test_progress_auto_is_on_without_the_variable(monkeypatch):
    monkeypatch.delenv("LSTM_COURSE_PROGRESS", raising=False)
    assert progress_enabled(None) is True
    assert progress_enabled(False) is False
    with pytest.raises(TypeError, match="progress"):
        progress_enabled("yes")


def test_repository_conftest_turns_progress_off():
    import os
    assert os.environ.get("LSTM_COURSE_PROGRESS") == "0"


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize("kwargs, match", [
    (dict(loss="hinge"), "loss: expected one of"),
    (dict(steps=-1), "steps"),
    (dict(lr=0.0), "lr"),
    (dict(clip=-1.0), "clip"),
    (dict(seed=-1), "seed"),
    (dict(eval_every=0), "eval_every"),
    (dict(stop_on="speed"), "stop_on"),
    (dict(stop_at=0.5, stop_on="accuracy"), "stop_on: 'accuracy' needs loss='ce'"),
])
def test_train_bad_arguments(kwargs, match):
    args = dict(steps=2, loss="mse") | kwargs
    m = SequenceModel("rnn", 2, 4, 1, seed=0)
    with pytest.raises(ValueError, match=match):
        train(m, lambda rng: adding_problem(4, 6, rng), progress=False, **args)


@pytest.mark.parametrize("kwargs, match", [
    (dict(seed=1.5), "seed"),
    (dict(steps=2.0), "steps"),
    (dict(lr="fast"), "lr"),
    (dict(stop_at="0.5"), "stop_at"),
    (dict(model=torch.nn.Linear(2, 1)), "model: expected a SequenceModel"),
    (dict(make_batch=[1, 2]), "make_batch"),
    (dict(make_batch=lambda rng: 3), "pair"),
])
def test_train_wrong_types(kwargs, match):
    args = dict(model=SequenceModel("rnn", 2, 4, 1, seed=0), make_batch=lambda rng: adding_problem(4, 6, rng),
                steps=2) | kwargs
    with pytest.raises(TypeError, match=match):
        train(progress=False, **args)


def test_train_reports_target_shape_mismatch():
    m = SequenceModel("rnn", 2, 4, 3, seed=0)  # output_size 3, but the adding targets are (B, 1)
    with pytest.raises(ValueError, match=r"make_batch\(rng\).*y: expected a float array of shape \(\d+, 3\)"):
        train(m, lambda rng: adding_problem(4, 6, rng), 2, progress=False)
    m = SequenceModel("rnn", V_COUNTRY, 4, 2, seed=0)  # 2 classes, 4 countries
    with pytest.raises(ValueError, match=r"class indices in \[0, 1\]"):
        train(m, country_batches(), 2, loss="ce", progress=False)
    with pytest.raises(TypeError, match="integer class indices"):
        train(SequenceModel("rnn", 2, 4, 1, seed=0), lambda rng: adding_problem(4, 6, rng), 2,
              loss="ce", progress=False)
    with pytest.raises(ValueError, match="input_size"):
        train(SequenceModel("rnn", 5, 4, 1, seed=0), lambda rng: adding_problem(4, 6, rng), 2,
              progress=False)


# ----------------------------------------------------------------------------- gap sweep


def test_accuracy_vs_gap_smoke():
    s = accuracy_vs_gap("lstm", [0, 3], steps=4, hidden_size=8, batch=8, forget_gate_bias=1.0,
                        eval_every=2, progress=False)
    assert isinstance(s, GapSweep) and s.cell == "lstm" and s.gaps == [0, 3]
    assert len(s.accuracy) == len(s.histories) == 2 and s.chance == 0.25
    assert all(0 <= a <= 1 for a in s.accuracy)
    again = accuracy_vs_gap("lstm", [0, 3], steps=4, hidden_size=8, batch=8, forget_gate_bias=1.0,
                            eval_every=2, progress=False)
    assert s == again
    with pytest.raises(TypeError, match="gaps"):
        accuracy_vs_gap("rnn", 3, steps=1)
    with pytest.raises(ValueError, match="gaps"):
        accuracy_vs_gap("rnn", [], steps=1)
    with pytest.raises(ValueError, match="gaps"):
        accuracy_vs_gap("rnn", [-2], steps=1)
    with pytest.raises(ValueError, match="cell"):
        accuracy_vs_gap("lstmm", [1], steps=1)


def test_module_exports():
    for name in train_mod.__all__:
        assert hasattr(train_mod, name)


# ----------------------------------------------------------------------------- one loop


def test_fit_is_the_loop_of_train():
    """``train`` is ``fit`` with a SequenceModel's loss and evaluation."""
    m, m_fit = small_country_model(), small_country_model()
    h = train(m, country_batches(), 12, loss="ce", eval_every=5, seed=2, progress=False)
    x_eval = train_mod._to_tensors(train_mod._held_out(country_batches(), None, 4, 2)[0], "ce", m_fit, "held")

    def batches(rng):
        b = country_language(16, 2, rng)
        return torch.from_numpy(b.x.astype(np.float32)), torch.from_numpy(b.y)

    def loss(model, batch):
        return torch.nn.functional.cross_entropy(model(batch[0]), batch[1])

    run = train_mod.fit(m_fit, batches, loss, 12, lr=3e-3, seed=2, every=5,
                        evaluate=lambda model: {"loss": float(loss(model, x_eval))})
    assert run.step == h.step == [0, 5, 10, 12] and run.metrics["loss"] == h.eval_loss
    assert run.train_loss == h.train_loss and run.grad_norm == h.grad_norm and run.steps_run == 12


def test_fit_stops_at_step_zero_and_runs_without_evaluation():
    m = small_country_model()
    before = [p.detach().clone() for p in m.parameters()]
    run = train_mod.fit(m, lambda rng: None, lambda model, b: 0, 5, lr=1e-3,
                        evaluate=lambda model: {"x": 1.0}, stop=lambda values: True)
    assert run.stopped_early and run.steps_run == 0 and run.step == [0] and run.metrics == {"x": [1.0]}
    assert all(torch.equal(a, b) for a, b in zip(before, m.parameters()))
    run = train_mod.fit(m, country_batches(), lambda model, b: model(torch.from_numpy(b.x.astype(np.float32))).sum(),
                        3, lr=1e-3, clip=None)
    assert run.step == [] and len(run.train_loss) == len(run.grad_norm) == 3 and not m.training


def _benchmark():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "training.py"
    spec = importlib.util.spec_from_file_location("training_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_training_equals_the_runs_recorded_before_the_one_loop():
    """train.train, accuracy_vs_gap, attention.fit, charlm.fit, seeds.train_seeds and
    seeds.gap_study compute, to the last bit, what the separate loops computed (recorded with
    ``python benchmarks/training.py --record``; the gap_study runs, with seeds frozen at
    different steps, were added at the commit named in the file, before train_seeds became a
    configuration of train.fit; the other runs are unchanged since 8e77708, before the one loop). Floating-point results depend
    on the torch build and the CPU's vector unit, so another machine skips the comparison;
    ``python benchmarks/training.py`` compares with the baseline commit on any machine."""
    ref = json.loads((Path(__file__).parent / "data" / "training_reference.json").read_text())
    here = (torch.__version__, torch.backends.cpu.get_cpu_capability(), platform.machine())
    if (ref["torch"], ref["cpu"], ref["machine"]) != here:
        pytest.skip(f"recorded with torch {ref['torch']} on {ref['cpu']} {ref['machine']}, not {here}")
    now = json.loads(json.dumps(_benchmark().record()))
    for name, values in ref["record"].items():
        assert now[name] == values, name
