r"""The data set of the demonstration: K overlapping Gaussian blobs, seeded.

.. math:: x_i = (1, c_{y_i} + e_i), \qquad y_i = i \bmod K

Example:
    >>> X, y = blobs(K=2, m=4, seed=1)
    >>> X[:, 0].tolist(), y.tolist()  # the bias column, the labels in turn
    ([1.0, 1.0, 1.0, 1.0], [0, 1, 0, 1])
"""

from __future__ import annotations

import numpy as np

__all__ = ["blobs"]


def blobs(*, K: int = 3, m: int = 150, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    r"""A small synthetic data set that no Theta separates: K overlapping Gaussian blobs.

    Point i has label :math:`y_i = i \bmod K` and features :math:`x_i = (1, c_{y_i} + e_i)`,
    with centers :math:`c_k = 1.5 (\cos 2\pi k/K, \sin 2\pi k/K)` and standard normal noise
    :math:`e_i \in \mathbb{R}^2`; the leading 1 is the bias. The blobs overlap, so the
    undecayed cost has a minimizer (separable data would send Theta to infinity).

    Returns:
        X of shape (m, 3) and labels y of shape (m,).

    Raises:
        ValueError: K < 2 or m < K.

    Example:
        >>> X, y = blobs(K=3, m=6)
        >>> X.shape, y.tolist()
        ((6, 3), [0, 1, 2, 0, 1, 2])
    """
    if K < 2:
        raise ValueError(f"K must be an int >= 2 (the number of classes), got {K}")
    if m < K:
        raise ValueError(f"m must be >= K = {K} so that every class has a point, got {m}")
    rng = np.random.default_rng(seed)
    y = np.arange(m) % K
    angle = 2 * np.pi * np.arange(K) / K
    centers = 1.5 * np.column_stack([np.cos(angle), np.sin(angle)])
    X = np.column_stack([np.ones(m), centers[y] + rng.standard_normal((m, 2))])
    return X, y
