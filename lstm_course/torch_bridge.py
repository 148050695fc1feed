"""Copy weights between ``torch.nn`` recurrent modules and the numpy params.

The numpy params use PyTorch's layout (see ``lstm_course.cells``), so a conversion is a
copy: ``weight_ih_l0 -> W_ih``, ``weight_hh_l0 -> W_hh``, ``bias_ih_l0 -> b_ih``,
``bias_hh_l0 -> b_hh`` (the cells ``nn.LSTMCell`` etc. drop the ``_l0``).

- ``from_torch(module)`` accepts one-layer, unidirectional, batch-first ``nn.RNN``,
  ``nn.LSTM`` and ``nn.GRU`` with biases and no projection, and ``nn.RNNCell``,
  ``nn.LSTMCell``, ``nn.GRUCell`` with biases. It returns float64 numpy arrays
  (lossless for float32 and float64 modules; pass ``dtype=np.float32`` to keep
  float32), detached copies that share no memory with the module.
- ``to_torch(p)`` builds the matching ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` with
  ``batch_first=True`` (or the ``*Cell`` with ``cell=True``), in the params' dtype
  (float64 params give a float64 module).

torch is imported inside the functions, so ``lstm_course`` works without it.
"""
from __future__ import annotations

import numpy as np

from . import _validate as V
from .gru import GRUParams
from .lstm import LSTMParams
from .rnn import RNNParams

__all__ = ["from_torch", "to_torch"]

_KINDS = {"RNN": 1, "LSTM": 4, "GRU": 3}  # gate blocks per kind


def _kind_of(module) -> tuple[str, bool]:
    """("RNN" | "LSTM" | "GRU", is_cell) or TypeError."""
    import torch.nn as nn

    for kind, full, cell in (("LSTM", nn.LSTM, nn.LSTMCell), ("GRU", nn.GRU, nn.GRUCell), ("RNN", nn.RNN, nn.RNNCell)):
        if isinstance(module, full):
            return kind, False
        if isinstance(module, cell):
            return kind, True
    raise TypeError(f"module: expected a torch.nn.RNN, LSTM or GRU (or RNNCell, LSTMCell, GRUCell), "
                    f"got {type(module).__module__}.{type(module).__name__}")


def from_torch(module, dtype=np.float64):
    """numpy params (RNNParams, LSTMParams or GRUParams) holding a copy of ``module``'s weights.

    Raises TypeError for other module types and ValueError for what the numpy
    cells do not implement: num_layers > 1, bidirectional, proj_size > 0,
    batch_first=False, bias=False.
    """
    kind, is_cell = _kind_of(module)
    dtype = np.dtype(dtype)
    if dtype not in V.FLOAT_DTYPES:
        raise TypeError(f"dtype: expected float32 or float64, got {dtype}")
    name = type(module).__name__
    if not module.bias:
        raise ValueError(f"module: expected a {name} with bias=True (the numpy cells always have b_ih and b_hh), "
                         "got bias=False")
    if not is_cell:
        if module.num_layers != 1:
            raise ValueError(f"module: expected a one-layer {name} (num_layers=1), got num_layers={module.num_layers}; "
                             "stack the numpy cells by hand instead")
        if module.bidirectional:
            raise ValueError(f"module: expected a unidirectional {name}, got bidirectional=True")
        if getattr(module, "proj_size", 0):
            raise ValueError(f"module: expected an {name} without projection (proj_size=0), "
                             f"got proj_size={module.proj_size}")
        if not module.batch_first:
            raise ValueError(f"module: expected a {name} with batch_first=True (the numpy cells take x as (B, T, D)), "
                             "got batch_first=False")
    suffix = "" if is_cell else "_l0"
    import torch

    # float64 holds every torch float type exactly (bfloat16 too); astype then copies.
    arrays = [getattr(module, f"{w}{suffix}").detach().cpu().to(torch.float64).numpy().astype(dtype)
              for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    if kind == "LSTM":
        return LSTMParams(*arrays)
    if kind == "RNN":
        return RNNParams(*arrays, nonlinearity=module.nonlinearity)
    return GRUParams(*arrays)


def _kind_of_params(p) -> str:
    if isinstance(p, LSTMParams):
        return "LSTM"
    if isinstance(p, RNNParams):
        return "RNN"
    if isinstance(p, GRUParams):
        return "GRU"
    raise TypeError(f"p: expected RNNParams, LSTMParams or GRUParams, got {type(p).__name__}")


def to_torch(p, cell: bool = False):
    """A new ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` (batch_first=True) holding a copy of ``p``.

    With ``cell=True`` returns ``nn.RNNCell`` / ``nn.LSTMCell`` / ``nn.GRUCell`` instead.
    The module's dtype is the params' (float32 or float64).
    """
    import torch
    import torch.nn as nn

    kind = _kind_of_params(p)
    fields = RNNParams._fields if kind == "RNN" else ("W_ih", "W_hh", "b_ih", "b_hh")
    D, H = V.check_params(p, fields, _KINDS[kind], kind=kind)
    arrays = [np.asarray(getattr(p, f)) for f in ("W_ih", "W_hh", "b_ih", "b_hh")]
    dtype = np.result_type(*arrays)
    torch_dtype = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}[dtype]
    kwargs = {"nonlinearity": p.nonlinearity} if kind == "RNN" else {}
    if kind == "RNN":
        V.check_choice(p.nonlinearity, "p.nonlinearity", ("tanh", "relu"))
    if cell:
        module = getattr(nn, f"{kind}Cell")(D, H, bias=True, dtype=torch_dtype, **kwargs)
    else:
        module = getattr(nn, kind)(D, H, num_layers=1, bias=True, batch_first=True, dtype=torch_dtype, **kwargs)
    suffix = "" if cell else "_l0"
    with torch.no_grad():
        for w, a in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), arrays):
            getattr(module, f"{w}{suffix}").copy_(torch.from_numpy(np.array(a, dtype=dtype)))
    return module
