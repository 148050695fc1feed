"""Tests for lstm_course.optim: Adam against torch.optim.Adam, SeedAdam against Adam."""
import pytest
import torch

from lstm_course import train
from lstm_course.optim import Adam, SeedAdam
from lstm_course.train import SequenceModel


def _steps(pairs, n=5):
    """``n`` steps of mean-squared error on the same random data for each (model, optimiser)."""
    gen = torch.Generator().manual_seed(0)
    for _ in range(n):
        x, y = torch.randn(4, 6, 3, generator=gen), torch.randn(4, 2, generator=gen)
        for model, opt in pairs:
            opt.zero_grad()
            torch.nn.functional.mse_loss(model(x), y).backward()
            opt.step()


def test_adam_matches_torch_optim_adam():
    ours = SequenceModel("lstm", 3, 5, 2, seed=0)
    ref = SequenceModel("lstm", 3, 5, 2, seed=0)
    _steps([(ours, Adam(ours.parameters(), lr=1e-2)), (ref, torch.optim.Adam(ref.parameters(), lr=1e-2))])
    for a, b in zip(ours.parameters(), ref.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7)


def test_adam_is_still_importable_from_train():
    assert train.Adam is Adam


def test_adam_skips_frozen_and_gradless_parameters():
    w, frozen, unused = (torch.ones(2, requires_grad=True), torch.ones(2), torch.ones(2, requires_grad=True))
    opt = Adam([w, frozen, unused], lr=0.5)
    assert opt.params == [w, unused]
    w.sum().backward()
    opt.step()
    assert torch.allclose(w, torch.full((2,), 0.5)) and torch.equal(unused, torch.ones(2))


def test_seed_adam_copies_follow_adam_and_inactive_copies_stay():
    """Two copies stacked on axis 0: copy 0 follows Adam on its own tensor (to rounding:
    SeedAdam's arithmetic is its own), copy 1 is switched off after the first step."""
    gen = torch.Generator().manual_seed(1)
    start = torch.randn(2, 3, 4, generator=gen)
    stacked = start.clone().requires_grad_(True)
    single = start[0].clone().requires_grad_(True)
    seed_opt, opt = SeedAdam([stacked], lr=1e-2), Adam([single], lr=1e-2)
    for k in range(4):
        target = torch.randn(3, 4, generator=gen)
        seed_opt.zero_grad(), opt.zero_grad()
        ((stacked - target) ** 2).sum().backward()
        ((single - target) ** 2).sum().backward()
        active = torch.tensor([True, k == 0])
        if k == 1:
            after_first = stacked[1].detach().clone()
        seed_opt.step(active)
        opt.step()
    torch.testing.assert_close(stacked[0], single, rtol=1e-6, atol=1e-7)
    assert torch.equal(stacked[1], after_first)
    assert seed_opt.t.tolist() == [4.0, 1.0]


@pytest.mark.parametrize("t", [1, 2, 10])
def test_bias_corrections_agree(t):
    a, s = Adam([], lr=1.0), SeedAdam([], lr=1.0)
    bc1, bc2 = s.corrections(torch.tensor([float(t)], dtype=torch.float64))
    assert a.corrections(t) == pytest.approx((float(bc1), float(bc2)), rel=1e-15)
