"""Uploaded site files kept per workspace, so that a link to a view can name them.

A user's uploaded sites live in their session. For a link to reopen the same view (issue:
"the URL carries … a reference to uploaded sites where a store is configured"), the store
keeps each uploaded file once per workspace and content digest; the link carries the first
:data:`REF_CHARS` hex digits of its SHA-256 (``up=``). Only members of the workspace can
open it by that reference: another workspace's member gets "no such file", never the
bytes, whatever reference they try. The bytes are stored as base64 text (as scenario
uploads are) and parsed again, by the parser of their declared format, when opened.
"""

from __future__ import annotations

import base64
import hashlib

import sqlalchemy as sa

from siteselect.errors import SiteSelectError
from siteselect.links import UPLOAD_REF, UPLOAD_REF_CHARS
from siteselect.scenario import MAX_FILENAME, MAX_UPLOAD_BYTES, now_utc
from siteselect.schema import SITE_FILES
from siteselect.store.scenarios import ScenarioRecords

REF_CHARS = UPLOAD_REF_CHARS
"""Hex digits of the SHA-256 a link carries (64 bits: within one workspace, a clash of
two different files is beyond any realistic number of uploads)."""


def site_file_ref(content: bytes) -> str:
    """The reference a link carries for ``content``.

    >>> site_file_ref(b"name,lat,lon,country\\n")
    '9b7d5be808877e2e'
    """
    return hashlib.sha256(content).hexdigest()[:REF_CHARS]


class SiteFileRecords(ScenarioRecords):
    """Keep and open uploaded site files by reference (see the module)."""

    def keep_site_file(self, filename: str, content: bytes) -> str:
        """Keep ``content`` (once per workspace and digest) and return its reference.

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
        name = str(filename)[:MAX_FILENAME]
        digest = hashlib.sha256(content).hexdigest()
        with self._writing() as conn:
            found = conn.execute(
                sa.select(SITE_FILES.c.id).where(
                    SITE_FILES.c.workspace == self.workspace, SITE_FILES.c.sha256 == digest
                )
            ).first()
            if found is None:
                conn.execute(
                    sa.insert(SITE_FILES).values(
                        workspace=self.workspace,
                        sha256=digest,
                        filename=name,
                        content=base64.b64encode(content).decode("ascii"),
                        created_by=self.user,
                        created_at=now_utc(),
                    )
                )
        return digest[:REF_CHARS]

    def site_file(self, ref: str) -> tuple[str, bytes]:
        """The (file name, bytes) this workspace kept under ``ref``.

        Raises
        ------
        SiteSelectError
            If ``ref`` is not a reference (16 lowercase hex digits) or this workspace keeps
            no such file (whether or not another workspace does).
        """
        if not isinstance(ref, str) or not UPLOAD_REF.fullmatch(ref):
            raise SiteSelectError(
                f"{str(ref)[:40]!r} is not a reference to uploaded sites ({REF_CHARS} hex digits)"
            )
        with self._reading() as conn:
            row = conn.execute(
                sa.select(SITE_FILES.c.filename, SITE_FILES.c.content).where(
                    SITE_FILES.c.workspace == self.workspace,
                    SITE_FILES.c.sha256.startswith(ref, autoescape=True),
                )
            ).first()
        if row is None:
            raise SiteSelectError(
                f"workspace {self.workspace!r} keeps no uploaded sites with reference {ref}"
            )
        return str(row.filename), base64.b64decode(row.content, validate=True)
