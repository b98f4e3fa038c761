"""The audit trail's rules: which calls are recorded, what resource they name, who reads what."""

from __future__ import annotations

import pytest

from gateway.domain.audit import AuditQuery, AuditRecord, is_recorded, resource_id, scoped
from services.common.errors import Forbidden
from services.common.identity import Principal, Role

ADMIN = Principal(Role.ADMIN, "k-admin")
MANAGER_A = Principal(Role.PARK_MANAGER, "k-pm-a", park_id="A")
ENTERPRISE = Principal(Role.ENTERPRISE, "k-e1", park_id="A", enterprise_id="E1")
OFFER = "0b7f8a52-3c1e-4d5e-9f00-1a2b3c4d5e6f"
DELIVERY = "7d1e2f30-aaaa-4bbb-8ccc-123456789abc"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "post"])
def test_every_method_that_may_change_state_is_recorded(method):
    assert is_recorded(method)


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_reading_is_not_recorded(method):
    assert not is_recorded(method)


def test_a_created_resource_is_named_by_the_id_its_answer_gives():
    assert resource_id("/api/v1/offers", 201, {"id": OFFER, "title": "Steam"}) == OFFER


def test_a_ledger_correction_is_named_by_the_index_it_appended():
    assert resource_id("/api/v1/ledger/corrections", 201, {"index": 42}) == "42"


def test_a_call_on_an_existing_resource_names_the_last_identifier_of_its_path():
    assert resource_id(f"/api/v1/offers/{OFFER}/pause", 200) == OFFER
    assert resource_id(f"/api/v1/webhooks/{OFFER}/deliveries/{DELIVERY}/redeliver", 202) == DELIVERY


def test_a_refused_create_names_no_resource():
    assert resource_id("/api/v1/offers", 422, {"errors": {"title": ["x"]}}) is None
    assert resource_id("/api/v1/ledger/verify", 200) is None


def test_a_record_copies_who_called_so_it_outlives_their_key():
    record = AuditRecord.of_call(ENTERPRISE, "patch", f"/api/v1/offers/{OFFER}", 403, "api")
    assert (record.key_id, record.role, record.park_id, record.enterprise_id) == ("k-e1", Role.ENTERPRISE, "A", "E1")
    assert (record.method, record.resource_id, record.status) == ("PATCH", OFFER, 403)


def test_an_overlong_path_is_cut_to_what_the_trail_stores():
    record = AuditRecord.of_call(ADMIN, "POST", "/api/v1/" + "x" * 2000, 404, "api")
    assert len(record.path) == 500


def test_admins_read_the_trail_as_they_ask_it():
    query = AuditQuery(park_id="B", method="POST")
    assert scoped(ADMIN, query) == query


def test_a_park_manager_reads_only_their_park():
    assert scoped(MANAGER_A, AuditQuery(method="DELETE")) == AuditQuery(method="DELETE", park_id="A")
    with pytest.raises(Forbidden):
        scoped(MANAGER_A, AuditQuery(park_id="B"))


def test_enterprises_read_no_audit_trail():
    with pytest.raises(Forbidden):
        scoped(ENTERPRISE, AuditQuery(enterprise_id="E1"))
