"""The editable table of the user's own sites: values entered become user assumptions."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import streamlit as st

from siteselect import views
from ui import auth
from ui.context import Run
from ui.state import session


def editor(run: Run) -> None:
    """An editable table (uploaded sites × criteria) of the values the ranking uses.

    An edited cell is stored as a user assumption (who, when) and the ranking reruns; a
    cleared cell removes the assumption. Bundled sites are not editable here.
    """
    labels = run.labels
    values = run.table.values.loc[run.user_ids, run.cset.ids]
    frame = values.rename(columns=labels)
    frame.insert(0, "site", run.catalog.sites.loc[run.user_ids, "name"].astype(str))
    st.caption(
        "Enter a value where your file has none (or correct one). What you enter is "
        "recorded as a **user assumption** with your name and the time, shown as such in "
        "the comparison and the decision record, and never mixed with the sourced data. "
        "Clear a cell to remove your value. Units: "
        + views.md_escape("; ".join(f"{c.label}: {c.unit}" for c in run.cset.criteria))
    )
    edited = st.data_editor(
        frame,
        key="assumption_editor",
        width="stretch",
        disabled=["site"],
        column_config={
            "site": st.column_config.TextColumn("site"),
            **{
                labels[c]: st.column_config.NumberColumn(labels[c], format="%.4g")
                for c in run.cset.ids
            },
        },
    )
    mine = {sid: dict(v) for sid, v in session.assumptions.items()}
    who = _who()
    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    changed = False
    for sid in run.user_ids:
        for crit in run.cset.ids:
            old = values.at[sid, crit]
            new = edited.at[sid, labels[crit]]
            if _same(old, new):
                continue
            changed = True
            if pd.isna(new):
                mine.get(sid, {}).pop(crit, None)
            else:
                mine.setdefault(sid, {})[crit] = (float(new), who, when)
    if changed:
        session.assumptions = {sid: v for sid, v in mine.items() if v}
        st.rerun()
    entered = [
        {
            "site": run.catalog.sites.at[sid, "name"],
            "criterion": labels.get(crit, crit),
            "value": value,
            "entered by": by,
            "when (UTC)": at.replace("T", " ").removesuffix("+00:00"),
        }
        for sid, per in session.assumptions.items()
        if sid in run.user_ids
        for crit, (value, by, at) in per.items()
    ]
    if entered:
        st.markdown("**Your assumptions in use**")
        st.dataframe(pd.DataFrame(entered), hide_index=True, width="stretch")


def _who() -> str:
    """Who enters a value: the signed-in user, else the single user of the app."""
    if auth.mode() == "oidc" and st.user.is_logged_in:
        return str(st.user.get("email") or st.user.get("sub"))
    if auth.mode() == "local" and st.session_state.get("auth_user"):
        return str(st.session_state["auth_user"])
    return "the app's user (sign-in off)"


def _same(a: object, b: object) -> bool:
    na, nb = pd.isna(a), pd.isna(b)
    if na or nb:
        return bool(na and nb)
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)  # type: ignore[arg-type]
