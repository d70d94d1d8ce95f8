"""siteselect: overseas industrial-park site selection with MCDA."""

from siteselect.errors import DataError, SiteSelectError, UnknownNameError, WeightError
from siteselect.methods import METHODS, contributions, prepare_problem, rank_matrix
from siteselect.ranking import evaluate

__all__ = [
    "METHODS",
    "DataError",
    "SiteSelectError",
    "UnknownNameError",
    "WeightError",
    "contributions",
    "evaluate",
    "prepare_problem",
    "rank_matrix",
]
