"""Sign-in gate, called by the entry before anything else is drawn."""

from __future__ import annotations


def gate() -> None:
    """Stop the script run unless the visitor may use the app (no-op: sign-in is off)."""
