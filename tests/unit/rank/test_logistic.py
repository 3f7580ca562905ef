"""The Newton solver for weighted, L2-regularised logistic regression."""

import numpy as np
import pytest

from papertide.rank.logistic import fit_logistic, objective, sigmoid


def data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    points = rng.normal(size=(80, 3))
    labels = (points[:, 0] - 0.5 * points[:, 1] + 0.3 * rng.normal(size=80) > 0).astype(float)
    return np.hstack([points, np.ones((80, 1))]), labels


def test_fit_logistic_finds_the_minimum():
    features, labels = data()
    weights = np.full(80, 1 / 80)
    beta = fit_logistic(features, labels, weights, 0.01)
    gradient = features.T @ (weights * (sigmoid(features @ beta) - labels)) + 0.01 * beta
    assert np.abs(gradient).max() < 1e-6
    assert beta[0] > 0 > beta[1]
    for nudge in np.eye(4) * 1e-3:
        assert objective(features, labels, weights, 0.01, beta + nudge) > objective(
            features, labels, weights, 0.01, beta
        )


def users_size(rows: int = 1400) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels and weights of a user's size: 1,400 examples (1,000 rated, 400
    background) of 256 unit-length embedding features and a constant."""
    rng = np.random.default_rng(1)
    points = rng.normal(size=(rows, 256))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    features = np.hstack([points, np.ones((rows, 1))])
    labels = (points[:, :3].sum(axis=1) + 0.2 * rng.normal(size=rows) > 0).astype(float)
    weights = np.where(labels > 0, 1 / labels.sum(), 1 / (rows - labels.sum()))
    return features, labels, weights


def test_fit_logistic_at_a_users_size_reaches_the_double_precision_minimum():
    """The Hessian is single precision; the solution must be the exact Newton one's."""
    features, labels, weights = users_size()
    beta = fit_logistic(features, labels, weights, 0.1)
    exact = np.zeros(257)
    for _ in range(30):  # plain Newton in double precision
        p = sigmoid(features @ exact)
        gradient = features.T @ (weights * (p - labels)) + 0.1 * exact
        hessian = (features * (weights * p * (1 - p))[:, None]).T @ features + 0.1 * np.eye(257)
        exact -= np.linalg.solve(hessian, gradient)
    assert np.abs(beta - exact).max() < 1e-6 * np.abs(exact).max()


def test_a_warm_started_fit_equals_a_cold_one():
    """A user's model after one more rating starts from the previous solution (stored in
    single precision, as a profile keeps it): it must reach the cold fit's minimum, to a
    millionth of the largest weight, in no more objective evaluations."""
    features, labels, weights = users_size(1401)
    before = fit_logistic(features[:-1], labels[:-1], weights[:-1], 0.1).astype(np.float32)
    counted = []

    def count(*args: np.ndarray | float) -> float:
        counted.append(1)
        return objective(*args)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("papertide.rank.logistic.objective", count)
        cold = fit_logistic(features, labels, weights, 0.1)
        cold_evaluations = len(counted)
        counted.clear()
        warm = fit_logistic(features, labels, weights, 0.1, start=before.astype(np.float64))
    assert np.abs(warm - cold).max() < 1e-6 * np.abs(cold).max()
    assert len(counted) < cold_evaluations


def test_fit_logistic_weights_examples():
    features = np.asarray([[1.0], [1.0]])
    labels = np.asarray([1.0, 0.0])
    leaning = fit_logistic(features, labels, np.asarray([3.0, 1.0]), 0.1)
    assert sigmoid(features @ leaning)[0] > 0.7


def test_fit_logistic_handles_one_class_and_separable_data():
    features = np.asarray([[2.0, 1.0], [-2.0, 1.0]])
    separable = fit_logistic(features, np.asarray([1.0, 0.0]), np.ones(2), 1e-4)
    assert np.all(np.isfinite(separable)) and separable[0] > 0
    one_class = fit_logistic(features, np.ones(2), np.ones(2), 1.0)
    assert np.all(sigmoid(features @ one_class) > 0.5)


def test_fit_logistic_refuses_a_non_positive_penalty():
    with pytest.raises(ValueError, match="l2 must be positive"):
        fit_logistic(np.ones((2, 1)), np.ones(2), np.ones(2), 0.0)


def test_sigmoid_does_not_overflow():
    values = sigmoid(np.asarray([-1000.0, 0.0, 1000.0]))
    assert values == pytest.approx([0.0, 0.5, 1.0])
