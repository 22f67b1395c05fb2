"""What each language needs to be printed in: one table, one row a language.

A derivation's own words (its title and reasons) are :class:`~symsoftmax.Text` objects
written by its author; everything else a printed page needs in a language lives here: the
LaTeX document class and the engine that compiles it, how a case is named, the headings
of the ``verify`` table and the fixed words of the documentation pages. Adding a language
is adding a :class:`~symsoftmax.engine.text.Lang` member and a row to :data:`RESOURCES`
(a test checks that every language has one).

Example:
    >>> RESOURCES[Lang.ZH].engine
    'xelatex'
    >>> resources("en").case_note.format("i = j")
    ' (case $i = j$)'
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.text import Lang

__all__ = ["RESOURCES", "Resources", "resources"]


@dataclass(frozen=True)
class Resources:
    """The fixed words and settings of one language.

    Attributes:
        document_class: the LaTeX class of a standalone document.
        engine: the TeX engine that compiles it (pdflatex, xelatex).
        case: the word for a case, in text output (``(case i = j)``).
        case_note: a step's case after its reason, ``{}`` the case as LaTeX.
        verify_headings: the ``verify`` table's columns and words: derivation, K, steps,
            result, seconds, verified, failed, and "any" (a symbolic K).
        words: the fixed words of the documentation pages, by key; ``{name}`` is the
            derivation's name and ``{K}`` the concrete K shown beside any K.
        special_case: the heading of a special case, ``{}`` its name (``$K = 2$``).
        figure_words: the words drawn in the figures (:mod:`symsoftmax.output.plots`,
            :mod:`symsoftmax.regression.figure`), by key, with ``str.format`` fields. A
            Chinese text never holds ``$...$`` (matplotlib's math fonts have no Chinese):
            its math is written in Unicode.
        site_words: the further words of the documentation site (figure captions, the
            typeset pages, the worked example), by key, with ``str.format`` fields.
    """

    document_class: str
    engine: str
    case: str
    case_note: str
    verify_headings: tuple[str, str, str, str, str, str, str, str]
    words: dict[str, str]
    special_case: str
    figure_words: dict[str, str]
    site_words: dict[str, str]


RESOURCES: dict[Lang, Resources] = {
    Lang.EN: Resources(
        document_class="article",
        engine="pdflatex",
        case="case",
        case_note=" (case ${}$)",
        special_case="Special case {}",
        verify_headings=(
            "derivation",
            "K",
            "steps",
            "result",
            "seconds",
            "verified",
            "FAILED",
            "any",
        ),
        words={
            "result": "Result",
            "steps_any": "Steps, for any number of classes $`K`$",
            "steps_k": "Steps for $`K = {K}`$ classes",
            "statement": "statement",
            "reason": "justification",
            "figure": "Figure",
            "typeset": "The first page of `symsoftmax show {name} --format latex --standalone`, "
            "typeset by pdflatex:",
            "verified": "Every step below is proved by SymPy and checked with mpmath at 40 "
            "digits, for any $`K`$ and for $`K = {K}`$: `symsoftmax verify {name}`.",
            "other": "[中文](../zh/{name}.md)",
            "home": "[all derivations](../index.md)",
            "generated": "Generated from the code by `symsoftmax docs`; do not edit by hand.",
        },
        figure_words={
            "sigmoid_title": r"One logit alone: $\sigma_1$ is a sigmoid in $z_1$, K = {K}; "
            r"dots: $\sigma_1 = 1/2$ at $z_1 = \log\,\Sigma_{{k \neq 1}}\, e^{{z_k}}$",
            "sigmoid_derived": r"derived: sigmoid$(z_1 - \log\,\Sigma_{{k \neq 1}}\, e^{{z_k}})$",
            "sigmoid_x": "$z_1$ (the other logits fixed)",
            "bars_title": r"$\sigma(\beta \mathbf{{z}})$ for $\mathbf{{z}}$ = ({z}): "
            r"$\log(\sigma_i / \sigma_j) = \beta\,(z_i - z_j)$",
            "bars_x": "class k",
            "bars_legend": r"inverse temperature $\beta$",
            "entropy_title": r"$H(\beta) = -\Sigma_k\, \sigma_k \, \log \sigma_k$ "
            r"never increases as $\beta > 0$ grows",
            "entropy_x": r"inverse temperature $\beta$ (log scale)",
            "entropy_y": r"entropy $H(\beta)$ (nats)",
            "entropy_zero": r"$\beta \to 0$: $H \to \log K$ = {H} (uniform)",
            "entropy_one_hot": r"$\beta \to \infty$: $H \to$ {H} (one-hot)",
            "entropy_ties": r"$\beta \to \infty$: $H \to \log$ {m} = {H} "
            "(uniform on the {m} largest)",
            "jacobian_x": r"with respect to $z_j$",
            "jacobian_y": r"output $\sigma_i$",
            "jacobian_bar": r"$J_{{ij}}$ (0 is white)",
            "jacobian_symmetric": "symmetric: J = Jᵀ (largest |Jᵢⱼ − Jⱼᵢ| = {gap})",
            "jacobian_rows": "rows sum to 0 (largest |Σⱼ Jᵢⱼ| = {gap})",
            "row_sum": "row sum",
            "overparam_plain": "no decay",
            "overparam_decay": "decay λ = {decay}",
            "overparam_entries": "{setting}: the entries of Θ in the two fits",
            "overparam_starts": "fit a starts at 0, fit b at a shifted point",
            "overparam_samples": "sample s",
            "overparam_probs": "{setting}: how far apart the two fits' probabilities are",
            "simplex_logits": "logit space: lines z + c·1, c ∈ [{lo}, {hi}]",
            "simplex_image": "σ maps each line to one point of the open triangle",
            "simplex_grid": "grey: σ of z = (z₁, z₂, 0), z₁, z₂ ∈ [{lo}, {hi}]; "
            "it never reaches an edge",
            "first_logit_x": r"$z_1$ in $\mathbf{{z}}$ = ($z_1$, {rest})",
            "smooth_max_title": r"A smooth maximum, K = {K}: $\max\, \mathbf{{z}} \leq "
            r"\beta^{{-1}}\, \mathrm{{LSE}}(\beta \mathbf{{z}}) \leq \max\, \mathbf{{z}} + \log K / \beta$",
            "smooth_max_bound": r"dashed: $\max\, \mathbf{{z}} + \log K / \beta$",
            "saturation_title": r"Saturation: every $|J_{{ij}}| \leq 1/4$, and $J \to 0$ as "
            r"$\sigma$ tends to one-hot",
            "saturation_bound": r"bound $|J_{{ij}}| \leq$ {bound}",
            "distillation_title": r"Distillation: $L = T^2\, \mathrm{{KL}}(\sigma(\mathbf{{t}}/T)"
            r"\, \|\, \sigma(\mathbf{{z}}/T))$, $\nabla_{{\mathbf{{z}}}} L = "
            r"T\, (\sigma(\mathbf{{z}}/T) - \sigma(\mathbf{{t}}/T))$",
            "distillation_with": r"with the $T^2$ factor: $\|\nabla_{{\mathbf{{z}}}} L\|$",
            "distillation_without": r"without it: $\|\nabla_{{\mathbf{{z}}}} L\| / T^2$",
            "distillation_limit": r"the limit $\|\mathbf{{z}} - \mathbf{{t}}\| / K$ = {v}",
            "distillation_slope": r"$\|\mathbf{{z}} - \mathbf{{t}}\| / (K T^2)$",
            "distillation_x": r"temperature $T$ (log scale)",
            "distillation_y": "gradient norm (log scale)",
            "distillation_logits": r"$\mathbf{{t}}$ = ({t}) (teacher), $\mathbf{{z}}$ = ({z}) "
            "(student), both of mean 0",
        },
        site_words={
            "caption_sigmoid": "Solid: softmax computed by `ss.numeric`; dashed: the "
            "derived sigmoid formula, lambdified; they coincide.",
            "caption_temperature": "Left: σ(βz), each value written over its bar; the "
            "β → ∞ bars are the limit, uniform on the arg-max set (σ of z scaled to "
            "10³⁰⁰/max|z|). Right: the entropy H(β) and its limits as β → 0 and β → ∞.",
            "caption_jacobian": "J = ∂σ/∂z from `ss.numeric.jacobian`, each row's sum in "
            "the last column; the row sums and the symmetry are measured on the plotted "
            "numbers.",
            "caption_overparameterization": "Two fits of softmax regression, Θₐ from 0 and "
            "Θ_b from a start shifted by a row shift 1ψ₀ᵀ. Without weight decay they end "
            "a row shift apart, Θₐ = Θ_b + 1ψᵀ with ψ the mean row of Θₐ − Θ_b (the white "
            "diamonds), and give the same probabilities at every sample s; with decay "
            "they agree.",
            "caption_simplex": "K = 3: σ maps the logit space onto the open triangle of "
            "probabilities; each line z + c·1 (left) goes to a single point (right).",
            "caption_smooth_max": "β⁻¹ LSE(βz) from `ss.numeric.logsumexp` along "
            "z = (z₁, 0, −1) for several β (solid), and max z (black); dashed, in the color "
            "of each β, the bound max z + log K / β. Each curve lies between the two and "
            "tends to max z as β grows.",
            "caption_saturation": "The entries |Jᵢⱼ| of `ss.numeric.jacobian` at "
            "z = (z₁, 0, 0) as z₁ grows: none exceeds the bound 1/4 (dashed), reached by "
            "σ₁(1 − σ₁) at σ₁ = 1/2, and all tend to 0 as σ tends to the one-hot e₁; a "
            "saturated softmax passes back almost no gradient.",
            "caption_distillation": "The norm of `ss.numeric.distillation_grad`, "
            "T(σ(z/T) − σ(t/T)), against T for zero-mean t and z: with the T² factor of "
            "the loss it levels off at ‖z − t‖/K (dashed), the gradient of matching "
            "logits; divided by T² (the loss without the factor) it falls like 1/T² "
            "(dotted).",
            "typeset_all": "Every page of `symsoftmax show {name} --format latex "
            "--standalone`, typeset by pdflatex, cropped to the text (page numbers left "
            "out):",
            "worked_link": "[中文](../zh/worked-example.md) · [all derivations](../index.md)",
            "worked_index": "A worked example with numbers",
            "worked_title": "A worked example: $`\\mathbf{{z}} = ({z})`$",
            "worked_intro": "Every number on this page is computed when the page is "
            "generated, by `ss.numeric` (code generated from the derivations) and numpy; "
            "none is typed. Values are rounded to {digits} significant digits.",
            "worked_exp": "Exponentials, their sum and the probabilities",
            "worked_exp_text": "By the definition ({definition}), "
            "$`\\sigma_k = e^{{z_k}} / \\Sigma_K`$ with $`\\Sigma_K = \\sum_k e^{{z_k}}`$ = "
            "{total_exp}. `ss.numeric.softmax(z)` agrees with $`e^{{z_k}} / \\Sigma_K`$ to "
            "{gap}; the probabilities sum to {total} ({normalization}).",
            "worked_shift": "The same after subtracting $`\\max_k z_k = {m}`$",
            "worked_shift_text": "Subtracting {m} multiplies every exponential and "
            "$`\\Sigma_K`$ by $`e^{{-{m}}}`$, so the probabilities do not change "
            "({shift_invariance}; they agree with those above to {gap}). This is how "
            "`ss.numeric` computes softmax: the largest exponent is 0, so no exponential "
            "overflows.",
            "worked_beta": "Temperature: $`\\sigma(\\beta \\mathbf{{z}})`$",
            "worked_beta_text": "What scales with β is the log-ratio: "
            "$`\\log(\\sigma_i/\\sigma_j) = \\beta (z_i - z_j)`$ ({temperature}); the table "
            "gives it for i = 1, j = 2, measured and from the formula. An absolute gap "
            "need not grow with β: $`\\sigma_2 - \\sigma_3`$ is {gaps} at β = {betas}.",
            "worked_jacobian": "The Jacobian $`J = \\partial\\sigma/\\partial\\mathbf{{z}}`$",
            "worked_jacobian_text": "`ss.numeric.jacobian(z)`, generated from "
            "$`J_{{ij}} = \\sigma_i (\\delta_{{ij}} - \\sigma_j)`$ ({jacobian}). Its rows "
            "sum to 0 (the last column; the largest $`|\\sum_j J_{{ij}}|`$ is {rows}) and "
            "it is symmetric (the largest $`|J_{{ij}} - J_{{ji}}|`$ is {sym}).",
            "worked_gradient": "The gradient of the cross-entropy for a one-hot $`\\mathbf{{y}}`$",
            "worked_gradient_text": "For the target $`\\mathbf{{y}} = ({y})`$ (class "
            "{target}) the loss is $`L = -\\log \\sigma_{{{target}}}`$ = {loss} and its "
            "gradient is $`\\nabla_{{\\mathbf{{z}}}} L = \\sigma - \\mathbf{{y}}`$ "
            "({cross_entropy}). `ss.numeric.cross_entropy_grad(z, y)` agrees with "
            "σ − y to {gap}; its entries sum to {total}.",
            "worked_k": "k",
            "worked_row": "row sum",
            "notation": "meaning",
            "notation_logits": "the logits (inputs of softmax), K ≥ 2 classes",
            "notation_outputs": "the outputs of softmax, probabilities; p in general for "
            "a distribution",
            "notation_sum": "the sum of the exponentials, named as in the source note",
            "notation_lse": "log-sum-exp",
            "notation_jacobian": "the Jacobian of softmax, $`J_{{ij}} = "
            "\\partial\\sigma_i/\\partial z_j`$",
            "notation_target": "a target (one-hot or a distribution); y is never an output",
            "notation_beta": "the inverse temperature (T = 1/β is the temperature)",
            "notation_theta": "the parameters of softmax regression (K × n), rows "
            "$`\\theta_k`$; $`h_s = \\sigma(\\Theta x_s)`$",
            "notation_cost": "the cost of softmax regression, λ its weight decay",
            "notation_null": "the null direction: a row shift of Θ (every row plus ψ)",
            "notation_samples": "samples $`x_s`$, s = 1, …, m; features a = 1, …, n",
            "notation_positions": "sequence positions (attention); τ a line parameter",
        },
    ),
    Lang.ZH: Resources(
        document_class="ctexart",
        engine="xelatex",
        case="情形",
        case_note="（情形 ${}$）",
        special_case="特例：{}",
        verify_headings=("推导", "K", "步数", "结果", "秒", "已验证", "失败", "任意"),
        words={
            "result": "结论",
            "steps_any": "推导步骤（任意类别数 $`K`$）",
            "steps_k": "推导步骤（$`K = {K}`$ 个类别）",
            "statement": "命题",
            "reason": "理由",
            "figure": "图",
            "typeset": "`symsoftmax show {name} --format latex --standalone --lang zh` "
            "的第一页，由 xelatex 排版：",
            "verified": "下面每一步都由 SymPy 符号证明，并用 mpmath 以 40 位精度数值验证"
            "（任意 $`K`$ 与 $`K = {K}`$）：`symsoftmax verify {name}`。",
            "other": "[English](../en/{name}.md)",
            "home": "[全部推导](../index.md)",
            "generated": "由代码生成（`symsoftmax docs`），请勿手工修改。",
        },
        figure_words={
            "sigmoid_title": "单独改变 z₁：σ₁ 是 z₁ 的 Sigmoid 函数（K = {K}）；"
            "圆点处 σ₁ = 1/2，z₁ 为其余 logit 的 LSE",
            "sigmoid_derived": "推导所得：sigmoid(z₁ − log Σₖ exp zₖ)，求和不含 k = 1",
            "sigmoid_x": "z₁（其余 logit 固定）",
            "bars_title": "z = ({z}) 时的 σ(βz)：log(σᵢ/σⱼ) = β(zᵢ − zⱼ)",
            "bars_x": "类别 k",
            "bars_legend": "逆温度 β",
            "entropy_title": "熵 H(β) = −Σₖ σₖ log σₖ 在 β > 0 时随 β 增大而不增",
            "entropy_x": "逆温度 β（对数坐标）",
            "entropy_y": "熵 H(β)（奈特）",
            "entropy_zero": "β → 0：H → log K = {H}（均匀分布）",
            "entropy_one_hot": "β → ∞：H → {H}（独热分布）",
            "entropy_ties": "β → ∞：H → log {m} = {H}（在 {m} 个最大值上均匀）",
            "jacobian_x": "对 zⱼ 求导",
            "jacobian_y": "输出 σᵢ",
            "jacobian_bar": "Jᵢⱼ（0 为白色）",
            "jacobian_symmetric": "对称：J = Jᵀ（|Jᵢⱼ − Jⱼᵢ| 最大为 {gap}）",
            "jacobian_rows": "每行之和为 0（|Σⱼ Jᵢⱼ| 最大为 {gap}）",
            "row_sum": "行和",
            "overparam_plain": "无权重衰减",
            "overparam_decay": "权重衰减 λ = {decay}",
            "overparam_entries": "{setting}：两次拟合所得 Θ 的各元素",
            "overparam_starts": "拟合 a 从 0 出发，拟合 b 从平移后的点出发",
            "overparam_samples": "样本 s",
            "overparam_probs": "{setting}：两次拟合给出的概率之差",
            "simplex_logits": "logit 空间：直线 z + c·1，c ∈ [{lo}, {hi}]",
            "simplex_image": "σ 把每条直线映射为开三角形内的一个点",
            "simplex_grid": "灰线：z = (z₁, z₂, 0)，z₁, z₂ ∈ [{lo}, {hi}] 的像；它取不到边界",
            "first_logit_x": "z = (z₁, {rest}) 中的 z₁",
            "smooth_max_title": "光滑最大值（K = {K}）：max z ≤ β⁻¹ LSE(βz) ≤ max z + (log K)/β",
            "smooth_max_bound": "虚线：max z + (log K)/β",
            "saturation_title": "饱和：每个 |Jᵢⱼ| ≤ 1/4；σ 趋于独热向量时 J → 0",
            "saturation_bound": "上界 |Jᵢⱼ| ≤ {bound}",
            "distillation_title": "知识蒸馏：L = T²·KL(σ(t/T) ‖ σ(z/T))，∇L = T(σ(z/T) − σ(t/T))",
            "distillation_with": "含 T² 因子：‖∇L‖",
            "distillation_without": "不含 T² 因子：‖∇L‖/T²",
            "distillation_limit": "极限 ‖z − t‖/K = {v}",
            "distillation_slope": "‖z − t‖/(K T²)",
            "distillation_x": "温度 T（对数坐标）",
            "distillation_y": "梯度范数（对数坐标）",
            "distillation_logits": "t = ({t})（教师），z = ({z})（学生），均值都为 0",
        },
        site_words={
            "caption_sigmoid": "实线：由 `ss.numeric` 计算的 softmax；虚线：推导所得的 "
            "Sigmoid 公式，经 lambdify 求值；两者重合。",
            "caption_temperature": "左：σ(βz)，每根柱子上标出其数值；β → ∞ 一组是极限，"
            "即在取到最大值的各类上均匀分布（把 z 缩放到 10³⁰⁰/max|z| 后计算的 σ）。"
            "右：熵 H(β) 及其在 β → 0 与 β → ∞ 时的极限。",
            "caption_jacobian": "由 `ss.numeric.jacobian` 计算的 J = ∂σ/∂z，最后一列是"
            "各行之和；行和与对称性都由图中的数值算出。",
            "caption_overparameterization": "Softmax 回归拟合两次：Θₐ 从 0 出发，Θ_b 从"
            "平移了 1ψ₀ᵀ 的起点出发。不加权重衰减时，两个解相差一个行平移，"
            "Θₐ = Θ_b + 1ψᵀ，其中 ψ 为 Θₐ − Θ_b 各行的平均（白色菱形），而在每个样本 s "
            "上给出的概率都相同；加入权重衰减后两个解一致。",
            "caption_simplex": "K = 3：σ 把 logit 空间映射到概率的开三角形上；每条直线 "
            "z + c·1（左）都映射为同一个点（右）。",
            "caption_smooth_max": "沿 z = (z₁, 0, −1)，由 `ss.numeric.logsumexp` 计算的 "
            "β⁻¹ LSE(βz)（实线，每个 β 一条）与 max z（黑线）；同色虚线是上界 "
            "max z + (log K)/β。每条曲线都夹在两者之间，并随 β 增大趋于 max z。",
            "caption_saturation": "z = (z₁, 0, 0) 时 `ss.numeric.jacobian` 的各元素 |Jᵢⱼ| "
            "随 z₁ 增大的变化：没有一个超过上界 1/4（虚线），σ₁(1 − σ₁) 在 σ₁ = 1/2 时取到"
            "它；σ 趋于独热向量 e₁ 时各元素都趋于 0，饱和的 softmax 几乎不再回传梯度。",
            "caption_distillation": "均值为 0 的 t 与 z 下，`ss.numeric.distillation_grad` "
            "即 T(σ(z/T) − σ(t/T)) 的范数随 T 的变化：损失带 T² 因子时，它趋于 ‖z − t‖/K"
            "（虚线），即匹配 logit 的梯度；除以 T²（损失不带该因子）后，它像 1/T² 一样下降"
            "（点线）。",
            "typeset_all": "`symsoftmax show {name} --format latex --standalone --lang zh` "
            "的全部页面，由 xelatex 排版，裁去页边空白（不含页码）：",
            "worked_link": "[English](../en/worked-example.md) · [全部推导](../index.md)",
            "worked_index": "带数值的算例",
            "worked_title": "算例：$`\\mathbf{{z}} = ({z})`$",
            "worked_intro": "本页的每个数都在生成页面时由 `ss.numeric`（由推导生成的代码）"
            "和 numpy 算出，没有一个是手工填写的。数值保留 {digits} 位有效数字。",
            "worked_exp": "指数、指数之和与概率",
            "worked_exp_text": "由定义（{definition}），"
            "$`\\sigma_k = e^{{z_k}} / \\Sigma_K`$，其中 "
            "$`\\Sigma_K = \\sum_k e^{{z_k}}`$ = {total_exp}。`ss.numeric.softmax(z)` 与 "
            "$`e^{{z_k}} / \\Sigma_K`$ 之差不超过 {gap}；各概率之和为 {total}"
            "（{normalization}）。",
            "worked_shift": "减去 $`\\max_k z_k = {m}`$ 之后",
            "worked_shift_text": "减去 {m} 使每个指数和 $`\\Sigma_K`$ 都乘以 "
            "$`e^{{-{m}}}`$，因此概率不变（{shift_invariance}；与上表之差不超过 {gap}）。"
            "`ss.numeric` 正是这样计算 softmax 的：最大的指数为 0，任何指数都不会上溢。",
            "worked_beta": "温度：$`\\sigma(\\beta \\mathbf{{z}})`$",
            "worked_beta_text": "随 β 成比例变化的是对数比值："
            "$`\\log(\\sigma_i/\\sigma_j) = \\beta (z_i - z_j)`$（{temperature}）；表中给出 "
            "i = 1、j = 2 时的实测值与公式值。绝对差不一定随 β 增大："
            "β = {betas} 时，$`\\sigma_2 - \\sigma_3`$ 依次为 {gaps}。",
            "worked_jacobian": "雅可比矩阵 $`J = \\partial\\sigma/\\partial\\mathbf{{z}}`$",
            "worked_jacobian_text": "由 `ss.numeric.jacobian(z)` 计算，该函数由 "
            "$`J_{{ij}} = \\sigma_i (\\delta_{{ij}} - \\sigma_j)`$ 生成（{jacobian}）。"
            "每行之和为 0（见最后一列；$`|\\sum_j J_{{ij}}|`$ 最大为 {rows}），且矩阵对称"
            "（$`|J_{{ij}} - J_{{ji}}|`$ 最大为 {sym}）。",
            "worked_gradient": "独热目标 $`\\mathbf{{y}}`$ 下交叉熵的梯度",
            "worked_gradient_text": "取目标 $`\\mathbf{{y}} = ({y})`$（第 {target} 类），"
            "损失为 $`L = -\\log \\sigma_{{{target}}}`$ = {loss}，其梯度为 "
            "$`\\nabla_{{\\mathbf{{z}}}} L = \\sigma - \\mathbf{{y}}`$（{cross_entropy}）。"
            "`ss.numeric.cross_entropy_grad(z, y)` 与 σ − y 之差不超过 {gap}；"
            "各分量之和为 {total}。",
            "worked_k": "k",
            "worked_row": "行和",
            "notation": "含义",
            "notation_logits": "logit（softmax 的输入），共 K ≥ 2 个类别",
            "notation_outputs": "softmax 的输出，即概率；一般的分布记作 p",
            "notation_sum": "指数之和，记法同原始笔记",
            "notation_lse": "log-sum-exp（对数求和指数）",
            "notation_jacobian": "softmax 的雅可比矩阵，$`J_{{ij}} = "
            "\\partial\\sigma_i/\\partial z_j`$",
            "notation_target": "目标（独热向量或一个分布）；y 从不表示输出",
            "notation_beta": "逆温度（温度 T = 1/β）",
            "notation_theta": "softmax 回归的参数（K × n），各行为 $`\\theta_k`$；"
            "$`h_s = \\sigma(\\Theta x_s)`$",
            "notation_cost": "softmax 回归的代价函数，λ 为权重衰减系数",
            "notation_null": "零空间方向：Θ 的行平移（每一行都加上 ψ）",
            "notation_samples": "样本 $`x_s`$，s = 1, …, m；特征 a = 1, …, n",
            "notation_positions": "序列位置（注意力）；τ 为直线的参数",
        },
    ),
}


def resources(lang: Lang | str) -> Resources:
    """The row of ``lang`` (a :class:`Lang` or its code); ValueError for an unknown code."""
    return RESOURCES[Lang.parse(lang)]
