"""The over-parameterization demonstration as a text table, for the ``demo`` command.

It reads the numbers that
:func:`symsoftmax.regression.experiment.overparameterization` returned and computes none.
"""

from __future__ import annotations

import numpy as np

from .experiment import Comparison, OverparameterizationResult

__all__ = ["format_table"]


def _vector(v: np.ndarray) -> str:
    return "(" + ", ".join(f"{x:.6g}" for x in v) + ")"


def format_table(result: OverparameterizationResult) -> str:
    """A short English table of what
    :func:`~symsoftmax.regression.experiment.overparameterization` found.

    Example:
        >>> from symsoftmax.regression.experiment import overparameterization
        >>> table = format_table(overparameterization(decay=0.1, tol=1e-8))
        >>> print(table.splitlines()[0])
        Softmax regression is over-parameterized: K = 3 classes, n = 3 features (1, x1, x2),
        >>> print(next(line for line in table.splitlines() if "dimension" in line))
          dimension of its eigenspace                                   3                  3
    """
    r = result
    p, d = r.plain, r.decayed
    (m, n), K = r.X.shape, p.a.theta.shape[0]
    lam = f"lambda = {d.decay:g}"

    def row(label: str, plain: str, decayed: str) -> str:
        return f"{label:<46} {plain:>18} {decayed:>18}"

    def status(c: Comparison) -> str:
        ok = c.a.converged and c.b.converged
        return "yes" if ok else "NO"

    lines = [
        f"Softmax regression is over-parameterized: K = {K} classes, n = {n} features (1, x1, x2),",
        f"m = {m} points in overlapping Gaussian blobs (seed {r.seed}). Gradient descent with "
        "a fixed step 1/L",
        "from start a: Theta = 0 and from start b: random Theta + 1 psi0^T, "
        f"|psi0| = {np.linalg.norm(r.psi0):.3g}.",
        "",
        row("", "lambda = 0", lam),
        row(
            "steps (a, b)",
            f"{p.a.iterations}, {p.b.iterations}",
            f"{d.a.iterations}, {d.b.iterations}",
        ),
        row(
            "converged: |grad J| < tol (a and b)",
            f"{status(p)} {max(p.a.grad_norm, p.b.grad_norm):.1e}",
            f"{status(d)} {max(d.a.grad_norm, d.b.grad_norm):.1e}",
        ),
        row("cost J(Theta_a)", f"{p.a.cost:.12f}", f"{d.a.cost:.12f}"),
        row("|J(Theta_a) - J(Theta_b)|", f"{p.cost_diff:.1e}", f"{d.cost_diff:.1e}"),
        row(
            "|psi|, psi = mean row of Theta_a - Theta_b",
            f"{np.linalg.norm(p.psi):.6g}",
            f"{np.linalg.norm(d.psi):.1e}",
        ),
        row("max |(Theta_a - Theta_b) - 1 psi^T|", f"{p.spread:.1e}", f"{d.spread:.1e}"),
        row("max_i |h_a(x_i) - h_b(x_i)|", f"{p.prob_diff:.1e}", f"{d.prob_diff:.1e}"),
        row(
            "max |sum_k theta_k| (fit a, fit b)",
            f"{np.max(np.abs(p.row_sum_a)):.1e}, {np.max(np.abs(p.row_sum_b)):.3g}",
            f"{np.max(np.abs(d.row_sum_a)):.1e}, {np.max(np.abs(d.row_sum_b)):.1e}",
        ),
        row(
            "Hessian: smallest eigenvalue",
            f"{r.hessian.smallest:.1e}",
            f"{r.decayed_hessian.smallest:.6g}",
        ),
        row(
            "  next eigenvalue above its eigenspace",
            f"{r.hessian.eigenvalues[r.hessian.dimension]:.4g}",
            f"{r.decayed_hessian.eigenvalues[r.decayed_hessian.dimension]:.4g}",
        ),
        row(
            "  dimension of its eigenspace",
            str(r.hessian.dimension),
            str(r.decayed_hessian.dimension),
        ),
        row(
            "  eigenvector's blocks: max |v_k - mean|",
            f"{r.hessian.block_spread:.1e}",
            f"{r.decayed_hessian.block_spread:.1e}",
        ),
        row(
            "  distance of 1 kron psi/|.| to eigenspace",
            f"{r.hessian.shift_residual:.1e}",
            f"{r.decayed_hessian.shift_residual:.1e}",
        ),
        "",
        f"Without decay the fits differ by the row shift psi = {_vector(p.psi)};",
        f"the conserved row sums predict {_vector(r.predicted_psi)}.",
        f"The gradient's rows sum to zero: max |sum_k grad_theta_k J| = {r.start_grad_row_sum:.1e} "
        "at the starts,",
        f"where |grad J| >= {r.start_grad_norm:.3g}: gradient descent keeps sum_k theta_k.",
        f"With decay ({lam}) the minimizer is unique, its rows sum to 0, and the smallest",
        f"Hessian eigenvalue is lambda, on the same eigenspace {{1 kron v}} of dimension {n}.",
    ]
    return "\n".join(lines)
