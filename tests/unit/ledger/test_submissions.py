"""The annual submission's versions: a draft is edited in place, submitting freezes it, and only the
next version (once submitted) supersedes it; the old one stays as it was."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.common.errors import Conflict, InvalidFields
from services.ledger.domain.submissions import (
    CitedCheckpoint,
    Status,
    Submission,
    current,
    version_to_write,
)

NOW = datetime(2026, 12, 1, 8, tzinfo=UTC)
WRITTEN = {
    "sections": {
        "progress": "完成蒸汽管网互联",
        "results": "节能90吨标准煤",
        "experience": "以热定产",
        "difficulties": "中水回用管线投资大",
    }
}
CITED = CitedCheckpoint(5, "cm9vdA==")


def test_a_draft_is_edited_in_place_until_it_is_submitted():
    draft = Submission.draft("park-a", 2026, 1, {"sections": {"progress": "初稿"}}, NOW)
    assert version_to_write([draft], 1) is draft
    edited = draft.edited(WRITTEN, NOW)
    assert edited.sections["results"] == "节能90吨标准煤" and edited.status is Status.DRAFT


def test_a_submitted_version_cannot_be_edited_only_superseded():
    submitted = Submission.draft("park-a", 2026, 1, WRITTEN, NOW).submitted(NOW, CITED, {"indicators": {}})
    with pytest.raises(Conflict, match="frozen"):
        submitted.edited({"sections": {"progress": "改写"}}, NOW)
    with pytest.raises(Conflict, match="write version 2"):
        version_to_write([submitted], 1)
    assert version_to_write([submitted], 2) is None  # a new draft, number 2
    with pytest.raises(Conflict, match="the version to write is 2"):
        version_to_write([submitted], 3)
    assert submitted.superseded().sections == submitted.sections
    assert submitted.checkpoint == CITED


def test_the_version_in_force_is_the_last_submitted_not_a_later_draft():
    one = Submission.draft("park-a", 2026, 1, WRITTEN, NOW).submitted(NOW, CITED, {})
    two = Submission.draft("park-a", 2026, 2, WRITTEN, NOW)
    assert current([two, one]) is one
    with pytest.raises(Conflict):
        version_to_write([two, one], 3)  # the draft 2 is written in place first


def test_submitting_needs_all_four_sections_written():
    draft = Submission.draft("park-a", 2026, 1, {"sections": {"progress": "进展", "results": " "}}, NOW)
    with pytest.raises(InvalidFields) as raised:
        draft.submitted(NOW, CITED, {})
    assert set(raised.value.errors) == {"sections.results", "sections.experience", "sections.difficulties"}


def test_only_a_draft_is_submitted():
    submitted = Submission.draft("park-a", 2026, 1, WRITTEN, NOW).submitted(NOW, CITED, {})
    with pytest.raises(Conflict):
        submitted.submitted(NOW, CITED, {})
