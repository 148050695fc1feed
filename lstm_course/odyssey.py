"""A miniature "LSTM: A Search Space Odyssey": LSTM variants side by side in torch.

Greff, Srivastava, Koutník, Steunebrink & Schmidhuber (2017), "LSTM: A Search
Space Odyssey" (IEEE TNNLS 28(10), arXiv:1503.04069) trained eight variants of the
LSTM on speech, handwriting and music and found that none beat the standard one
clearly, while removing the forget gate or the output activation hurt most.
Jozefowicz, Zaremba & Sutskever (2015) add that a forget-gate bias of 1 helps.

:class:`OdysseyLSTM` is one configurable LSTM layer (batch first, like
``torch.nn.LSTM(batch_first=True)``). With ``a_k = W_ik x_t + b_ik + W_hk h_{t-1}
+ b_hk`` for the row block ``k``::

    i_t = sigma(a_i [+ w_ci * C_{t-1}])   or 1          (input_gate=False)
                                          or 1 - f_t    (coupled=True)
    f_t = sigma(a_f [+ w_cf * C_{t-1}])   or 1          (forget_gate=False)
    C~_t = tanh(a_g)                      C_t = f_t * C_{t-1} + i_t * C~_t
    o_t = sigma(a_o [+ w_co * C_t])       or 1          (output_gate=False)
    h_t = o_t * tanh(C_t)                 or o_t * C_t  (output_activation=False)

Peepholes (``peepholes=True``) are diagonal, one weight per unit, as in Gers &
Schmidhuber (2000) and Greff et al.; the output gate's peephole reads the *new*
cell state. Parameters keep PyTorch's layout with only the blocks that exist, in
the order i, f, g, o: ``W_ih (nH, D)``, ``W_hh (nH, H)``, ``b_ih``, ``b_hh (nH,)``
with ``n`` = number of blocks (``cell.blocks``). With every flag standard the
layer computes exactly what ``torch.nn.LSTM`` computes (tested); with
``coupled=True`` its blocks are f, g, o like ``variants.CoupledParams``.

:data:`CONFIGS` names the variants of the chapter, with Greff et al.'s abbreviations
where they have one (NIG, NFG, NOG, NOAF, CIFG); PH adds the peepholes that their
baseline has and their NP removes; FB1 and GRU are this course's labels::

    LSTM  the standard LSTM          NIG   no input gate       NFG  no forget gate
    NOG   no output gate             NOAF  no output activation
    PH    peepholes added            CIFG  coupled input and forget gates
    FB1   LSTM with forget bias 1    GRU   torch.nn.GRU (Cho et al. 2014)

:func:`run_odyssey` trains every configuration on one task for several seeds
with :func:`lstm_course.train.train` and returns one record per run.
"""
from __future__ import annotations

import math
from numbers import Integral

import numpy as np
import torch
from torch import nn

from . import _validate as V
from . import tasks as _tasks
from .seeds import GAP_PROTOCOL
from .train import SequenceModel, train

__all__ = ["OdysseyLSTM", "OdysseyModel", "CONFIGS", "CONFIG_NAMES", "TASKS",
           "make_model", "run_odyssey", "summarise"]

FLAGS = ("forget_gate", "input_gate", "output_gate", "output_activation",
         "peepholes", "coupled")
_STANDARD = {"forget_gate": True, "input_gate": True, "output_gate": True,
             "output_activation": True, "peepholes": False, "coupled": False}

# name -> (cell, flags, forget_gate_bias, description); forget_gate_bias sets b_f
CONFIGS = {
    "LSTM": ("lstm", {}, None, "standard LSTM"),
    "NIG": ("lstm", {"input_gate": False}, None, "no input gate"),
    "NFG": ("lstm", {"forget_gate": False}, None, "no forget gate"),
    "NOG": ("lstm", {"output_gate": False}, None, "no output gate"),
    "NOAF": ("lstm", {"output_activation": False}, None, "no output activation"),
    "PH": ("lstm", {"peepholes": True}, None, "peepholes"),
    "CIFG": ("lstm", {"coupled": True}, None, "coupled input and forget gates"),
    "FB1": ("lstm", {}, 1.0, "standard LSTM, forget bias 1"),
    "GRU": ("gru", {}, None, "GRU (torch.nn.GRU)"),
}
CONFIG_NAMES = tuple(CONFIGS)

# task name -> settings; "metric" is what a run reports. The country task is the
# course's shared gap protocol (seeds.GAP_PROTOCOL, also used by chapters 2 and 6) at
# one gap, so its settings are read from it and cannot drift apart; the adding
# problem has settings of its own (no early stop: every run gets the full budget).
_P = GAP_PROTOCOL
TASKS = {
    "adding": {"T": 50, "batch": 64, "hidden_size": 32, "lr": 1e-2, "clip": 1.0,
               "loss": "mse", "metric": "eval_mse", "steps": 800, "eval_every": 50,
               "eval_batches": 4, "stop_at": None, "seeds": (0, 1, 2)},
    "country": {"gap": 20, "batch": _P.batch, "hidden_size": _P.hidden_size, "lr": _P.lr,
                "clip": _P.clip, "loss": "ce", "metric": "eval_accuracy",
                "steps": _P.steps, "eval_every": _P.eval_every,
                "eval_batches": _P.eval_batches, "stop_at": _P.stop_accuracy,
                "seeds": tuple(_P.seeds), "n_countries": _P.n_countries},
}


class OdysseyLSTM(nn.Module):
    """One LSTM layer with switchable parts (see the module docstring).

    x: (B, T, D) batch first; returns ``h: (B, T, H), (h_T, c_T)`` with ``h_T, c_T:
    (1, B, H)``, the same as ``torch.nn.LSTM(D, H, batch_first=True)``.
    Initialisation as PyTorch's: every weight ``U(-1/sqrt(H), 1/sqrt(H))``.
    """

    def __init__(self, input_size: int, hidden_size: int, *, forget_gate: bool = True,
                 input_gate: bool = True, output_gate: bool = True,
                 output_activation: bool = True, peepholes: bool = False,
                 coupled: bool = False):
        super().__init__()
        D = V.check_size(input_size, "input_size")
        H = V.check_size(hidden_size, "hidden_size")
        flags = dict(forget_gate=forget_gate, input_gate=input_gate,
                     output_gate=output_gate, output_activation=output_activation,
                     peepholes=peepholes, coupled=coupled)
        for k, v in flags.items():
            if not isinstance(v, bool):
                raise ValueError(f"{k}: expected True or False, got {v!r}")
        if coupled and not forget_gate:
            raise ValueError("coupled=True needs forget_gate=True: the input gate is "
                             "computed as 1 - f_t")
        if coupled and not input_gate:
            raise ValueError("coupled=True replaces the input gate by 1 - f_t; "
                             "input_gate=False contradicts it")
        self.flags = flags
        self.input_size, self.hidden_size = D, H
        blocks = []
        if input_gate and not coupled:
            blocks.append("i")
        if forget_gate:
            blocks.append("f")
        blocks.append("g")
        if output_gate:
            blocks.append("o")
        self.blocks = tuple(blocks)
        n = len(blocks)
        self.weight_ih = nn.Parameter(torch.empty(n * H, D))
        self.weight_hh = nn.Parameter(torch.empty(n * H, H))
        self.bias_ih = nn.Parameter(torch.empty(n * H))
        self.bias_hh = nn.Parameter(torch.empty(n * H))
        self.peep = nn.ParameterDict()
        if peepholes:
            for k in ("i", "f", "o"):
                if k in self.blocks:
                    self.peep["w_c" + k] = nn.Parameter(torch.empty(H))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def block(self, name: str) -> slice:
        """Rows of block ``name`` ("i", "f", "g" or "o") in the weights."""
        if name not in self.blocks:
            raise ValueError(f"name: this cell has blocks {self.blocks}, got {name!r}")
        H = self.hidden_size
        k = self.blocks.index(name)
        return slice(k * H, (k + 1) * H)

    def extra_repr(self) -> str:
        changed = {k: v for k, v in self.flags.items() if v != _STANDARD[k]}
        return (f"{self.input_size}, {self.hidden_size}, blocks={''.join(self.blocks)}"
                + "".join(f", {k}={v}" for k, v in changed.items()))

    def forward(self, x: torch.Tensor, state=None):
        if x.ndim != 3 or x.shape[-1] != self.input_size:
            raise ValueError(f"x: expected shape (B, T, D) with D={self.input_size}, "
                             f"got {tuple(x.shape)}")
        B, T, _ = x.shape
        H = self.hidden_size
        if state is None:
            h = x.new_zeros(B, H)
            c = x.new_zeros(B, H)
        else:
            h, c = state[0].reshape(B, H), state[1].reshape(B, H)
        fl = self.flags
        xp = x @ self.weight_ih.T + self.bias_ih       # (B, T, nH)
        peep = self.peep
        idx = {k: self.block(k) for k in self.blocks}
        outs = []
        for t in range(T):
            a = xp[:, t] + h @ self.weight_hh.T + self.bias_hh   # (B, nH)
            if "f" in idx:
                a_f = a[:, idx["f"]]
                if "w_cf" in peep:
                    a_f = a_f + peep["w_cf"] * c          # sees C_{t-1}
                f = torch.sigmoid(a_f)
            if fl["coupled"]:
                i = 1 - f
            elif "i" in idx:
                a_i = a[:, idx["i"]]
                if "w_ci" in peep:
                    a_i = a_i + peep["w_ci"] * c          # sees C_{t-1}
                i = torch.sigmoid(a_i)
            g = torch.tanh(a[:, idx["g"]])
            c = (f * c if "f" in idx else c) + (i * g if fl["input_gate"] else g)
            out = torch.tanh(c) if fl["output_activation"] else c
            if "o" in idx:
                a_o = a[:, idx["o"]]
                if "w_co" in peep:
                    a_o = a_o + peep["w_co"] * c          # sees the new C_t
                out = torch.sigmoid(a_o) * out
            h = out
            outs.append(h)
        return torch.stack(outs, dim=1), (h.unsqueeze(0), c.unsqueeze(0))


class OdysseyModel(SequenceModel):
    """A :class:`~lstm_course.train.SequenceModel` whose recurrent layer is an
    :class:`OdysseyLSTM`, so :func:`lstm_course.train.train` accepts it.

    ``forget_gate_bias`` sets the forget gate's bias as in ``SequenceModel`` (a cell
    without a forget gate refuses it); ``flags`` are :class:`OdysseyLSTM`'s."""

    def __init__(self, input_size: int, hidden_size: int, output_size: int,
                 readout: str = "last", forget_gate_bias: float | None = None,
                 seed: int | None = None, **flags):
        super().__init__("lstm", input_size, hidden_size, output_size, readout=readout,
                         seed=seed)
        with torch.random.fork_rng(devices=[]):
            if seed is not None:
                torch.manual_seed(seed)
            self.rnn = OdysseyLSTM(input_size, hidden_size, **flags)
            self.head = nn.Linear(hidden_size, output_size)
        if forget_gate_bias is not None:
            if not flags.get("forget_gate", True):
                raise ValueError("forget_gate_bias: this cell has no forget gate")
            with torch.no_grad():
                rows = self.rnn.block("f")
                self.rnn.bias_ih[rows] = float(forget_gate_bias)
                self.rnn.bias_hh[rows] = 0.0


def _check_config(name) -> tuple:
    if name not in CONFIGS:
        raise ValueError(f"configs: unknown configuration {name!r}; "
                         f"expected names from {list(CONFIGS)}")
    return CONFIGS[name]


def _check_task(task) -> dict:
    V.check_choice(task, "task", tuple(TASKS))
    return TASKS[task]


def make_model(config: str, task: str, seed: int, **overrides) -> SequenceModel:
    """The model of configuration ``config`` for ``task``, initialised from ``seed``
    (``overrides``: task settings such as ``hidden_size``)."""
    cell, flags, fb, _ = _check_config(config)
    s = {**_check_task(task), **overrides}
    if task == "adding":
        D, O = 2, 1
    else:
        D, O = len(_tasks.country_vocab(s["n_countries"])), s["n_countries"]
    if cell == "gru":
        return SequenceModel("gru", D, s["hidden_size"], O, seed=seed)
    return OdysseyModel(D, s["hidden_size"], O, forget_gate_bias=fb, seed=seed, **flags)


def _make_batch(task: str, s: dict):
    if task == "adding":
        def make(rng):
            b = _tasks.adding_problem(s["batch"], s["T"], rng)
            return b.x, b.y
    else:
        def make(rng):
            b = _tasks.country_language(s["batch"], s["gap"], rng, s["n_countries"])
            return b.x, b.y
    return make


def run_odyssey(configs, task: str = "adding", seeds=None, steps: int | None = None, *,
                progress: bool | None = None, **overrides) -> list[dict]:
    """Train each configuration in ``configs`` on ``task`` once per seed.

    configs: names from :data:`CONFIGS`; task: "adding" (metric: held-out MSE,
    baseline 1/6) or "country" (metric: held-out accuracy, chance 1/n_countries);
    seeds, steps: default to the task's (:data:`TASKS`); overrides: replace other task
    settings of :data:`TASKS` (e.g. ``T=100``). A run stops early after an evaluation
    that reaches the task's ``stop_at`` (country: accuracy >=
    ``seeds.GAP_PROTOCOL.stop_accuracy``; adding: never).
    Returns one dict per run: ``config, seed, metric, value, steps, curve_steps,
    curve`` (``value`` is the final held-out metric, ``steps`` the steps run, ``curve``
    the metric at the evaluation steps ``curve_steps``). Every run uses the same seed
    for the model and the data, so two configurations with the same seed see the same
    batches. Set ``torch.set_num_threads(1)`` first for results that repeat bit for bit
    on one machine (another CPU's kernels round differently; see ``tests/test_odyssey.py``).
    """
    if isinstance(configs, str):
        configs = [configs]
    configs = list(configs)
    if not configs:
        raise ValueError("configs: expected at least one configuration name")
    for c in configs:
        _check_config(c)
    s = dict(_check_task(task))
    allowed = set(s) - {"metric", "loss", "seeds", "steps"}
    bad = sorted(set(overrides) - allowed)
    if bad:
        raise ValueError(f"overrides: unknown or fixed task setting(s) {bad}; "
                         f"allowed: {sorted(allowed)}")
    s.update(overrides)
    seeds = list(s["seeds"] if seeds is None else seeds)
    if not seeds or any(isinstance(q, bool) or not isinstance(q, Integral) or q < 0
                        for q in seeds):
        raise ValueError(f"seeds: expected non-negative integers, got {seeds!r}")
    steps = s["steps"] if steps is None else steps
    if isinstance(steps, bool) or not isinstance(steps, Integral) or steps < 1:
        raise ValueError(f"steps: expected a positive integer, got {steps!r}")
    make = _make_batch(task, s)
    stop_on = "loss" if s["loss"] == "mse" else "accuracy"
    records = []
    for c in configs:
        for seed in seeds:
            model = make_model(c, task, int(seed), **overrides)
            hist = train(model, make, int(steps), lr=s["lr"], loss=s["loss"],
                         clip=s["clip"], seed=int(seed), eval_every=s["eval_every"],
                         eval_batches=s["eval_batches"], stop_at=s["stop_at"],
                         stop_on=stop_on, progress=progress)
            value = (hist.final_eval_loss if s["loss"] == "mse"
                     else hist.final_eval_accuracy)
            curve = (hist.eval_loss if s["loss"] == "mse" else hist.eval_accuracy)
            records.append({"config": c, "seed": int(seed), "metric": s["metric"],
                            "value": float(value), "steps": int(hist.steps_run),
                            "curve_steps": [int(k) for k in hist.step],
                            "curve": [float(v) for v in curve]})
    return records


def summarise(records: list[dict]) -> list[dict]:
    """Per configuration, in first-seen order: ``config, n, mean, std, min, max``
    of ``value`` over seeds (``std`` with ``ddof=0``)."""
    order, groups = [], {}
    for r in records:
        if r["config"] not in groups:
            order.append(r["config"])
            groups[r["config"]] = []
        groups[r["config"]].append(float(r["value"]))
    out = []
    for c in order:
        v = np.array(groups[c])
        out.append({"config": c, "n": int(v.size), "mean": float(v.mean()),
                    "std": float(v.std()), "min": float(v.min()), "max": float(v.max())})
    return out
