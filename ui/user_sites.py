"""The user's own sites: the sidebar upload, the file a link names, values they entered.

Which file is in use: the one in the upload widget, else the one a scenario brought, else
the one a link's ``up=`` reference opened from the store. A file in use is kept in the
store (once per workspace and content; evaluators and admins) so that the link of the view
names it; a viewer's upload stays in their session, and the sidebar says so.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from siteselect import views
from siteselect.catalog import Catalog
from siteselect.errors import SiteSelectError
from siteselect.uploads import Entry
from ui import auth, data
from ui.state import session


@dataclass(frozen=True)
class UserSites:
    """The catalog with the user's sites, their ids, the file and its link reference."""

    catalog: Catalog
    ids: list[str]
    file: tuple[str, bytes] | None
    ref: str | None


def upload_widget() -> tuple[tuple[str, bytes] | None, DeltaGenerator]:
    """The sidebar's upload control: the uploaded (file name, bytes), if any, and a place
    for the caption that says whether a link carries them."""
    st.subheader("Your own sites")
    upload = st.file_uploader(
        "Add candidate sites (CSV, GeoJSON or GeoPackage, ≤ 20 MB)",
        type=["csv", "geojson", "json", "gpkg"],
        help="CSV columns: name, lat, lon, country (ISO3); optional site_id, region, "
        "region_code, gateway_port (UN/LOCODE), airport (IATA) and any criterion id. "
        "The region is found from the coordinates when not given.",
    )
    file = (upload.name, upload.getvalue()) if upload is not None else None
    return file, st.container()


def open_link_upload(ref: str | None) -> None:
    """Open the uploaded sites a link names (once per session), or say why not."""
    if ref is None:
        return
    try:
        kept = auth.scoped(data.scenario_store()).site_file(ref)
        session.link_upload = (kept.filename, kept.content)
        values: dict[str, dict[str, tuple[float, str, str]]] = {}
        for sid, crit, value, who, when in kept.entries:
            values.setdefault(sid, {})[crit] = (value, who, when)
        session.assumptions = values
    except SiteSelectError as exc:
        session.link_warnings = [
            *session.link_warnings,
            f"the link's uploaded sites were not opened: {exc}",
        ]


def _keep(
    file: tuple[str, bytes], sha256: str, entries: tuple[Entry, ...]
) -> tuple[str | None, str]:
    """Keep ``file`` (of digest ``sha256``) and the values entered in the store for the
    link, once per session, content and values (no hashing or store call on a rerun)."""
    key = json.dumps([sha256, entries])
    kept = session.upload_kept
    if kept is not None and kept[0] == key:
        return kept[1], kept[2]
    try:
        store = auth.scoped(data.scenario_store())
        if store.allows("evaluator"):
            ref: str | None = store.keep_site_file(*file, entries)
            why = f"kept for members of workspace “{store.workspace}”"
        else:
            ref, why = None, f"you are a viewer in workspace “{store.workspace}”"
    except SiteSelectError as exc:
        ref, why = None, f"the store could not keep them ({exc})"
    session.upload_kept = (key, ref, why)
    return ref, why


def _drop() -> None:
    del session.scenario_upload
    del session.link_upload
    session.assumptions = {}


def user_sites(widget_file: tuple[str, bytes] | None, caption_at: DeltaGenerator) -> UserSites:
    """The bundled catalog with the file in use and the user's entered values applied."""
    catalog = data.bundled_catalog()
    file = widget_file or session.scenario_upload or session.link_upload
    ids: list[str] = []
    ref: str | None = None
    sha256 = ""
    if file is not None:
        try:
            name, body = file
            sha256 = hashlib.sha256(body).hexdigest()
            catalog = data.catalog_with_upload(name, sha256, body)
            ids = [s for s in catalog.sites.index if s not in data.bundled_catalog().sites.index]
        except SiteSelectError as exc:
            st.error(views.md_text(f"Your file was not added. {exc}"))
            file = None
    entries = tuple(
        (sid, crit, *entry)
        for sid, values in sorted(session.assumptions.items())
        if sid in ids
        for crit, entry in sorted(values.items())
    )
    if entries:
        try:
            catalog = data.catalog_with_assumptions(catalog, entries, catalog.version)
        except SiteSelectError as exc:
            st.error(views.md_text(f"Your values were not applied. {exc}"))
            entries = ()
    if file is not None:
        ref, why = _keep(file, sha256, entries)
        caption = (
            f"A link to this view reopens your sites and the values you entered ({why})."
            if ref
            else f"Your sites stay in this session and a link does not carry them: {why}. "
            "Save a scenario (Scenarios page) to keep or share them."
        )
    else:
        caption = (
            "Uploaded sites are kept in the store, so that a link to the view reopens them "
            "for members of your workspace."
        )
    caption_at.caption(views.md_text(caption))
    if file is not None and widget_file is None:
        came = "the scenario opened" if session.scenario_upload else "the link"
        caption_at.caption(views.md_text(f"In use: {file[0]}, from {came}."))
        caption_at.button("Remove these sites", key="drop_user_sites", on_click=_drop)
    return UserSites(catalog, ids, file, ref)
