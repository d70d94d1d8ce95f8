"""MCDA methods: a vectorised numpy path, with scikit-criteria as the reference.

Every method (a :class:`Method` in :data:`METHODS`) is split in two steps so that
re-ranking under new weights is cheap:

``prepare(X, sense, **params)``
    everything that does not depend on the weights (normalisation, pairwise preferences);
``scores(state, W)`` / ``ranks(state, W)``
    the scores / ranks for a *batch* of weight vectors ``W`` (k × n) at once, higher is
    better;
``explain(state, w, ...)``
    a per-criterion decomposition (:class:`Explanation`) from which the method's own score
    is recomputed exactly.

``Method.params`` lists each parameter with its type and range; every entry point
validates them (NaN, wrong type, wrong length, out of range → :class:`SiteSelectError`
naming the parameter and the value). ``Method.linear`` says whether the ranking is the
order of a fixed matrix times the weights (WSM; WPM in logs; PROMETHEE II), which the
robustness package uses for exact answers.

:func:`rank_matrix` is the validated public entry point. ``engine="skcriteria"`` runs the
same method through a scikit-criteria pipeline (the reference implementation; tests prove
both engines give the same scores and ranks).

How each method normalises and treats cost criteria (m alternatives, n criteria, weights
normalised to sum to 1) is stated in its module: :mod:`~siteselect.methods.weighted`
(``wsm``, ``wpm``), :mod:`~siteselect.methods.topsis`, :mod:`~siteselect.methods.vikor`,
:mod:`~siteselect.methods.promethee` (``promethee2``, PROMETHEE I, GAIA).

Explanations and group subscores, per method (``Explanation.formula``,
``contribution_meaning`` and ``group_rule`` say the same in words):

========== ============================================ ===================================
method     terms (per site and criterion)               group subscore
========== ============================================ ===================================
wsm        ``w_j r_ij`` (sum = score)                   group's weighted sum / group weight
wpm        ``w_j ln r_ij`` (exp of the sum = score)     exp(group's log terms / group weight)
topsis     ``w_j²(v_ij - v*_j)²``, ``w_j²(v_ij - v⁻_j)²``  closeness on the group's terms
           (sums = d+², d-²; score = d- / (d+ + d-))
vikor      ``w_j F_ij`` (S = sum, R = max; Q, score)    1 - group's S / group weight
promethee2 ``w_j φ_j`` (sum = net flow = score)         group's net flow / group weight
========== ============================================ ===================================

Ranks are dense (ties share a rank, the next rank follows), 1 = best.
"""

from siteselect.methods.api import (
    ENGINES,
    METHODS,
    PreparedProblem,
    check_params,
    contributions,
    explain,
    explain_problem,
    get_method,
    prepare_problem,
    prepare_state,
    rank_matrix,
    rank_problem,
)
from siteselect.methods.base import (
    TIE_DECIMALS,
    Explanation,
    Method,
    Param,
    benefit_scaled,
    dense_rank,
    scale_to_unit,
)
from siteselect.methods.outranking import GaiaPlane, PrometheeI, gaia, promethee1
from siteselect.methods.problem import (
    OBJECTIVES,
    Problem,
    check_weight,
    validate_problem,
    weight_vector,
)
from siteselect.methods.promethee import PREFERENCE_FUNCTIONS, preference
from siteselect.methods.vikor import compromise_ranks, vikor_q, vikor_ranks

__all__ = [
    "ENGINES",
    "METHODS",
    "OBJECTIVES",
    "PREFERENCE_FUNCTIONS",
    "TIE_DECIMALS",
    "Explanation",
    "GaiaPlane",
    "Method",
    "Param",
    "PreparedProblem",
    "Problem",
    "PrometheeI",
    "benefit_scaled",
    "check_params",
    "check_weight",
    "compromise_ranks",
    "contributions",
    "dense_rank",
    "explain",
    "explain_problem",
    "gaia",
    "get_method",
    "preference",
    "prepare_problem",
    "prepare_state",
    "promethee1",
    "rank_matrix",
    "rank_problem",
    "scale_to_unit",
    "validate_problem",
    "vikor_q",
    "vikor_ranks",
    "weight_vector",
]
