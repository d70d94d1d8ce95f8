"""siteselect: overseas industrial-park site selection with MCDA."""

from siteselect.elicit import (
    aggregate_judgements,
    aggregate_priorities,
    ahp_weights,
    consensus,
    roc_weights,
    swing_weights,
)
from siteselect.errors import DataError, SiteSelectError, UnknownNameError, WeightError
from siteselect.methods import (
    METHODS,
    Explanation,
    contributions,
    explain,
    gaia,
    prepare_problem,
    promethee1,
    rank_matrix,
)
from siteselect.ranking import evaluate
from siteselect.robustness import (
    rank_reversal,
    robustness_summary,
    sample_weights,
    smaa,
    smaa_full,
    stability_intervals,
    value_levers,
    weight_sweep,
    weights_to_win,
)

__all__ = [
    "METHODS",
    "DataError",
    "Explanation",
    "SiteSelectError",
    "UnknownNameError",
    "WeightError",
    "aggregate_judgements",
    "aggregate_priorities",
    "ahp_weights",
    "consensus",
    "contributions",
    "evaluate",
    "explain",
    "gaia",
    "prepare_problem",
    "promethee1",
    "rank_matrix",
    "rank_reversal",
    "robustness_summary",
    "roc_weights",
    "sample_weights",
    "smaa",
    "smaa_full",
    "stability_intervals",
    "swing_weights",
    "value_levers",
    "weight_sweep",
    "weights_to_win",
]
