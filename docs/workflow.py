"""The main workflow of symsoftmax, as a script: run it with ``python docs/workflow.py``.

In a Jupyter notebook, each ``print(...)`` of a derivation can be replaced by the bare
derivation ``d`` in a cell: ``Derivation._repr_latex_`` shows every step, typeset.

1. Derive a result and verify every step (SymPy proves it, mpmath checks it at 40 digits).
2. Print it: LaTeX for notes and papers (a whole document with ``standalone=True``),
   Markdown for a README, in English or in Chinese.
3. Differentiate your own expression that contains softmax, in closed form.
4. Turn formulas into numbers: stable code from ``ss.lambdify``, and the generated numpy
   functions of ``symsoftmax.numeric`` (with the source of each, to paste elsewhere).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

import symsoftmax as ss
from symsoftmax import numeric

# 1. Derive and verify: the Jacobian, for any number of classes K.
d = ss.derive("jacobian")
print(d.title, "-", len(d.steps), "steps, verified:", d.verify())
print("result:", d.result)

# 2. Print: LaTeX (the align* block; d.to_latex(standalone=True) is a complete document),
#    and the same derivation in Chinese, as Markdown.
print(d.to_latex().splitlines()[2])  # line 1 is the reason of step 1, above it
zh = ss.derive("jacobian", K=3, lang="zh")
print(zh.to_markdown().splitlines()[0])

# 3. Your own expression: the cross-entropy of softmax(beta z) against a target y,
#    differentiated by SymPy through the derived Jacobian (results stay in sigma).
K = sp.Symbol("K", integer=True, positive=True)
z, y = sp.IndexedBase("z", real=True), sp.IndexedBase("y", real=True)
k, j = sp.symbols("k j", integer=True, positive=True)
beta = sp.Symbol("beta", positive=True)
loss = -sp.Sum(y[k] * sp.log(ss.Softmax(sp.Lambda(k, beta * z[k]), K, k)), (k, 1, K))
grad = ss.sift_deltas(sp.diff(loss, z[j])).subs(sp.Sum(y[k], (k, 1, K)), 1)
print("d loss / d z_j =", sp.factor(grad))

# 4. Numbers. ss.lambdify writes the max-shifted form, so large logits do not overflow.
z3 = ss.logits(3)
jacobian = ss.lambdify(z3, ss.jacobian(z3))
print("J(803, 800, 0)[0, 1] =", float(jacobian(803.0, 800.0, 0.0)[0, 1]))
x = np.array([[1000.0, 0.0, -np.inf], [1.0, 2.0, 3.0]])
print("numeric.softmax:", numeric.softmax(x).round(6).tolist())
print("numeric.jvp:", numeric.jvp(x, np.ones_like(x)).tolist())  # J 1 = 0
print(numeric.source("softmax").splitlines()[0])
