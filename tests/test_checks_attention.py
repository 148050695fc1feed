"""The dot-product attention self-check passes correct answers and names each known mistake."""
import numpy as np
import pytest
import torch

from lstm_course.attention import dot_attention as torch_attention
from lstm_course.checks import CheckFailed
from lstm_course.checks import attention as check


def _stable(query, states):
    scores = np.einsum("bth,bh->bt", states, query)
    scores = scores - scores.max(axis=1, keepdims=True)
    w = np.exp(scores)
    w = w / w.sum(axis=1, keepdims=True)
    return w, (w[:, :, None] * states).sum(axis=1)


def _softmax(z, axis):
    z = z - z.max(axis=axis, keepdims=True)
    return np.exp(z) / np.exp(z).sum(axis=axis, keepdims=True)


def _scores(q, s):
    return np.einsum("bth,bh->bt", s, q)


def test_correct_answers_pass(capsys):
    check.dot_attention(_stable)
    # the package's torch version is a correct answer too
    check.dot_attention(lambda q, s: tuple(t.numpy() for t in torch_attention(
        torch.from_numpy(q), torch.from_numpy(s))))
    # a list instead of a tuple, and a loop instead of einsum
    check.dot_attention(lambda q, s: list(_stable(q, s)))
    assert capsys.readouterr().out.splitlines() == ["dot_attention: all 4 checks passed."] * 3


@pytest.mark.parametrize("wrong,hint", [
    (lambda q, s: (_softmax(_scores(q, s), 0), np.einsum("bt,bth->bh", _softmax(_scores(q, s), 0), s)),
     "batch axis"),
    (lambda q, s: (np.exp(_scores(q, s)), np.einsum("bt,bth->bh", np.exp(_scores(q, s)), s)),
     "without dividing"),
    (lambda q, s: (_scores(q, s), np.einsum("bt,bth->bh", _scores(q, s), s)), "raw scores"),
    (lambda q, s: (_stable(q, s)[0], np.einsum("bt,bth->bh", _scores(q, s), s)), "context was built"),
    (lambda q, s: _stable(q / np.sqrt(q.shape[-1]), s), "sqrt"),
    (lambda q, s: (np.full(s.shape[:2], 1 / s.shape[1]), s.mean(1)), "uniform"),
    (lambda q, s: _stable(-q, s), "exp\\(-score\\)"),
    (lambda q, s: (_stable(q, s)[0], s.mean(1)), "context has the right shape but wrong values"),
    (lambda q, s: (_stable(q, s)[0], s.sum(1)), "context"),
    (lambda q, s: (_stable(q, s)[0].T, _stable(q, s)[1]), "weights should have shape"),
    (lambda q, s: _stable(q, s)[0], "2 value"),
])
def test_mistakes_are_named(wrong, hint):
    with pytest.raises(CheckFailed, match=hint):
        check.dot_attention(wrong)


def test_overflow_gets_its_own_hint():
    def naive(q, s):
        e = np.exp(_scores(q, s))
        w = e / e.sum(axis=1, keepdims=True)
        return w, np.einsum("bt,bth->bh", w, s)

    with pytest.raises(CheckFailed, match="subtract each row's largest score"):
        check.dot_attention(naive)
