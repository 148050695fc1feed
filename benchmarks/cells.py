"""Time the numpy LSTM of ``lstm_course.lstm`` against ``torch.nn.LSTM`` on the CPU.

Shapes (B, T, D, H) = (32, 100, 64, 128), float32, one thread for each library.
Runs are interleaved (numpy, torch, numpy, torch, ...) so that drifts in the
machine's speed hit both alike, and medians are reported. Prints:

- which BLAS numpy runs (from threadpoolctl) and the torch version;
- median times for the forward pass and for forward + backward, numpy and torch,
  and their ratios numpy / torch (torch's forward runs under no_grad, like numpy's
  forward without a cache);
- numpy's achieved GFLOP/s for the LSTM's matmuls, against one large float32 matmul
  of the same FLOP count (what the BLAS can do when nothing else is in the way).

Run from the repository root:  python benchmarks/cells.py [--repeats N]
"""
import os
import sys

# Before numpy is imported: one thread, and no CPU-type overrides meant for old
# OpenBLAS builds (this process only).
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(var, None)

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import threadpoolctl  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from lstm_course import lstm  # noqa: E402

B, T, D, H = 32, 100, 64, 128


def lstm_flops(fwd_and_bwd: bool) -> float:
    """FLOPs of the matmuls (2 per multiply-add); elementwise work is not counted."""
    fwd = 2 * B * T * D * 4 * H + 2 * B * T * H * 4 * H  # input projection + recurrent
    bwd = 2 * fwd  # dx and dh_{t-1} (like the forward), then dW_ih and dW_hh (the same again)
    return fwd + (bwd if fwd_and_bwd else 0)


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21, help="timed runs of each (default 21)")
    args = parser.parse_args()
    torch.set_num_threads(1)

    blas = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
    for info in blas:
        print(f"numpy BLAS: {info['internal_api']} {info.get('version')} kernel={info.get('architecture')} "
              f"threads={info['num_threads']} ({os.path.basename(info['filepath'])})")
    print(f"numpy {np.__version__}, torch {torch.__version__} (threads={torch.get_num_threads()}, "
          f"mkldnn={torch.backends.mkldnn.is_available()})")
    print(f"shapes B={B} T={T} D={D} H={H}, float32, {args.repeats} interleaved repeats, medians")

    rng = np.random.default_rng(0)
    p = lstm.init_params(D, H, rng, dtype=np.float32)
    x = rng.standard_normal((B, T, D)).astype(np.float32)
    dhs = rng.standard_normal((B, T, H)).astype(np.float32)

    module = torch.nn.LSTM(D, H, batch_first=True)
    with torch.no_grad():
        for name, a in zip(("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"), p):
            getattr(module, name).copy_(torch.from_numpy(a))
    xt = torch.from_numpy(x).requires_grad_(True)
    dhst = torch.from_numpy(dhs)

    def np_fwd():
        lstm.lstm_forward(x, p)

    def np_fwd_bwd():
        _, _, cache = lstm.lstm_forward(x, p, return_cache=True)
        lstm.lstm_backward(dhs, cache)

    def torch_fwd():
        with torch.no_grad():
            module(xt)

    def torch_fwd_bwd():
        module.zero_grad(set_to_none=True)
        xt.grad = None
        out, _ = module(xt)
        out.backward(dhst)

    # Same numbers first: a benchmark of a wrong result is worthless.
    ours = lstm.lstm_forward(x, p)[0]
    with torch.no_grad():
        theirs = module(xt)[0].numpy()
    assert np.abs(ours - theirs).max() < 1e-5, np.abs(ours - theirs).max()

    # One big matmul of the forward pass's FLOP count: (M, K) @ (K, N) with 2*M*K*N = flops.
    K = round(lstm_flops(False) / (2 * B * T * 4 * H))
    a = rng.standard_normal((B * T, K)).astype(np.float32)
    b = rng.standard_normal((K, 4 * H)).astype(np.float32)

    fns = {"np_fwd": np_fwd, "torch_fwd": torch_fwd, "np_fwd_bwd": np_fwd_bwd, "torch_fwd_bwd": torch_fwd_bwd,
           "matmul": lambda: a @ b}
    times = {k: [] for k in fns}
    for fn in fns.values():  # warm-up
        fn(), fn()
    for _ in range(args.repeats):
        for k, fn in fns.items():
            times[k].append(timed(fn))
    med = {k: statistics.median(v) for k, v in times.items()}
    mm = med["matmul"]
    mm_gflops = 2 * a.shape[0] * K * b.shape[1] / mm / 1e9

    print(f"{'one big matmul':>17}: ({B * T}, {K}) @ ({K}, {4 * H}) = forward's FLOPs in one call: "
          f"{mm * 1e3:.2f} ms, {mm_gflops:.1f} GFLOP/s")
    for label, key in (("forward", "fwd"), ("forward+backward", "fwd_bwd")):
        n, t = med[f"np_{key}"], med[f"torch_{key}"]
        gf = lstm_flops(key == "fwd_bwd") / n / 1e9
        print(f"{label:>17}: numpy {n * 1e3:6.2f} ms  torch {t * 1e3:6.2f} ms  ratio numpy/torch {n / t:.2f}  "
              f"numpy {gf:5.1f} GFLOP/s = {gf / mm_gflops:.0%} of the big matmul's")
    best = {k: min(v) for k, v in times.items()}
    print(f"{'fastest runs':>17}: ratio numpy/torch forward {best['np_fwd'] / best['torch_fwd']:.2f}, "
          f"forward+backward {best['np_fwd_bwd'] / best['torch_fwd_bwd']:.2f}")


if __name__ == "__main__":
    main()
