"""The shareable view: what a link carries (sector, profile, method, policy, weights,
target markets, headcount, exclusion rules, selected and compared sites, and a reference
to the uploaded sites a store keeps), encoded as query parameters and decoded with every
part validated (a bad part is ignored with a warning, never an error).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from siteselect.criteria import CriteriaSet
from siteselect.errors import SiteSelectError
from siteselect.markets import default_markets, parse_market_shares
from siteselect.methods import METHODS
from siteselect.ranking import DEFAULTS
from siteselect.table import POLICIES


@dataclass(frozen=True)
class ViewState:
    """What a shared URL carries: sector, profile, method, policy, weight overrides, target
    markets (shares; empty = the default, US only) and the plant's headcount (None = the
    reference project's)."""

    sector: str = DEFAULTS["sector"]
    profile: str = DEFAULTS["profile"]
    method: str = DEFAULTS["method"]
    missing: str = DEFAULTS["missing"]
    weights: Mapping[str, float] = field(default_factory=dict)
    markets: Mapping[str, float] = field(default_factory=dict)
    headcount: float | None = None
    #: sector exclusion rules switched away from their default (rule id -> on/off)
    exclusion_rules: Mapping[str, bool] = field(default_factory=dict)


def rule_overrides(cset: CriteriaSet, sector: str, chosen: Mapping[str, bool]) -> dict[str, bool]:
    """The rules of ``sector`` whose chosen state differs from their default (what a view
    and its link carry); unknown rule ids are dropped.

    >>> from siteselect.ranking import default_criteria
    >>> rule_overrides(default_criteria(), "semiconductor_fab", {"water_stress": True})
    {'water_stress': True}
    >>> rule_overrides(default_criteria(), "semiconductor_fab", {"water_stress": False})
    {}
    """
    rules = {r.rule_id: r.default for r in cset.sector(sector).exclusions}
    return {k: bool(v) for k, v in chosen.items() if k in rules and bool(v) != rules[k]}


def encode_view(state: ViewState) -> dict[str, str]:
    """Query parameters for a view (weights as ``id:value`` pairs, sorted).

    >>> encode_view(ViewState(weights={"logistics": 3, "proximity": 0.5}))["w"]
    'logistics:3,proximity:0.5'
    >>> encode_view(ViewState(markets={"US": 0.7, "ASEAN": 0.3}, headcount=1500))["m"]
    'ASEAN:0.3,US:0.7'
    """
    params = {
        "sector": state.sector,
        "profile": state.profile,
        "method": state.method,
        "missing": state.missing,
    }
    if state.weights:
        params["w"] = ",".join(f"{k}:{v:g}" for k, v in sorted(state.weights.items()))
    if state.markets:
        params["m"] = ",".join(f"{k}:{v:g}" for k, v in sorted(state.markets.items()))
    if state.headcount is not None:
        params["hc"] = f"{state.headcount:g}"
    if state.exclusion_rules:
        params["ex"] = ",".join(f"{k}:{int(v)}" for k, v in sorted(state.exclusion_rules.items()))
    return params


def _pairs(
    text: str | None,
    accept: Callable[[str, float], bool],
    reject: Callable[[str], None],
) -> dict[str, float]:
    """``key:number`` parts of a comma-separated link value; a part that is not a finite
    number or that ``accept`` refuses goes to ``reject`` (a warning), never an error."""
    out: dict[str, float] = {}
    for part in filter(None, (text or "").split(",")):
        key, _, raw = part.partition(":")
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if math.isfinite(value) and accept(key, value):
            out[key] = value
        else:
            reject(part)
    return out


def decode_view(params: Mapping[str, str], cset: CriteriaSet) -> tuple[ViewState, list[str]]:
    """A view from query parameters; invalid parts fall back to defaults, with warnings."""
    warnings: list[str] = []

    def pick(key: str, valid: Sequence[str]) -> str:
        value = params.get(key)
        if value is None:
            return DEFAULTS[key]
        if value not in valid:
            warnings.append(
                f"ignored {key}={value!r} from the link (not one of {', '.join(valid)})"
            )
            return DEFAULTS[key]
        return value

    valid_keys = {g.id for g in cset.groups} | set(cset.ids)
    weights = _pairs(
        params.get("w"),
        lambda key, value: key in valid_keys and value >= 0,
        lambda part: warnings.append(f"ignored weight {part!r} from the link"),
    )
    valid_markets = default_markets().ids
    shares = _pairs(
        params.get("m"),
        lambda key, value: key in valid_markets and value > 0,
        lambda part: warnings.append(
            f"ignored market {part!r} from the link (markets: {', '.join(valid_markets)})"
        ),
    )
    markets = parse_market_shares(shares) if shares else {}
    headcount = None
    if params.get("hc"):
        try:
            headcount = float(params["hc"])
        except ValueError:
            headcount = math.nan
        if not math.isfinite(headcount) or not 0 < headcount <= 1_000_000:
            warnings.append(f"ignored headcount {params['hc']!r} from the link")
            headcount = None
    sector = pick("sector", [s.id for s in cset.sectors])
    profile = pick("profile", [p.id for p in cset.profiles])
    if weights:
        try:
            cset.weights(profile, sector, weights)
        except SiteSelectError as exc:
            warnings.append(f"ignored the link's weights ({exc})")
            weights = {}
    rules: dict[str, bool] = {}
    known_rules = {r.rule_id for r in cset.sector(sector).exclusions}
    for part in filter(None, (params.get("ex") or "").split(",")):
        key, _, raw = part.partition(":")
        if key not in known_rules or raw not in ("0", "1"):
            warnings.append(
                f"ignored exclusion rule {part[:60]!r} from the link (rules of this sector: "
                f"{', '.join(sorted(known_rules)) or 'none'})"
            )
            continue
        rules[key] = raw == "1"
    state = ViewState(
        sector=sector,
        profile=profile,
        method=pick("method", list(METHODS)),
        missing=pick("missing", list(POLICIES)),
        weights=weights,
        markets=markets,
        headcount=headcount,
        exclusion_rules=rule_overrides(cset, sector, rules),
    )
    return state, warnings


#: query parameters of a shared link besides the model's (Streamlit's own are let through)
LINK_KEYS = (
    *("sector", "profile", "method", "missing", "w", "m", "hc", "ex", "site", "cmp", "up"),
)
UPLOAD_REF_CHARS = 16
"""Hex digits of an uploaded file's SHA-256 that a link carries (``up=``); the store
(:mod:`siteselect.store.site_files`) keeps the file per workspace under that reference."""
UPLOAD_REF = re.compile(rf"[0-9a-f]{{{UPLOAD_REF_CHARS}}}")
STREAMLIT_KEYS = ("embed", "embed_options")
MAX_COMPARE = 3
MAX_PARAM_CHARS = 4000


@dataclass(frozen=True)
class SharedView:
    """Everything a shared link reopens: the model (:class:`ViewState`), the selected
    site, the sites compared and the reference of the uploaded sites (``uploads``; the
    store keeps the file). The page is the link's path (``/why``, ``/compare``…)."""

    state: ViewState = field(default_factory=ViewState)
    site: str | None = None
    compare: tuple[str, ...] = ()
    uploads: str | None = None


def encode_link(view: SharedView) -> dict[str, str]:
    """Query parameters for a shared view (:func:`encode_view` plus site and comparison).

    >>> encode_link(SharedView(site="PH-CLARK", compare=("PH-CLARK", "US-AZ-NPHX")))["cmp"]
    'PH-CLARK,US-AZ-NPHX'
    """
    params = encode_view(view.state)
    if view.site:
        params["site"] = view.site
    if view.compare:
        params["cmp"] = ",".join(view.compare)
    if view.uploads:
        params["up"] = view.uploads
    return params


def decode_link(params: Mapping[str, str], cset: CriteriaSet) -> tuple[SharedView, list[str]]:
    """A shared view from query parameters; every bad part is ignored with a warning.

    Site ids are checked for form here and against the sites ranked by
    :func:`check_link_sites` (uploaded sites are only known once read).
    """
    from siteselect.catalog import USER_SITE_ID

    warnings: list[str] = []
    clean: dict[str, str] = {}
    for key, value in params.items():
        if key in STREAMLIT_KEYS:
            continue
        if key not in LINK_KEYS:
            warnings.append(f"ignored unknown parameter {str(key)[:40]!r} in the link")
            continue
        text = str(value)
        if len(text) > MAX_PARAM_CHARS:
            warnings.append(
                f"ignored {key} from the link (longer than {MAX_PARAM_CHARS} characters)"
            )
            continue
        clean[key] = text
    state, more = decode_view(clean, cset)
    warnings += more
    site = clean.get("site") or None
    if site is not None and not USER_SITE_ID.match(site):
        warnings.append(f"ignored site={site[:40]!r} from the link (not a site id)")
        site = None
    compare: list[str] = []
    for part in filter(None, (clean.get("cmp") or "").split(",")):
        if not USER_SITE_ID.match(part):
            warnings.append(f"ignored {part[:40]!r} in the compared sites (not a site id)")
        elif part not in compare:
            compare.append(part)
    if len(compare) > MAX_COMPARE:
        warnings.append(
            f"the link compares {len(compare)} sites; the first {MAX_COMPARE} are kept"
        )
        compare = compare[:MAX_COMPARE]
    uploads = clean.get("up") or None
    if uploads is not None and not UPLOAD_REF.fullmatch(uploads):
        warnings.append(
            f"ignored up={uploads[:40]!r} from the link (not a reference to uploaded sites)"
        )
        uploads = None
    return SharedView(state, site, tuple(compare), uploads), warnings


def check_link_sites(
    view: SharedView, ranked: Sequence[str], names: Mapping[str, str] | None = None
) -> tuple[SharedView, list[str]]:
    """``view`` with the site and compared sites that are not ranked removed, and why.

    >>> checked, why = check_link_sites(SharedView(site="X", compare=("A", "X")), ["A", "B"])
    >>> checked.site, checked.compare, why[0]
    (None, ('A',), "the link's site 'X' is not among the ranked sites")
    """
    valid = set(ranked)
    warnings = []
    site = view.site
    if site is not None and site not in valid:
        warnings.append(f"the link's site {site!r} is not among the ranked sites")
        site = None
    compare = []
    for sid in view.compare:
        if sid in valid:
            compare.append(sid)
        else:
            warnings.append(f"the link's compared site {sid!r} is not among the ranked sites")
    return SharedView(view.state, site, tuple(compare), view.uploads), warnings
