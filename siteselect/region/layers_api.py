"""The interface between region screening and user layers, exports and views (issue 14).

This module only defines types; it computes nothing. The engine
(:mod:`siteselect.region.screening`) consumes them; :mod:`siteselect.layers` (GeoTIFF / vector
:class:`Layer` implementations), :mod:`siteselect.region_export` (GeoParquet / GeoTIFF from
a :class:`ScreenResult`), the map and the app page produce or read them.

Final signatures
----------------
``Layer`` (a protocol; any object with these members)::

    name: str                        # user-facing name; the criterion id is "layer:<name>"
    provenance: Mapping[str, Any]    # source, file, sha256, year, as_of, note (like an indicator)
    def sample(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray
        # float64 values at WGS84 points (same length), NaN = no data; called once per chunk
        # of cells (and once for the listed candidates), possibly in a worker process: a
        # layer must be picklable and open its file lazily.

``LayerRule(layer, kind, *, group="", weight=0.0, objective="max", value_function=LINEAR,
exclude_if=None, reason="")``

    kind="criterion": an extra criterion ``layer:<name>`` in ``group`` (a group id of
    criteria.yaml) taking ``weight`` (a share in (0, 1) of the group's weight; the group's
    own criteria keep their proportions within the remaining ``1 - weight``), ``objective``
    "min" or "max", and an optional ``value_function`` (a
    :class:`siteselect.criteria.ValueFunction`, as parsed from the criteria.yaml form by
    :func:`siteselect.criteria.parse_value_function`), applied by the value-based methods
    exactly as for the bundled criteria. A cell or candidate with no data (NaN) is filled
    by the evaluation's missing-value policy, like any criterion.

    kind="exclusion": ``exclude_if`` is ``(op, threshold)`` with op one of
    ``">", ">=", "<", "<=", "==", "!="`` (e.g. ``(">", 0.5)``), or ``"inside"`` /
    ``"outside"`` for a mask layer (inside = sampled value > 0, non-NaN). ``reason`` is the
    text counted in ``ScreenResult.n_excluded`` and shown for excluded listed candidates.
    NaN (no data) never excludes, except ``"outside"`` (a cell not inside the mask).

``ScreenSpec(area, cell_km, *, sector="ems", profile="industry_association", weights=None,
method="topsis", method_params={}, markets=None, headcount=None, missing="worst",
rules=(), top=20, min_area_cells=None, area_quantile=0.95, site_evidence="policy",
max_cells=MAX_CELLS)``

    ``area``: ISO3 country, ISO 3166-2 region (e.g. ``"PH-03"``), bbox or shapely polygon
    (see :func:`siteselect.region.area_geometry`). ``site_evidence``: ``"policy"`` — the
    criteria that are site evidence (sector_fit, taiwan_cluster) are missing for cells and
    handled by the missing-value policy exactly as for an uploaded site without evidence;
    ``"omit"`` — they are left out for cells and candidates alike.

``ScreenResult`` fields: see the class. ``top`` columns: ``cell_id`` (``"<col>:<row>"``,
the global EPSG:6933 cell indices for ``cell_km``), ``row``, ``col`` (raster indices in
``scores``: row 0 is the northernmost row), ``lon``, ``lat``, ``country``, ``region_code``,
``gateway_port``, ``airport``, ``sea_km`` (searoute km from Kaohsiung to the gateway),
``inland_km`` (geodesic km to the gateway), ``timezone``, ``score``, ``rank`` (1 = best
among cells and candidates),
``beats_all``, one column per criterion scored (raw values), ``explanation`` (text that
reconstructs the score) and a point geometry (WGS84).

``screen(spec, *, catalog=None, criteria=None, scheduler=None, chunk_cells=DEFAULT_CHUNK_CELLS,
progress=None) -> ScreenResult`` in :mod:`siteselect.region.screening`, re-exported as
``siteselect.region.screen``. ``scheduler``: None = threaded dask scheduler for small
jobs, a local ``distributed.LocalCluster`` above ``LOCAL_CLUSTER_CELLS``; ``"threads"``,
``"sync"`` or ``"local"`` force one; ``"tcp://host:port"`` uses an existing cluster.
``progress(done_fraction)`` is called with values in [0, 1].
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from siteselect.criteria import LINEAR, ValueFunction
from siteselect.errors import SiteSelectError
from siteselect.region.grids import EQUAL_AREA, MAX_CELLS, Area

if TYPE_CHECKING:
    import geopandas as gpd

EXCLUDE_OPS = (">", ">=", "<", "<=", "==", "!=")
MASK_OPS = ("inside", "outside")
SITE_EVIDENCE = ("policy", "omit")
LAYER_PREFIX = "layer:"


@runtime_checkable
class Layer(Protocol):
    """A user layer sampled at points (a raster band or a vector attribute / mask)."""

    name: str
    provenance: Mapping[str, Any]

    def sample(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """float64 values at the WGS84 points, NaN where the layer has no data."""
        ...


@dataclass(frozen=True)
class LayerRule:
    """How one layer enters a screen: as an extra criterion or as an exclusion."""

    layer: Layer
    kind: Literal["criterion", "exclusion"]
    group: str = ""
    weight: float = 0.0
    objective: Literal["min", "max"] = "max"
    value_function: ValueFunction = LINEAR
    exclude_if: tuple[str, float] | str | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        name = getattr(self.layer, "name", None)
        if not isinstance(name, str) or not name.strip():
            raise SiteSelectError("a layer rule's layer needs a non-empty 'name'")
        where = f"layer {name!r}"
        if self.kind == "criterion":
            w = self.weight
            if isinstance(w, bool) or not isinstance(w, int | float) or not 0 < w < 1:
                raise SiteSelectError(f"{where}: 'weight' must be a share in (0, 1); got {w!r}")
            if self.objective not in ("min", "max"):
                raise SiteSelectError(
                    f"{where}: 'objective' must be 'min' or 'max'; got {self.objective!r}"
                )
            if not self.group:
                raise SiteSelectError(f"{where}: a criterion rule needs a 'group' id")
        elif self.kind == "exclusion":
            rule = self.exclude_if
            if isinstance(rule, str):
                if rule not in MASK_OPS:
                    raise SiteSelectError(
                        f"{where}: 'exclude_if' must be one of {', '.join(MASK_OPS)} or "
                        f"(op, threshold); got {rule!r}"
                    )
            elif not (
                isinstance(rule, tuple)
                and len(rule) == 2
                and rule[0] in EXCLUDE_OPS
                and isinstance(rule[1], int | float)
                and not isinstance(rule[1], bool)
                and math.isfinite(rule[1])
            ):
                raise SiteSelectError(
                    f"{where}: 'exclude_if' must be (op, finite threshold) with op one of "
                    f"{', '.join(EXCLUDE_OPS)}, or one of {', '.join(MASK_OPS)}; got {rule!r}"
                )
            if not self.reason.strip():
                raise SiteSelectError(f"{where}: an exclusion rule needs a 'reason'")
        else:
            raise SiteSelectError(
                f"{where}: 'kind' must be 'criterion' or 'exclusion'; got {self.kind!r}"
            )

    @property
    def criterion_id(self) -> str:
        """The id of the criterion a criterion rule adds (``layer:<name>``)."""
        return LAYER_PREFIX + self.layer.name

    def excludes(self, values: np.ndarray) -> np.ndarray:
        """Boolean mask of the points this exclusion rule removes (NaN never excludes,
        except for ``"outside"``)."""
        v = np.asarray(values, dtype=float)
        rule = self.exclude_if
        inside = np.nan_to_num(v, nan=0.0) > 0
        if rule == "inside":
            return inside
        if rule == "outside":
            return ~inside
        assert isinstance(rule, tuple)
        op, t = rule[0], float(rule[1])
        with np.errstate(invalid="ignore"):
            hit = {
                ">": v > t,
                ">=": v >= t,
                "<": v < t,
                "<=": v <= t,
                "==": v == t,
                "!=": v != t,
            }[op]
        return np.asarray(hit & ~np.isnan(v), dtype=bool)


@dataclass(frozen=True)
class GridInfo:
    """Where the ``scores`` raster lies: EPSG:6933, north-up, square cells of ``cell_m``.

    Raster cell (r, c) covers x in ``[x0 + c·cell_m, x0 + (c+1)·cell_m)`` and y in
    ``(y0 - (r+1)·cell_m, y0 - r·cell_m]``; ``col0`` / ``row0`` are the global grid indices
    of raster column 0 and row 0 (global row = ``row0 - r``, global col = ``col0 + c``).
    The GDAL geotransform is ``(x0, cell_m, 0, y0, 0, -cell_m)``.
    """

    crs: int
    x0: float
    y0: float
    cell_m: float
    n_rows: int
    n_cols: int
    col0: int
    row0: int

    @property
    def transform(self) -> tuple[float, float, float, float, float, float]:
        """The GDAL geotransform of the raster."""
        return (self.x0, self.cell_m, 0.0, self.y0, 0.0, -self.cell_m)


@dataclass(frozen=True)
class ScreenSpec:
    """What to screen: the area and grid, the model (as ``ranking.evaluate``) and layers."""

    area: Area
    cell_km: float
    sector: str = "ems"
    profile: str = "industry_association"
    weights: Mapping[str, Any] | None = None
    method: str = "topsis"
    method_params: Mapping[str, Any] = field(default_factory=dict)
    markets: Mapping[str, Any] | None = None
    headcount: float | None = None
    missing: str = "worst"
    rules: tuple[LayerRule, ...] = ()
    top: int = 20
    #: contiguous areas: connected components (4-neighbour) of at least this many cells
    #: among the cells whose score is at or above the ``area_quantile`` quantile of the
    #: scored cells; None = no areas
    min_area_cells: int | None = None
    area_quantile: float = 0.95
    site_evidence: str = "policy"
    max_cells: int = MAX_CELLS
    #: sector exclusion rule id -> on/off, as ``ranking.evaluate(exclusion_rules=...)``
    #: (None: each rule's default in criteria/sectors.yaml)
    exclusion_rules: Mapping[str, bool] | None = None
    #: the listed sites scored with the cells: "all" (every site of the catalogue, as the
    #: list ranking scores them: one scale, and missing inputs filled from the same
    #: observations) or "area" (only the sites of the area's countries)
    candidates: str = "all"


@dataclass
class ScreenResult:
    """The outcome of :func:`siteselect.region.screen`."""

    spec: ScreenSpec
    method: str
    #: cells of the grid inside the area (before exclusions)
    n_cells: int
    #: reason → number of cells removed by it (sector exclusions and layer exclusions)
    n_excluded: Mapping[str, int]
    top: gpd.GeoDataFrame
    areas: gpd.GeoDataFrame | None
    #: the listed candidate sites of the area's countries with ``score`` and ``rank`` on the
    #: same scale as the cells (excluded candidates have NaN and their reason)
    candidates: pd.DataFrame
    grid: GridInfo
    #: (n_rows, n_cols) float64, NaN outside the area and for excluded cells
    scores: Any
    notes: list[str] = field(default_factory=list)
    #: the criteria scored, in column order, and their effective weights
    weights: Mapping[str, float] = field(default_factory=dict)
    #: provenance of each layer used (name → provenance mapping)
    layers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def best_candidate(self) -> pd.Series | None:
        """The best-scoring listed candidate (None when every candidate is excluded)."""
        scored = self.candidates.dropna(subset=["score"])
        if scored.empty:
            return None
        return scored.sort_values("score", ascending=False).iloc[0]

    @property
    def crs(self) -> int:
        return EQUAL_AREA
