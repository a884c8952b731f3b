"""The demo county shipped with the package: fictional 青岚县 (code 990701), written as real spreadsheets are."""

from __future__ import annotations

from pathlib import Path


def demo_path() -> Path:
    """The folder holding the demo county's files (structures now; duty lists, delegations and activity later)."""
    return Path(__file__).resolve().parent / "data"


def demo_questions() -> Path:
    """The demo county's question set for ``quanze accuracy``: everyday wording, expected matter and lead agency."""
    return Path(__file__).resolve().parent / "questions.yaml"
