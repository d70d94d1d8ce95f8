"""siteselect: overseas industrial-park site selection with MCDA."""

from siteselect.errors import DataError, SiteSelectError, UnknownNameError, WeightError
from siteselect.methods import METHODS, contributions, rank_matrix

__all__ = [
    "METHODS",
    "DataError",
    "SiteSelectError",
    "UnknownNameError",
    "WeightError",
    "contributions",
    "rank_matrix",
]
