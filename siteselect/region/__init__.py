"""Region screening (issue 14): the grid, per-cell criteria and two-pass scoring on Dask.

- :mod:`~siteselect.region.grids`: the equal-area square grid over an area, in row bands;
- :mod:`~siteselect.region.layers_api`: the types shared with user layers and exports;
- :mod:`~siteselect.region.cells`: the model's criteria for a block of cells;
- :mod:`~siteselect.region.scoring`: the list ranking's statistics and method states, by block;
- :mod:`~siteselect.region.results`: top cells with explanations, contiguous areas, notes;
- :mod:`~siteselect.region.screening`: the two-pass screen (the same model as
  :func:`siteselect.ranking.evaluate`) on Dask.
"""

from __future__ import annotations

from typing import Any

from siteselect.region.grids import EQUAL_AREA, MAX_CELLS, Area, area_geometry, cell_polygons, grid
from siteselect.region.layers_api import (
    GridInfo,
    Layer,
    LayerRule,
    ScreenResult,
    ScreenSpec,
)


def screen(spec: ScreenSpec, **kwargs: Any) -> ScreenResult:
    """Screen ``spec``'s area (see :func:`siteselect.region.screening.screen`)."""
    from siteselect.region.screening import screen as run

    return run(spec, **kwargs)


__all__ = [
    "EQUAL_AREA",
    "MAX_CELLS",
    "Area",
    "GridInfo",
    "Layer",
    "LayerRule",
    "ScreenResult",
    "ScreenSpec",
    "area_geometry",
    "cell_polygons",
    "grid",
    "screen",
]
