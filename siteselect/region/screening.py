"""Screen a region with the list ranking's model, block by block on Dask.

Passes over the grid, each one Dask task per band of raster rows (``chunk_cells`` cells):

0. *places*: locate every cell (country, region, gateway port, airport) and collect the
   distinct places, their cell counts and a prototype cell each; the decision table of the
   listed candidates and one pseudo-site per place is then built by the list path
   (:mod:`siteselect.region.cells`);
1. *statistics*: the raw criteria of each block, the sector's and the layers' exclusions,
   and column statistics of the cells kept (:class:`~siteselect.region.scoring.Stats`),
   merged with the candidates'; the missing-value policy and the method's normalisation
   are resolved on them exactly as :func:`siteselect.ranking.evaluate` does on a whole
   matrix (``drop_site`` repeats this pass on complete rows);
2. *scores*: each block's scores with those global statistics, as a (rows × cols) raster;
   VIKOR keeps S and R and scales them once all are known.

Only a block's matrix is ever in memory; the outputs are the score raster (8 bytes a cell)
and the top cells, whose criteria and explanations are recomputed for them alone.
PROMETHEE II compares every pair of alternatives: it runs only when cells plus candidates
do not exceed its limit (``METHODS['promethee2'].max_alternatives``), on the whole matrix.

Scheduler rule: ``None`` runs Dask's threaded scheduler up to :data:`LOCAL_CLUSTER_CELLS`
cells and a ``distributed.LocalCluster`` (one single-threaded worker process per core)
above; ``"threads"``, ``"sync"``, ``"local"`` force one; any address with ``://``
(``tcp://host:8786``) uses that cluster.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import dask
import dask.array as da
import geopandas as gpd
import numpy as np
import pandas as pd
from dask.callbacks import Callback

from siteselect import boundaries
from siteselect.catalog import Catalog
from siteselect.criteria import CriteriaSet
from siteselect.errors import SiteSelectError, UnknownNameError
from siteselect.methods import METHODS, get_method, validate_problem
from siteselect.methods.api import check_params, prepare_state
from siteselect.ranking import default_catalog, default_criteria
from siteselect.region import cells, results, scoring
from siteselect.region.grids import EQUAL_AREA, Frame, band_cells, grid_frame
from siteselect.region.layers_api import SITE_EVIDENCE, GridInfo, ScreenResult, ScreenSpec
from siteselect.table import POLICIES, default_context

DEFAULT_CHUNK_CELLS = 50_000
LOCAL_CLUSTER_CELLS = 2_000_000
SCHEDULERS = ("threads", "sync", "local")
OUTSIDE = "outside the countries with data"

Progress = Callable[[float], None]


@dataclass(frozen=True)
class Job:
    """Everything a band task needs (shipped once to the workers)."""

    frame: Frame
    model: cells.CellModel
    exclusions: tuple[tuple[int, float, float], ...]  # column, max, min (sector rules)
    layer_excl: tuple[Any, ...]  # LayerRule objects of kind exclusion
    transform: scoring.Transform


def _band_raw(job: Job, r0: int, r1: int) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Cells of a band, their raw values and exclusion code (0 kept, 1 outside the served
    countries, 2.. sector rules, then layer rules)."""
    band = band_cells(job.frame, r0, r1)
    loc = cells.located_frame(band["lon"], band["lat"])
    band.update(loc)
    X, idx = job.model.values(band["lon"], band["lat"], loc)
    code = np.where(idx < 0, 1, 0)
    for i, (col, hi, lo) in enumerate(job.exclusions):
        with np.errstate(invalid="ignore"):
            hit = (X[:, col] > hi) | (X[:, col] < lo)
        code = np.where((code == 0) & hit, 2 + i, code)
    base = 2 + len(job.exclusions)
    for i, rule in enumerate(job.layer_excl):
        hit = rule.excludes(rule.layer.sample(band["lon"], band["lat"]))
        code = np.where((code == 0) & hit, base + i, code)
    return band, X, code


def _pass_places(job: Job, r0: int, r1: int) -> cells.Places:
    band = band_cells(job.frame, r0, r1)
    loc = cells.located_frame(band["lon"], band["lat"])
    return cells.block_places(band["lon"], band["lat"], loc)


def _pass_stats(
    job: Job, r0: int, r1: int, policy: scoring.Policy | None
) -> tuple[scoring.Stats, np.ndarray]:
    _, X, code = _band_raw(job, r0, r1)
    kept = X[code == 0]
    if policy is not None:  # drop_site: statistics of the complete rows only
        kept = kept[~np.isnan(kept[:, list(policy.keep)]).any(axis=1)]
    counts = np.bincount(code, minlength=2 + len(job.exclusions) + len(job.layer_excl))
    return scoring.Stats.of(kept, job.transform(kept)), counts


def _pass_scores(
    job: Job,
    r0: int,
    r1: int,
    policy: scoring.Policy,
    ms: scoring.Matrix,
    method: str,
    params: Mapping[str, Any],
    sense: np.ndarray,
    w: np.ndarray,
) -> np.ndarray:
    band, X, code = _band_raw(job, r0, r1)
    layers = 2 if method == "vikor" else 1
    out = np.full((layers, r1 - r0, job.frame.n_cols), np.nan)
    kept = np.flatnonzero(code == 0)
    M, rows = scoring.final_matrix(X[kept], policy, job.transform)
    if len(M):
        state = scoring.method_state(method, M, sense, ms, params)
        s = scoring.block_scores(METHODS[method], state, w)
        at = kept[rows]
        out[:, band["r"][at] - r0, band["c"][at]] = np.atleast_2d(s)
    return out


class _Counter(Callback):
    """Dask callback reporting the share of tasks done (local schedulers)."""

    def __init__(self, report: Progress, lo: float, hi: float) -> None:
        super().__init__()
        self.report, self.lo, self.hi = report, lo, hi
        self.total, self.done = 1, 0

    def _start_state(self, dsk: Any, state: Any) -> None:
        self.total = max(1, len(state["ready"]) + len(state["waiting"]) + len(state["running"]))

    def _posttask(self, key: Any, result: Any, dsk: Any, state: Any, worker_id: Any) -> None:
        self.done += 1
        self.report(self.lo + (self.hi - self.lo) * min(1.0, self.done / self.total))


@dataclass
class _Runner:
    """Runs lists of delayed tasks on the chosen scheduler, reporting progress."""

    scheduler: str
    progress: Progress | None
    client: Any = None
    cluster: Any = None

    @property
    def kind(self) -> str:
        return self.scheduler.split()[1] if self.scheduler.startswith("dask ") else "distributed"

    def run(self, tasks: Sequence[Any], lo: float, hi: float) -> list[Any]:
        if self.client is not None:
            from distributed import as_completed

            futures = self.client.compute(list(tasks))
            for done, _ in enumerate(as_completed(futures), start=1):
                if self.progress is not None:
                    self.progress(lo + (hi - lo) * done / len(futures))
            return list(self.client.gather(futures))
        if self.progress is not None:
            with _Counter(self.progress, lo, hi):
                return list(dask.compute(*tasks, scheduler=self.kind))
        return list(dask.compute(*tasks, scheduler=self.kind))

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _runner(scheduler: str | None, n_cells: int, progress: Progress | None) -> _Runner:
    if scheduler is None:
        scheduler = "threads" if n_cells <= LOCAL_CLUSTER_CELLS else "local"
    if scheduler in ("threads", "sync"):
        return _Runner(f"dask {scheduler} scheduler", progress)
    from distributed import Client, LocalCluster

    if scheduler == "local":
        cluster = LocalCluster(
            n_workers=os.cpu_count() or 1,
            threads_per_worker=1,
            dashboard_address=":0",
            host="127.0.0.1",
        )
        label = f"distributed.LocalCluster ({len(cluster.workers)} worker processes)"
        return _Runner(label, progress, Client(cluster), cluster)
    if "://" in scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise SiteSelectError(f"scheduler {scheduler!r}: cannot connect ({exc})") from None
        return _Runner(f"distributed cluster at {scheduler}", progress, client)
    raise SiteSelectError(
        f"scheduler must be one of {', '.join(SCHEDULERS)} or a cluster address such as "
        f"tcp://host:8786; got {scheduler!r}"
    )


def _check(spec: ScreenSpec, cset: CriteriaSet) -> None:
    cset.sector(spec.sector)
    cset.profile(spec.profile)
    get_method(spec.method)
    if spec.missing not in POLICIES:
        raise UnknownNameError("missing-value policy", spec.missing, POLICIES)
    if spec.site_evidence not in SITE_EVIDENCE:
        raise UnknownNameError("site_evidence option", spec.site_evidence, SITE_EVIDENCE)
    if isinstance(spec.top, bool) or not isinstance(spec.top, int) or spec.top < 1:
        raise SiteSelectError(f"top must be a positive whole number; got {spec.top!r}")
    if spec.min_area_cells is not None and (
        isinstance(spec.min_area_cells, bool)
        or not isinstance(spec.min_area_cells, int)
        or spec.min_area_cells < 1
    ):
        raise SiteSelectError(
            f"min_area_cells must be a positive whole number; got {spec.min_area_cells!r}"
        )
    if not (0 < spec.area_quantile < 1):
        raise SiteSelectError(f"area_quantile must be in (0, 1); got {spec.area_quantile!r}")
    names = [r.layer.name for r in spec.rules]
    if len(set(names)) != len(names):
        raise SiteSelectError(f"rules: layer names must be unique; got {names}")
    groups = {g.id for g in cset.groups}
    for r in spec.rules:
        if r.kind == "criterion" and r.group not in groups:
            raise UnknownNameError(f"group of layer {r.layer.name!r}", r.group, groups)


def _countries(frame: Frame, served: Sequence[str]) -> list[str]:
    world = boundaries.countries()
    shape = gpd.GeoSeries([frame.shape], crs=EQUAL_AREA).to_crs(4326).iloc[0]
    hit = world[world.intersects(shape)]
    return sorted(set(hit["iso3"].dropna()) & set(served))


def _weights(
    cset: CriteriaSet, spec: ScreenSpec, columns: Sequence[str]
) -> tuple[pd.Series, list[str]]:
    """Effective weights of every column: the profile's, and each layer criterion's share
    of its group (the group's own criteria keep their proportions in the rest)."""
    breakdown = cset.weights(spec.profile, spec.sector, spec.weights)
    eff = breakdown.effective.reindex(columns).fillna(0.0)
    notes = []
    groups_of = cset.group_of()
    for r in spec.rules:
        if r.kind != "criterion":
            continue
        g = r.group
        gw = float(breakdown.group.get(g, 0.0))
        if gw <= 0:
            notes.append(f"layer {r.layer.name}: group {g} has no weight, so the layer has none")
        for c in columns:
            if groups_of.get(c) == g:
                eff[c] *= 1.0 - r.weight
        eff[r.criterion_id] = gw * r.weight
    return eff, notes


def screen(
    spec: ScreenSpec,
    *,
    catalog: Catalog | None = None,
    criteria: CriteriaSet | None = None,
    scheduler: str | None = None,
    chunk_cells: int = DEFAULT_CHUNK_CELLS,
    progress: Progress | None = None,
) -> ScreenResult:
    """Screen ``spec.area`` on a grid of ``spec.cell_km`` cells with the list model.

    See the module docstring for the passes and the scheduler rule, and
    :mod:`siteselect.region.layers_api` for the spec and the result.
    """
    catalog = catalog if catalog is not None else default_catalog()
    cset = criteria if criteria is not None else default_criteria()
    _check(spec, cset)
    if isinstance(chunk_cells, bool) or not isinstance(chunk_cells, int) or chunk_cells < 1:
        raise SiteSelectError(f"chunk_cells must be a positive whole number; got {chunk_cells!r}")
    frame = grid_frame(spec.area, spec.cell_km, max_cells=spec.max_cells)
    method = spec.method
    mspec = METHODS[method]
    served = cells.catalog_served(catalog)
    rows_per_band = max(1, chunk_cells // max(1, frame.n_cols))
    bands = [
        (r, min(r + rows_per_band, frame.n_rows)) for r in range(0, frame.n_rows, rows_per_band)
    ]
    ctx = default_context(
        spec.sector,
        spec.markets,
        on=catalog.release.date,
        headcount=spec.headcount,
        missing=spec.missing,
    )
    runner = _runner(scheduler, frame.n_rows * frame.n_cols, progress)
    try:
        return _screen(spec, catalog, cset, frame, bands, ctx, served, runner, mspec)
    finally:
        runner.close()


def _screen(
    spec: ScreenSpec,
    catalog: Catalog,
    cset: CriteriaSet,
    frame: Frame,
    bands: list[tuple[int, int]],
    ctx: Any,
    served: Sequence[str],
    runner: _Runner,
    mspec: Any,
) -> ScreenResult:
    method = spec.method
    empty_model = cells.CellModel(
        (), {}, np.zeros((0, 0)), np.zeros((0, 1)), np.zeros((0, 0, 1)), {}, ()
    )
    job0 = Job(frame, empty_model, (), (), scoring.Transform((), ()))
    job0_d = dask.delayed(job0, pure=True, traverse=False)
    parts = runner.run([dask.delayed(_pass_places)(job0_d, a, b) for a, b in bands], 0.0, 0.2)
    places = cells.Places.merge(parts)
    n_cells = int(places.counts.sum())
    if n_cells == 0:
        raise SiteSelectError(
            f"cell_km: no cell centre of a {spec.cell_km:g} km grid lies inside the area"
        )
    countries = _countries(frame, served)
    if spec.candidates not in ("all", "area"):
        raise SiteSelectError(f"candidates: 'all' or 'area'; got {spec.candidates!r}")
    cand_ids = [
        s
        for s in catalog.sites.index
        if spec.candidates == "all" or catalog.sites.at[s, "country"] in countries
    ]
    tab = cells.place_table(catalog, cset, spec.sector, ctx, cand_ids, places, ctx.impute)
    columns_base = list(cset.ids)
    layer_crit = [r for r in spec.rules if r.kind == "criterion"]
    layer_excl = tuple(r for r in spec.rules if r.kind == "exclusion")
    model = cells.cell_model(tab, cset, ctx, places, spec.rules, served)
    columns = list(model.columns)
    eff, weight_notes = _weights(cset, spec, columns)
    evidence = [c for c in columns_base if cells.derive_kind(cset, c) in cells.SITE_EVIDENCE_KINDS]
    used = [c for c in columns if eff[c] > 0]
    if spec.site_evidence == "omit":
        used = [c for c in used if c not in evidence]
    cells.check_cell_criteria(cset, [c for c in used if c in columns_base])
    objectives = {**cset.objectives, **{r.criterion_id: r.objective for r in layer_crit}}
    labels = {c.id: c.label for c in cset.criteria}
    labels.update({r.criterion_id: f"layer {r.layer.name}" for r in layer_crit})
    vfs: dict[str, Any] = {}
    if method in scoring.VALUE_BASED:
        for c in used:
            if c in columns_base:
                vf = cset.value_function(c, spec.sector)
            else:
                vf = next(r.value_function for r in layer_crit if r.criterion_id == c)
            if vf.kind != "linear":
                vfs[c] = vf
    ucols = [columns.index(c) for c in used]
    transform = scoring.Transform(
        tuple(vfs.get(c) for c in columns), tuple(objectives[c] for c in columns)
    )
    rules = cset.sector(spec.sector).rules_in_force(spec.exclusion_rules)
    excl = tuple((columns.index(r.criterion), r.max, r.min) for r in rules)
    reasons = [OUTSIDE + f" ({', '.join(served)})"]
    for r in rules:
        crit = cset.criterion(r.criterion)
        bound = f"above {r.max:g}" if math.isfinite(r.max) else ""
        bound += (" or " if bound and math.isfinite(r.min) else "") + (
            f"below {r.min:g}" if math.isfinite(r.min) else ""
        )
        reasons.append(f"{crit.label} {bound} {crit.unit}: {r.why}")
    reasons += [f"layer {r.layer.name}: {r.reason}" for r in layer_excl]
    job_full = Job(frame, model, excl, layer_excl, transform)

    # candidates: the same raw columns (layers sampled at their points), same exclusions
    cand_sites = catalog.sites.loc[cand_ids]
    C = np.full((len(cand_ids), len(columns)), np.nan)
    if cand_ids:
        C[:, : len(columns_base)] = tab.values.loc[cand_ids, columns_base].to_numpy(dtype=float)
        pts = cand_sites.geometry.to_crs(4326)
        clon, clat = pts.x.to_numpy(dtype=float), pts.y.to_numpy(dtype=float)
        for rule, col in zip(model.layers, model.layer_columns, strict=True):
            C[:, col] = rule.layer.sample(clon, clat)
    cand_reason = [""] * len(cand_ids)
    for i in range(len(cand_ids)):
        for k, (col, hi, lo) in enumerate(excl):
            v = C[i, col]
            if not np.isnan(v) and (v > hi or v < lo):
                cand_reason[i] = reasons[1 + k]
                break
        if not cand_reason[i]:
            for k, rule in enumerate(layer_excl):
                if rule.excludes(rule.layer.sample(clon[i : i + 1], clat[i : i + 1]))[0]:
                    cand_reason[i] = reasons[1 + len(excl) + k]
                    break
    cand_kept = np.array([not r for r in cand_reason], dtype=bool)

    # pass 1: statistics
    jd = dask.delayed(job_full, pure=True, traverse=False)
    outs = runner.run([dask.delayed(_pass_stats)(jd, a, b, None) for a, b in bands], 0.2, 0.55)
    counts = np.sum([o[1] for o in outs], axis=0)
    stats_all = scoring.Stats.merge(
        [o[0] for o in outs] + [scoring.Stats.of(C[cand_kept], job_full.transform(C[cand_kept]))],
        len(columns),
    )
    stats = _select(stats_all, ucols)
    policy = scoring.resolve_policy(
        stats, spec.missing, used, [objectives[c] for c in used], lambda c: labels.get(c, c)
    )
    pol_full = replace(
        policy,
        keep=tuple(ucols[j] for j in policy.keep),
        fill=_spread(policy.fill, ucols, len(columns)),
    )
    if policy.drop_rows:
        outs = runner.run(
            [dask.delayed(_pass_stats)(jd, a, b, pol_full) for a, b in bands], 0.55, 0.7
        )
        complete = C[cand_kept]
        complete = complete[~np.isnan(complete[:, list(pol_full.keep)]).any(axis=1)]
        stats_all = scoring.Stats.merge(
            [o[0] for o in outs] + [scoring.Stats.of(complete, job_full.transform(complete))],
            len(columns),
        )
        if stats_all.rows == 0:
            raise SiteSelectError("missing: 'drop_site' left no cell or candidate to rank")
    ms = scoring.matrix_stats(stats_all, pol_full, job_full.transform)
    final = [columns[j] for j in pol_full.keep]
    sense = np.array([1.0 if objectives[c] == "max" else -1.0 for c in final])
    w = validate_problem(
        pd.DataFrame(np.zeros((1, len(final))), columns=final),
        {c: objectives[c] for c in final},
        {c: float(eff[c]) for c in final},
    ).w
    params = check_params(mspec, dict(spec.method_params), final)
    scoring.check_positive(method, params, ms, final)
    n_alt = ms.rows
    if method not in scoring.BLOCKWISE:
        limit = mspec.max_alternatives
        if limit is not None and n_alt > limit:
            raise SiteSelectError(
                f"method: {mspec.label} compares every pair of alternatives; {n_alt:,} cells "
                f"and candidates exceed its limit of {limit:,}. Use wsm, wpm, topsis or "
                "vikor, larger cells or a smaller area"
            )

    # pass 2: scores
    if method in scoring.BLOCKWISE:
        depth = 2 if method == "vikor" else 1
        lazy = da.concatenate(
            [
                da.from_delayed(
                    dask.delayed(_pass_scores)(jd, a, b, pol_full, ms, method, params, sense, w),
                    shape=(depth, b - a, frame.n_cols),
                    dtype=float,
                )
                for a, b in bands
            ],
            axis=1,
        )  # the (depth × rows × cols) score raster, one chunk per band
        blocks = runner.run(
            list(lazy.to_delayed().ravel()), 0.7 if policy.drop_rows else 0.55, 0.95
        )
        raster = np.concatenate(blocks, axis=1)
        CM, crow = scoring.final_matrix(C[cand_kept], pol_full, job_full.transform)
        cstate = scoring.method_state(method, CM, sense, ms, params) if len(CM) else None
        cs = (
            np.atleast_2d(scoring.block_scores(mspec, cstate, w))
            if cstate is not None
            else np.zeros((raster.shape[0], 0))
        )
        scale = None
        whole = None
        if method == "vikor":
            S_all = np.concatenate([raster[0][~np.isnan(raster[0])], cs[0]])
            R_all = np.concatenate([raster[1][~np.isnan(raster[1])], cs[1]])
            scale = scoring.VikorScale(
                float(S_all.min()),
                float(S_all.max()),
                float(R_all.min()),
                float(R_all.max()),
                float(params["v"]),
            )
            scores = 1.0 - scale.q(raster[0], raster[1])
            cand_scores = 1.0 - scale.q(cs[0], cs[1])
        else:
            scores, cand_scores = raster[0], cs[0]
    else:
        scale = None
        scores, cand_scores, crow, whole = _whole(
            runner,
            jd,
            bands,
            frame,
            C[cand_kept],
            pol_full,
            job_full.transform,
            final,
            objectives,
            eff,
            method,
            params,
        )
    if progress_done := runner.progress:
        progress_done(1.0)

    # candidates on the same scale
    cand_score_full = np.full(len(cand_ids), np.nan)
    kept_idx = np.flatnonzero(cand_kept)
    cand_score_full[kept_idx[crow]] = cand_scores
    all_scores = np.concatenate(
        [scores[~np.isnan(scores)], cand_score_full[~np.isnan(cand_score_full)]]
    )
    distinct = np.unique(np.round(all_scores, 12))

    def rank_of(s: np.ndarray) -> np.ndarray:
        r = np.round(s, 12)
        return (len(distinct) - np.searchsorted(distinct, r, side="left")).astype(np.int64)

    best = float(np.nanmax(cand_score_full)) if np.isfinite(cand_score_full).any() else math.nan
    candidates = pd.DataFrame(
        {
            "name": cand_sites["name"].to_numpy(),
            "country": cand_sites["country"].to_numpy(),
            "region": cand_sites["region"].to_numpy(),
            "score": cand_score_full,
            "rank": pd.array([pd.NA] * len(cand_ids), dtype="Int64"),
            "excluded": cand_reason,
        },
        index=pd.Index(cand_ids, name="site_id"),
    )
    ok = ~np.isnan(cand_score_full)
    if ok.any():
        candidates.loc[ok, "rank"] = rank_of(cand_score_full[ok])
    candidates = candidates.sort_values("score", ascending=False, na_position="last")

    top = results.top_cells(
        spec,
        frame,
        scores,
        job_full.model,
        job_full.transform,
        pol_full,
        final,
        ms,
        method,
        params,
        sense,
        w,
        scale,
        mspec,
        labels,
        columns,
        best,
        rank_of,
        whole,
    )
    areas = results.areas(spec, frame, scores, best) if spec.min_area_cells else None
    n_excluded = {reasons[i - 1]: int(counts[i]) for i in range(1, len(counts)) if counts[i]}
    notes = results.notes(
        spec, policy, weight_notes, evidence, tab, n_cells, runner.scheduler, best, method
    )
    info = GridInfo(
        EQUAL_AREA,
        frame.col0 * frame.cell_m,
        (frame.row0 + 1) * frame.cell_m,
        frame.cell_m,
        frame.n_rows,
        frame.n_cols,
        frame.col0,
        frame.row0,
    )
    return ScreenResult(
        spec=spec,
        method=method,
        n_cells=n_cells,
        n_excluded=n_excluded,
        top=top,
        areas=areas,
        candidates=candidates,
        grid=info,
        scores=scores,
        notes=notes,
        weights={c: float(w[i]) for i, c in enumerate(final)},
        layers={r.layer.name: dict(r.layer.provenance) for r in spec.rules},
    )


def _select(stats: scoring.Stats, cols: Sequence[int]) -> scoring.Stats:
    c = list(cols)
    return scoring.Stats(
        stats.rows,
        *(getattr(stats, f)[c] for f in scoring.Stats.__dataclass_fields__ if f != "rows"),
    )


def _spread(values: np.ndarray, cols: Sequence[int], k: int) -> np.ndarray:
    out = np.full(k, np.nan)
    out[list(cols)] = values
    return out


def _whole(
    runner: _Runner,
    jd: Any,
    bands: Sequence[tuple[int, int]],
    frame: Frame,
    C: np.ndarray,
    policy: scoring.Policy,
    transform: scoring.Transform,
    final: Sequence[str],
    objectives: Mapping[str, str],
    eff: pd.Series,
    method: str,
    params: Mapping[str, Any],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[Any, dict[int, int]]]:
    """A pairwise method on the whole matrix (cells plus candidates, within its limit);
    also its explanation and, per raster cell (flat index), the row explaining it."""
    outs = runner.run([dask.delayed(_band_raw)(jd, a, b) for a, b in bands], 0.55, 0.9)
    blocks, where = [], []
    for band, X, code in outs:
        kept = np.flatnonzero(code == 0)
        M, rows = scoring.final_matrix(X[kept], policy, transform)
        blocks.append(M)
        where.append((band["r"][kept[rows]], band["c"][kept[rows]]))
    CM, crow = scoring.final_matrix(C, policy, transform)
    M = np.vstack([*blocks, CM])
    problem = validate_problem(
        pd.DataFrame(M, columns=list(final)),
        {c: objectives[c] for c in final},
        {c: float(eff[c]) for c in final},
    )
    spec = METHODS[method]
    state = prepare_state(problem, spec, dict(params))
    s = spec.scores(state, problem.w[None, :])[0]
    expl = spec.explain(state, problem.w, pd.RangeIndex(len(M)), pd.Index(list(final)))
    scores = np.full((frame.n_rows, frame.n_cols), np.nan)
    at = 0
    pos: dict[int, int] = {}
    for (r, c), blk in zip(where, blocks, strict=True):
        scores[r, c] = s[at : at + len(blk)]
        pos.update(zip((r * frame.n_cols + c).tolist(), range(at, at + len(blk)), strict=True))
        at += len(blk)
    return scores, s[at:], np.flatnonzero(crow), (expl, pos)
