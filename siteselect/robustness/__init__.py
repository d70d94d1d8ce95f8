"""Robustness of a ranking: how sure it is, and what would change it.

Every function takes the inputs of :func:`siteselect.methods.rank_matrix` (``matrix``,
``objectives``, ``weights``, ``method``, method ``**params``), validates them once with
:func:`~siteselect.methods.validate_problem`, and then computes in numpy on the method's
``prepare`` / ``scores`` split, so the weight-independent work is done once and many
weight vectors are scored in one batch.

:func:`weight_sweep`
    scores and ranks as one criterion's (or a group's) weight goes from 0 to 1;
:func:`stability_intervals`
    for each criterion, the weight interval within which the leader (or top k) holds;
:func:`smaa`, :func:`smaa_full`
    SMAA-2 rank acceptability, central weights and confidence (Lahdelma & Salminen 2001),
    with optional weight bounds, weight order and value ranges;
:func:`weights_to_win`
    the smallest change of weights that makes a given alternative rank first;
:func:`value_levers`
    the smallest change of a site's policy-movable values (a subsidy, a tax holiday)
    that makes it rank first (exact by linear programming for WSM);
:func:`rank_reversal`
    does removing an alternative, or adding a copy or a dominated phantom, reorder the
    others?

Weight paths
    Changing the weight of criterion ``j`` (or of a set of criteria) to ``t`` rescales the
    other weights proportionally so that all weights still sum to 1:
    ``w(t) = t · w_S / Σw_S + (1 - t) · w_rest / Σw_rest``. When the weights inside the
    set (or outside it) are all zero they are split equally instead.

Ties
    Ranks are the dense ranks of :func:`~siteselect.methods.rank_matrix` (scores equal
    to 12 decimals tie; VIKOR's compromise set shares rank 1).
"""

from siteselect.robustness.levers import LeverResult, policy_levers, value_levers
from siteselect.robustness.model import LINEAR_METHODS, Model, prepare_model
from siteselect.robustness.reversal import RankReversalReport, rank_reversal
from siteselect.robustness.sampling import sample_weights
from siteselect.robustness.smaa import SMAAResult, smaa, smaa_full, smaa_reference_loop
from siteselect.robustness.stability import stability_intervals
from siteselect.robustness.summary import (
    RobustnessSummary,
    evaluation_problem,
    robustness_summary,
)
from siteselect.robustness.sweep import weight_sweep
from siteselect.robustness.whatif import WinResult, weights_to_win

__all__ = [
    "LINEAR_METHODS",
    "LeverResult",
    "Model",
    "RankReversalReport",
    "RobustnessSummary",
    "SMAAResult",
    "WinResult",
    "evaluation_problem",
    "policy_levers",
    "prepare_model",
    "rank_reversal",
    "robustness_summary",
    "sample_weights",
    "smaa",
    "smaa_full",
    "smaa_reference_loop",
    "stability_intervals",
    "value_levers",
    "weight_sweep",
    "weights_to_win",
]
