"""Shared test setup: torch on one thread (deterministic, and fast on 2 cores)."""
import pytest


@pytest.fixture(autouse=True, scope="session")
def _torch_one_thread():
    try:
        import torch
    except ImportError:  # the numpy-only tests still run
        yield
        return
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
