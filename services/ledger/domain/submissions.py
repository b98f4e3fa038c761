"""The park's annual submission to the province: four written sections (进展、成效、经验、困难), figures
the park attaches, and, once submitted, the figures ParkLoop filled in from the ledger (indicators,
progress against the plan, projects), bound to the signed checkpoint they were computed at.

Versions of a year are numbered 1, 2, …. A draft is edited in place. Submitting freezes it: a
submitted version is never edited again, only superseded by the next version once that is submitted
(the old one stays readable, marked superseded).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from services.common.errors import Conflict, FieldCollector, InvalidFields

# The four things the notice asks each park to report: progress, results, experience, difficulties.
SECTIONS = ("progress", "results", "experience", "difficulties")
MAX_SECTION_CHARS = 10_000  # characters: a long section of a provincial report is a few thousand


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SUPERSEDED = "superseded"


@dataclass(frozen=True)
class CitedCheckpoint:
    """The signed checkpoint a submission's figures were computed at: the ledger's first `size` entries."""

    size: int
    root: str  # base64 RFC 9162 root hash

    def to_dict(self) -> dict[str, Any]:
        return {"size": self.size, "root": self.root}


@dataclass(frozen=True)
class Submission:
    park_id: str
    year: int
    version: int
    status: Status
    sections: dict[str, str]
    attached_figures: list[dict[str, Any]]  # {name, value, unit, note}: figures the park states itself
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None
    checkpoint: CitedCheckpoint | None = None
    figures: dict[str, Any] = field(default_factory=dict)  # filled in from the ledger when submitted

    @classmethod
    def draft(cls, park_id: str, year: int, version: int, content: Mapping[str, Any], now: datetime) -> Submission:
        return cls(park_id, year, version, Status.DRAFT, *_content(content), now, now)

    def edited(self, content: Mapping[str, Any], now: datetime) -> Submission:
        if self.status is not Status.DRAFT:
            raise frozen(self, self.version + 1)
        sections, attached = _content(content)
        return replace(self, sections=sections, attached_figures=attached, updated_at=now)

    def submitted(self, now: datetime, checkpoint: CitedCheckpoint, figures: dict[str, Any]) -> Submission:
        if self.status is not Status.DRAFT:
            raise Conflict(f"version {self.version} is {self.status.value}; only a draft is submitted")
        errors = FieldCollector()
        for name in SECTIONS:
            errors.require(f"sections.{name}", bool(self.sections.get(name, "").strip()), "write it before submitting")
        errors.raise_if_any()
        return replace(
            self, status=Status.SUBMITTED, submitted_at=now, updated_at=now, checkpoint=checkpoint, figures=figures
        )

    def superseded(self) -> Submission:
        return replace(self, status=Status.SUPERSEDED)


def frozen(s: Submission, next_version: int) -> Conflict:
    return Conflict(
        f"version {s.version} is {s.status.value} and frozen: a submitted version is never edited; "
        f"write version {next_version} and submit it to supersede it"
    )


def _content(content: Mapping[str, Any]) -> tuple[dict[str, str], list[dict[str, Any]]]:
    sections = {name: content.get("sections", {}).get(name) or "" for name in SECTIONS}
    too_long = [name for name, text in sections.items() if len(text) > MAX_SECTION_CHARS]
    if too_long:
        raise InvalidFields({f"sections.{n}": [f"at most {MAX_SECTION_CHARS} characters"] for n in too_long})
    return sections, [dict(f) for f in content.get("attached_figures") or []]


def version_to_write(versions: list[Submission], version: int) -> Submission | None:
    """The draft that `version` names (None: a new draft is to be made with that number), or why not.

    Only the latest version may be written: a draft in place, or the next number once the latest is
    submitted (or when there is none yet)."""
    latest = max(versions, key=lambda s: s.version, default=None)
    if latest is not None and version == latest.version and latest.status is Status.DRAFT:
        return latest
    expected = 1 if latest is None else latest.version + (latest.status is not Status.DRAFT)
    written = next((s for s in versions if s.version == version), None)
    if written is not None and written.status is not Status.DRAFT:
        raise frozen(written, expected)
    if version != expected:
        raise Conflict(f"the version to write is {expected}")
    return None


def current(versions: list[Submission]) -> Submission | None:
    """The version in force: the one submitted last (a later draft does not replace it until submitted)."""
    return next((s for s in versions if s.status is Status.SUBMITTED), None)
