"""Uploaded site files kept per workspace, so that a link to a view can name them.

A user's uploaded sites, and the values they entered for them (user assumptions), live in
their session. For a link to reopen the same view (issue: "the URL carries … a reference
to uploaded sites where a store is configured"), the store keeps each uploaded file with
those values once per workspace and digest; the link carries the first
:data:`REF_CHARS` hex digits of the SHA-256 (``up=``). Only members of the workspace can
open it by that reference: another workspace's member gets "no such file", never the
bytes, whatever reference they try. The bytes are stored as base64 text (as scenario
uploads are) and parsed again, by the parser of their declared format, when opened; the
values are applied again through :func:`siteselect.uploads.with_user_assumptions`, which
checks each of them.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from siteselect.errors import SiteSelectError
from siteselect.links import UPLOAD_REF, UPLOAD_REF_CHARS
from siteselect.scenario import MAX_FILENAME, MAX_JSON_CHARS, MAX_UPLOAD_BYTES, now_utc
from siteselect.schema import SITE_FILES
from siteselect.store.scenarios import ScenarioRecords
from siteselect.uploads import Entry

REF_CHARS = UPLOAD_REF_CHARS
"""Hex digits of the SHA-256 a link carries (64 bits: within one workspace, a clash of
two different files is beyond any realistic number of uploads)."""
MAX_SITE_FILES = 1000
"""Files one workspace keeps for links; beyond it a new upload stays in its session (the
store never drops a kept file to make room: a link someone sent must keep working)."""


@dataclass(frozen=True)
class KeptSites:
    """An uploaded file as kept: its name, bytes and the values entered for its sites."""

    filename: str
    content: bytes
    entries: tuple[Entry, ...] = ()


def _entries_json(entries: Sequence[Entry]) -> str:
    return json.dumps(
        sorted([list(e) for e in entries]), ensure_ascii=False, allow_nan=False, sort_keys=True
    )


def _sha256(content: bytes, entries_json: str) -> str:
    """The digest of a kept record: of the bytes alone when no value was entered."""
    digest = hashlib.sha256(content)
    if entries_json != "[]":
        digest.update(b"\0" + entries_json.encode("utf-8"))
    return digest.hexdigest()


def site_file_ref(content: bytes, entries: Sequence[Entry] = ()) -> str:
    """The reference a link carries for ``content`` with the values ``entries``.

    >>> site_file_ref(b"name,lat,lon,country\\n")
    '9b7d5be808877e2e'
    """
    return _sha256(content, _entries_json(entries))[:REF_CHARS]


def _checked_entries(entries: Sequence[Any]) -> tuple[Entry, ...]:
    """The entries' shape (the values are checked where they are applied)."""
    out = []
    for i, entry in enumerate(entries):
        if (
            not isinstance(entry, list | tuple)
            or len(entry) != 5
            or not all(isinstance(entry[k], str) for k in (0, 1, 3, 4))
            or isinstance(entry[2], bool)
            or not isinstance(entry[2], int | float)
        ):
            raise SiteSelectError(
                f"entered value {i + 1} must be (site id, criterion id, number, who, when); "
                f"got {str(entry)[:80]!r}"
            )
        out.append((entry[0], entry[1], float(entry[2]), entry[3], entry[4]))
    return tuple(out)


class SiteFileRecords(ScenarioRecords):
    """Keep and open uploaded site files by reference (see the module)."""

    def keep_site_file(self, filename: str, content: bytes, entries: Sequence[Entry] = ()) -> str:
        """Keep ``content`` and the values ``entries`` (once per workspace and digest) and
        return the reference.

        Needs the evaluator role (keeping is a write); a viewer's uploads stay in their
        session only.
        """
        self._require("evaluator", "keeping an uploaded file for a link")
        if not isinstance(content, bytes):
            raise SiteSelectError(f"file content must be bytes; got {type(content).__name__}")
        if len(content) > MAX_UPLOAD_BYTES:
            raise SiteSelectError(
                f"{filename!r} holds {len(content)} bytes; at most {MAX_UPLOAD_BYTES} are kept"
            )
        checked = _checked_entries(entries)
        try:
            text = _entries_json(checked)
        except ValueError as exc:  # NaN or infinity
            raise SiteSelectError(f"entered values must be finite numbers ({exc})") from exc
        if len(text) > MAX_JSON_CHARS:
            raise SiteSelectError(f"too many entered values ({len(checked)}) to keep")
        digest = _sha256(content, text)
        with self._writing() as conn:
            found = conn.execute(
                sa.select(SITE_FILES.c.id).where(
                    SITE_FILES.c.workspace == self.workspace,
                    SITE_FILES.c.sha256 == digest,
                )
            ).first()
            if found is None:
                kept = conn.execute(
                    sa.select(sa.func.count())
                    .select_from(SITE_FILES)
                    .where(SITE_FILES.c.workspace == self.workspace)
                ).scalar_one()
                if kept >= MAX_SITE_FILES:
                    raise SiteSelectError(
                        f"workspace {self.workspace!r} already keeps {kept} uploaded files for "
                        f"links (at most {MAX_SITE_FILES}); save a scenario to keep these sites"
                    )
                conn.execute(
                    sa.insert(SITE_FILES).values(
                        workspace=self.workspace,
                        sha256=digest,
                        filename=str(filename)[:MAX_FILENAME],
                        content=base64.b64encode(content).decode("ascii"),
                        entries=text,
                        created_by=self.user,
                        created_at=now_utc(),
                    )
                )
        return digest[:REF_CHARS]

    def site_file(self, ref: str) -> KeptSites:
        """The file and values this workspace kept under ``ref``.

        Raises
        ------
        SiteSelectError
            If ``ref`` is not a reference (16 lowercase hex digits), this workspace keeps
            no such file (whether or not another workspace does), or the record is damaged.
        """
        if not isinstance(ref, str) or not UPLOAD_REF.fullmatch(ref):
            raise SiteSelectError(
                f"{str(ref)[:40]!r} is not a reference to uploaded sites ({REF_CHARS} hex digits)"
            )
        with self._reading() as conn:
            row = conn.execute(
                sa.select(SITE_FILES.c.filename, SITE_FILES.c.content, SITE_FILES.c.entries)
                .where(
                    SITE_FILES.c.workspace == self.workspace,
                    SITE_FILES.c.sha256.startswith(ref, autoescape=True),
                )
                .order_by(SITE_FILES.c.id)
            ).first()
        if row is None:
            raise SiteSelectError(
                f"workspace {self.workspace!r} keeps no uploaded sites with reference {ref}"
            )
        try:
            content = base64.b64decode(row.content, validate=True)
            entries = json.loads(row.entries)
            if not isinstance(entries, list):
                raise ValueError("not a list")
            checked = _checked_entries(entries)
        except (ValueError, TypeError, SiteSelectError) as exc:
            raise SiteSelectError(
                f"the uploaded sites kept under reference {ref} are damaged in the database "
                f"({exc})"
            ) from exc
        return KeptSites(str(row.filename), content, checked)
