"""Self-check for the exercise of the chapter "Conclusion": dot-product attention.

``dot_attention(fn)``  the reader's ``fn(query, states) -> (weights, context)`` with
                       ``query: (B, H)`` (one decoder state per sequence) and
                       ``states: (B, T, H)`` (the encoder states ``h_1..h_T``)::

                           e_j = query . h_j                  scores   (B, T)
                           a_j = exp(e_j) / sum_k exp(e_k)    weights  (B, T), softmax over j
                           c   = sum_j a_j h_j                context  (B, H)

Prints ``"dot_attention: all N checks passed."`` or raises ``CheckFailed`` with a hint
that names the likely mistake (softmax over the wrong axis, weights not normalised,
scores used in place of weights, ...).
"""
from __future__ import annotations

import numpy as np

from . import Case, Mistake, run_check

__all__ = ["dot_attention"]


def _softmax(z, axis=-1):
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def _scores(query, states):
    return np.einsum("bth,bh->bt", states, query)            # (B, T)


def _ref(query, states):
    a = _softmax(_scores(query, states), axis=-1)           # (B, T)
    return a, np.einsum("bt,bth->bh", a, states)            # (B, T), (B, H)


def _with_weights(weights, states):
    return weights, np.einsum("bt,bth->bh", weights, states)


def _cases():
    rng = np.random.default_rng(7)
    q1, s1 = rng.normal(size=(2, 4)), rng.normal(size=(2, 3, 4))
    q2, s2 = rng.normal(size=(1, 5)), rng.normal(size=(1, 6, 5))
    q3, s3 = rng.normal(size=(3, 2)), rng.normal(size=(3, 5, 2))
    return [
        # first: every listed mistake gives different numbers here
        Case((q1, s1), "B=2 sequences, T=3 positions, H=4"),
        Case((q2, s2), "one sequence, T=6, H=5"),
        Case((q3, s3), "B=3, T=5, H=2"),
        Case((30 * q1, 30 * s1), "large scores (above 1,000)"),
    ]


_MISTAKES = [
    Mistake("the weights were normalised over the batch axis (axis 0): each sequence's weights "
            "must sum to 1 over its T input positions, so take the softmax over the last axis.",
            lambda q, s: _with_weights(_softmax(_scores(q, s), axis=0), s)),
    Mistake("the weights are exp(scores) without dividing by their sum: normalise them so that "
            "they sum to 1 over the input positions (the softmax).",
            lambda q, s: _with_weights(np.exp(_scores(q, s)), s)),
    Mistake("the raw scores were used as weights: pass them through a softmax first, so the "
            "weights are positive and sum to 1.",
            lambda q, s: _with_weights(_scores(q, s), s)),
    Mistake("the weights are right, but the context was built from the scores: the context is "
            "the sum of the states weighted by the softmax weights.",
            lambda q, s: (_ref(q, s)[0], np.einsum("bt,bth->bh", _scores(q, s), s))),
    Mistake("you divided the scores by sqrt(H), as the Transformer's scaled dot-product attention "
            "does; this exercise, like the chapter's model, uses the plain dot product.",
            lambda q, s: _with_weights(_softmax(_scores(q, s) / np.sqrt(q.shape[-1])), s)),
    Mistake("the weights are uniform (1/T each): the context is a plain average of the states. "
            "The weights must come from the scores query . h_j.",
            lambda q, s: _with_weights(np.full(s.shape[:2], 1 / s.shape[1]), s)),
    Mistake("the softmax is taken over the wrong quantity: you normalised exp(-score); the "
            "score is +query . h_j, so positions most similar to the query get the most weight.",
            lambda q, s: _with_weights(_softmax(-_scores(q, s)), s)),
]


def dot_attention(fn) -> None:
    """Check ``fn(query (B, H), states (B, T, H)) -> (weights (B, T), context (B, H))``."""

    def student(query, states):
        out = fn(query.copy(), states.copy())
        if isinstance(out, (tuple, list)) and len(out) == 2:
            for name, value in zip(("weights", "context"), out):
                arr = np.asarray(value, dtype=float)
                if not np.all(np.isfinite(arr)):
                    raise FloatingPointError(
                        f"{name} contain inf or nan: exp of a large score overflows; subtract each "
                        "row's largest score before exp (the softmax does not change)")
        return out

    with np.errstate(over="ignore", invalid="ignore"):
        run_check(student, _ref, _cases(), name="dot_attention", output_names=["weights", "context"],
                  mistakes=_MISTAKES)
