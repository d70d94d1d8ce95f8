"""The UI state shared between pages: one typed view over ``st.session_state``.

Each attribute of :class:`Session` is one key of ``st.session_state`` (the same key the
widget bound to it uses), read and written with its type. Weight sliders have one key per
group or criterion (:func:`slider_key`).
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
    elicitation: Key[dict[str, Any] | None] = Key(None)
    scenario_upload: Key[tuple[str, bytes] | None] = Key(None)
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
    for weight_id, value in views.preset_sliders(cset, session.profile, session.sector).items():
        session.set_weight(cset, weight_id, value)
    del session.elicitation


def apply_overrides(
    cset: CriteriaSet, overrides: Mapping[str, float], elicitation: dict[str, Any] | None
) -> None:
    """The preset, then ``overrides`` (slider values by group or criterion id)."""
    reset_weights(cset)
    for key, value in overrides.items():
        session.set_weight(cset, key, float(value))
    if elicitation is not None:
        session.elicitation = elicitation


def apply_effective(cset: CriteriaSet, effective: Mapping[str, float]) -> None:
    """Sliders that give the effective (criterion) weights ``effective``."""
    groups, criteria = views.sliders_from_effective(cset, dict(effective))
    apply_overrides(cset, {**groups, **criteria}, None)


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
