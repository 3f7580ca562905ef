"""Weighted, L2-regularised logistic regression fitted by Newton's method. Pure numpy.

Newton's method (iteratively reweighted least squares; Hastie, Tibshirani & Friedman, The
Elements of Statistical Learning, 2nd ed., sec. 4.4.1) with step halving, so that every step
lowers the objective. Sized for one user: a few hundred examples of a few hundred features.

The Hessian is formed in single precision, three times faster (it is most of a fit's time),
as A'A with A the features scaled by the square roots of the curvatures, a symmetric product
BLAS forms at half the cost of X' diag(c) X: it only chooses the direction of each step, while
the gradient and the objective, which decide where the fit stops, stay in double precision,
so the solution is the same. A fit can start from a previous solution (a user's model after
one more rating): near the minimum, Newton's method needs fewer steps to meet the tolerance.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
NEWTON_MAX_STEPS = 50
NEWTON_TOLERANCE = 1e-9  # relative decrease of the objective that ends the iterations
DISTANCE_TOLERANCE = 1e-7  # distance to the minimiser, proven by the gradient, that ends them
HALVINGS = 30


def fit_logistic(
    features: Array, labels: Array, weights: Array, l2: float, start: Array | None = None
) -> Array:
    """The beta minimising sum_i w_i * logloss(y_i, x_i . beta) + l2/2 * |beta|^2.

    `labels` are 0/1 and `weights` >= 0. For an intercept, give a constant feature (it is
    penalised like the others, which keeps the solution unique with one class absent).
    Newton's method starts from `start` (one weight per feature) if given, else from zeros.

    It stops when a step lowers the objective by at most NEWTON_TOLERANCE of its value, or
    before a step when the gradient g proves beta within DISTANCE_TOLERANCE x max(1, |beta|)
    of the minimiser: the objective is l2-strongly convex, so beta is at most |g| / l2 from
    it (Boyd & Vandenberghe, Convex Optimization, sec. 9.1.2). A warm start usually meets
    that after one step, where the first test needs a second step (a second Hessian).
    """
    if l2 <= 0:
        raise ValueError(f"l2 must be positive, got {l2}")
    beta = np.zeros(features.shape[1], dtype=np.float64)
    if start is not None:
        beta[:] = start
    current = objective(features, labels, weights, l2, beta)
    single = features.astype(np.float32)
    for _ in range(NEWTON_MAX_STEPS):
        p = sigmoid(features @ beta)
        gradient = features.T @ (weights * (p - labels)) + l2 * beta
        bound = float(np.linalg.norm(gradient)) / l2  # how far beta can be from the minimiser
        if bound <= DISTANCE_TOLERANCE * max(1.0, float(np.linalg.norm(beta))):
            break
        step = newton_step(single, weights, p, l2, gradient)
        scale = 1.0
        for _ in range(HALVINGS):
            trial = beta - scale * step
            value = objective(features, labels, weights, l2, trial)
            if value <= current:
                break
            scale /= 2
        else:
            return beta
        beta, decrease, current = trial, current - value, value
        if decrease <= NEWTON_TOLERANCE * max(1.0, abs(current)):
            break
    return beta


def newton_step(
    single: npt.NDArray[np.float32], weights: Array, p: Array, l2: float, gradient: Array
) -> Array:
    """H^-1 g for the gradient g at the probabilities p, with the Hessian
    X' diag(w p (1 - p)) X + l2 I formed from `single`, the features X in single precision,
    as A'A with A = diag(sqrt(w p (1 - p))) X (numpy hands a product of a matrix with its own
    transpose to BLAS's symmetric rank-k update)."""
    scaled = single * np.sqrt(weights * p * (1.0 - p)).astype(np.float32)[:, None]
    hessian = (scaled.T @ scaled).astype(np.float64)
    hessian[np.diag_indices_from(hessian)] += l2
    return np.asarray(np.linalg.solve(hessian, gradient), dtype=np.float64)


def objective(features: Array, labels: Array, weights: Array, l2: float, beta: Array) -> float:
    """Weighted log loss plus the L2 penalty."""
    margins = features @ beta
    losses = np.logaddexp(0.0, margins) - labels * margins  # log(1 + e^f) - y f, no overflow
    return float(weights @ losses + 0.5 * l2 * beta @ beta)


def sigmoid(values: Array) -> Array:
    """1 / (1 + e^-x), without overflow for large |x|."""
    out: Array = np.exp(-np.logaddexp(0.0, -values))
    return out
