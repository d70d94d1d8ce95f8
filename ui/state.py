"""The UI state shared between pages: one typed view over ``st.session_state``.

Each attribute of :class:`Session` is one key of ``st.session_state`` (the same key the
widget bound to it uses), read and written with its type. Weight sliders have one key per
group or criterion (:func:`slider_key`); their values are shares in % (groups of the
score, criteria of their group), each level summing to 100 (``siteselect.views``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar, cast, overload

import streamlit as st

from siteselect import panel, views
from siteselect.criteria import CriteriaSet

T = TypeVar("T")


class Key(Generic[T]):
    """A typed ``st.session_state`` entry; reading an unset key gives ``default``."""

    def __init__(self, default: T) -> None:
        self.default = default
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type) -> Key[T]: ...
    @overload
    def __get__(self, obj: object, owner: type) -> T: ...
    def __get__(self, obj: object | None, owner: type) -> Key[T] | T:
        if obj is None:
            return self
        return cast(T, st.session_state.get(self.name, self.default))

    def __set__(self, obj: object, value: T) -> None:
        st.session_state[self.name] = value

    def __delete__(self, obj: object) -> None:
        st.session_state.pop(self.name, None)


class Session:
    """What the pages share: sidebar choices, the selected site, elicitation, robustness."""

    initialised = Key(False)
    sector = Key("")
    profile = Key("")
    method = Key("")
    missing = Key("")
    link_warnings: Key[list[str]] = Key([])
    selected: Key[str | None] = Key(None)
    # the key under which the browser keeps the map's centre and zoom (a new key opens
    # the map at its bounds), and the last map click handled
    map_view: Key[str | None] = Key(None)
    map_click: Key[tuple[str | None, str] | None] = Key(None)
    # how often the selection has changed while the map was drawn, and the last selection
    map_selection: Key[tuple[int, str | None]] = Key((0, None))
    compare: Key[list[str]] = Key([])
    # the site and compared sites a shared link asked for, checked once sites are ranked
    link_sites: Key[tuple[str | None, list[str]] | None] = Key(None)
    # the (sector, profile) the weight sliders were last set for, and a change of either
    # waiting for the user to keep or discard custom weights: (widget key, new value)
    basis: Key[tuple[str, str] | None] = Key(None)
    pending: Key[tuple[str, str] | None] = Key(None)
    # values the user entered for their uploaded sites: site id → criterion id →
    # (value, who, when as ISO 8601 UTC)
    assumptions: Key[dict[str, dict[str, tuple[float, str, str]]]] = Key({})
    elicitation: Key[dict[str, Any] | None] = Key(None)
    scenario_upload: Key[tuple[str, bytes] | None] = Key(None)
    # the file a link's up= reference opened from the store, and the last file kept for
    # links: (file digest and values, reference or None, why or why not)
    link_upload: Key[tuple[str, bytes] | None] = Key(None)
    upload_kept: Key[tuple[str, str | None, str] | None] = Key(None)
    scenario_message: Key[tuple[str, str] | None] = Key(None)
    # (state key, summary) of the last robustness analysis, for the map and the record
    robustness: Key[tuple[str, Any] | None] = Key(None)
    # (run key, summary) of the Robustness page's own last run
    robustness_run: Key[tuple[str, Any] | None] = Key(None)

    def weight(self, cset: CriteriaSet, weight_id: str) -> float:
        return float(st.session_state[slider_key(cset, weight_id)])

    def set_weight(self, cset: CriteriaSet, weight_id: str, value: float) -> None:
        st.session_state[slider_key(cset, weight_id)] = float(value)

    def sliders(self, cset: CriteriaSet) -> dict[str, float]:
        return {w: self.weight(cset, w) for w in [*(g.id for g in cset.groups), *cset.ids]}


session = Session()


def slider_key(cset: CriteriaSet, weight_id: str) -> str:
    """The widget key of the slider for a group or criterion weight."""
    return f"wg_{weight_id}" if weight_id in {g.id for g in cset.groups} else f"wc_{weight_id}"


def reset_weights(cset: CriteriaSet) -> None:
    """Put every weight slider back to the preset of the chosen profile and sector."""
    set_shares(cset, views.preset_sliders(cset, session.profile, session.sector))
    del session.elicitation


def set_shares(cset: CriteriaSet, shares: Mapping[str, float]) -> None:
    """Set the weight sliders to ``shares`` (%) and remember what they were set for."""
    for weight_id, value in shares.items():
        session.set_weight(cset, weight_id, value)
    session.basis = (session.sector, session.profile)


def rebalance(cset: CriteriaSet, weight_id: str) -> None:
    """After the slider of ``weight_id`` moved: rescale the others of its level to 100 %."""
    members = views.level_of(cset, weight_id)
    shares = {m: session.weight(cset, m) for m in members}
    for key, value in views.rebalance(shares, weight_id, members).items():
        session.set_weight(cset, key, value)


def custom_weights(cset: CriteriaSet) -> bool:
    """Whether the sliders differ from the preset they were set for."""
    sector, profile = session.basis or (session.sector, session.profile)
    return bool(views.weight_overrides(cset, profile, sector, session.sliders(cset)))


def model_changed(cset: CriteriaSet, key: str) -> None:
    """Sector or profile widget ``key`` changed: apply the preset, or ask first.

    With custom weights the widget goes back to the value the weights were set for and
    the change waits in :attr:`Session.pending` for :func:`resolve_pending`.
    """
    new = str(st.session_state[key])
    basis = session.basis or (session.sector, session.profile)
    if custom_weights(cset):
        st.session_state[key] = basis[0] if key == "sector" else basis[1]
        session.pending = (key, new)
        return
    del session.pending
    reset_weights(cset)


def resolve_pending(cset: CriteriaSet, keep: bool | None) -> None:
    """Apply the waiting sector/profile change keeping (True) or discarding (False) the
    custom weights, or cancel it (None)."""
    pending = session.pending
    del session.pending
    if pending is None or keep is None:
        return
    st.session_state[pending[0]] = pending[1]
    if keep:
        session.basis = (session.sector, session.profile)
    else:
        reset_weights(cset)


def apply_overrides(
    cset: CriteriaSet, overrides: Mapping[str, float], elicitation: dict[str, Any] | None
) -> None:
    """Sliders that give the weights of the preset with ``overrides`` (any scale: a link,
    a scenario, a panel), with ``elicitation`` recorded."""
    shares = views.shares_from_overrides(cset, session.profile, session.sector, overrides)
    set_shares(cset, shares)
    del session.elicitation
    if elicitation is not None:
        session.elicitation = elicitation


def apply_effective(cset: CriteriaSet, effective: Mapping[str, float]) -> None:
    """Sliders that give the effective (criterion) weights ``effective``."""
    current = session.sliders(cset)
    groups, criteria = views.sliders_from_effective(cset, dict(effective), fallback=current)
    set_shares(cset, {**groups, **criteria})
    del session.elicitation


def store_judgements(cset: CriteriaSet, people: Sequence[panel.Stakeholder]) -> None:
    """Set the Stakeholders page's widgets to ``people``'s names, profiles and judgements."""
    order = {g.id: k for k, g in enumerate(cset.groups)} | {c: k for k, c in enumerate(cset.ids)}
    st.session_state.n_stakeholders = len(people)
    for i, person in enumerate(people):
        st.session_state[f"sh_name_{i}"] = person.name
        st.session_state[f"sh_profile_{i}"] = person.profile
        st.session_state[f"sh_inside_{i}"] = list(person.criterion_judgements)
        pairs = [*person.group_judgements.items()]
        for judged in person.criterion_judgements.values():
            pairs += judged.items()
        for (a, b), value in pairs:
            if order[a] > order[b]:
                a, b, value = b, a, 1.0 / value
            st.session_state[judgement_key(i, a, b)] = panel.judgement_position(value)


def judgement_key(person: int, a: str, b: str) -> str:
    """The widget key of stakeholder ``person``'s judgement of ``a`` against ``b``."""
    return f"sh_{person}_{a}_{b}"
