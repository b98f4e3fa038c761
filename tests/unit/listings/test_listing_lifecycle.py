"""A listing's lifecycle: published active, paused ⇄ resumed, withdrawn for good; every change
records a past-tense event carrying the listing, and refused transitions are conflicts."""

from __future__ import annotations

from datetime import date

import pytest

from services.common.errors import Conflict, InvalidFields
from services.listings.domain.listings import MAX_DISTANCE_KM, Listing, Status
from services.listings.domain.spec_dicts import spec_from_dict
from services.listings.domain.specs import Kind, Side


@pytest.fixture
def publish(catalogue, terms_factory, make_offer_data, make_want_data):
    def build(side: Side = Side.OFFER, kind: Kind = Kind.MATERIAL, **terms) -> Listing:
        data = (make_offer_data if side is Side.OFFER else make_want_data)(kind.value)
        spec = spec_from_dict(kind, side, data, catalogue)
        return Listing.publish(side, kind, "ent-1", "park-1", terms_factory(**terms), spec)

    return build


def test_publishing_an_offer_records_offer_published_with_the_listing_in_the_payload(publish):
    listing = publish(Side.OFFER, Kind.MATERIAL)

    (event,) = listing.events
    assert event.type == "OfferPublished"
    assert event.key == listing.id
    assert event.payload == listing.to_dict()
    assert event.payload["status"] == "active"
    assert event.payload["material"]["waste_code"] == "900-249-08"


def test_publishing_a_want_records_want_published(publish):
    listing = publish(Side.WANT, Kind.HEAT)

    assert [e.type for e in listing.events] == ["WantPublished"]
    assert listing.events[0].payload["heat"]["temperature_c"] == 90.0


def test_a_new_listing_is_active_at_version_one(publish):
    listing = publish()

    assert listing.status is Status.ACTIVE
    assert listing.version == 1


def test_every_event_has_its_own_id(publish):
    first, second = publish(), publish()
    first.pause()
    first.resume()
    first.withdraw()

    ids = [e.id for e in first.events + second.events]
    assert len(ids) == 5
    assert len(set(ids)) == 5


def test_pause_resume_withdraw_moves_through_the_statuses_and_records_each_step(publish):
    listing = publish()

    listing.pause()
    assert listing.status is Status.PAUSED
    listing.resume()
    assert listing.status is Status.ACTIVE
    listing.withdraw()
    assert listing.status is Status.WITHDRAWN

    assert [e.type for e in listing.events] == ["OfferPublished", "OfferPaused", "OfferResumed", "OfferWithdrawn"]
    assert [e.payload["status"] for e in listing.events] == ["active", "paused", "active", "withdrawn"]


def test_a_paused_listing_can_be_withdrawn(publish):
    listing = publish(Side.WANT)
    listing.pause()
    listing.withdraw()

    assert listing.status is Status.WITHDRAWN
    assert listing.events[-1].type == "WantWithdrawn"


def test_version_increments_on_every_change_and_the_event_carries_it(publish, terms_factory):
    listing = publish()
    listing.pause()
    listing.edit(terms_factory(title="Waste oil, now 20 t a month"), listing.spec)
    listing.resume()

    assert listing.version == 4
    assert [e.payload["version"] for e in listing.events] == [1, 2, 3, 4]
    assert listing.events[2].type == "OfferUpdated"
    assert listing.events[2].payload["title"] == "Waste oil, now 20 t a month"


def test_editing_moves_updated_at_forward(publish, terms_factory):
    listing = publish()
    before = listing.updated_at
    listing.edit(terms_factory(max_distance_km=80.0), listing.spec)

    assert listing.updated_at >= before
    assert listing.terms.max_distance_km == 80.0


def _withdrawn(listing: Listing) -> Listing:
    listing.withdraw()
    return listing


def _paused(listing: Listing) -> Listing:
    listing.pause()
    return listing


@pytest.mark.parametrize(
    "prepare, action, message",
    [
        (lambda listing: listing, "resume", r"cannot resume an? active offer"),
        (_paused, "pause", "cannot pause a paused offer"),
        (_withdrawn, "pause", "cannot pause a withdrawn offer"),
        (_withdrawn, "resume", "cannot resume a withdrawn offer"),
        (_withdrawn, "withdraw", "cannot withdraw a withdrawn offer"),
        (_withdrawn, "edit", "cannot edit a withdrawn offer"),
    ],
    ids=[
        "resume-active",
        "pause-paused",
        "pause-withdrawn",
        "resume-withdrawn",
        "withdraw-withdrawn",
        "edit-withdrawn",
    ],
)
def test_a_refused_transition_raises_conflict_and_changes_nothing(publish, prepare, action, message):
    listing = prepare(publish())
    status, version, events = listing.status, listing.version, len(listing.events)

    with pytest.raises(Conflict, match=message) as caught:
        if action == "edit":
            listing.edit(listing.terms, listing.spec)
        else:
            getattr(listing, action)()

    assert caught.value.status == 409
    assert (listing.status, listing.version, len(listing.events)) == (status, version, events)


def test_available_on_respects_the_window_inclusively(publish):
    listing = publish(available_from=date(2026, 3, 1), available_until=date(2026, 3, 31))

    assert not listing.available_on(date(2026, 2, 28))
    assert listing.available_on(date(2026, 3, 1))
    assert listing.available_on(date(2026, 3, 31))
    assert not listing.available_on(date(2026, 4, 1))


def test_a_listing_without_an_end_date_stays_available(publish):
    listing = publish(available_until=None)

    assert listing.available_on(date(2099, 1, 1))


# --- Terms -----------------------------------------------------------------------------


def test_terms_refuse_a_window_that_ends_before_it_starts(terms_factory):
    with pytest.raises(InvalidFields) as caught:
        terms_factory(available_from=date(2026, 5, 2), available_until=date(2026, 5, 1))

    assert list(caught.value.errors) == ["available_until"]


def test_terms_accept_a_one_day_window(terms_factory):
    terms = terms_factory(available_from=date(2026, 5, 1), available_until=date(2026, 5, 1))

    assert terms.available_until == terms.available_from


@pytest.mark.parametrize("distance", [0.0, -5.0, MAX_DISTANCE_KM + 0.1, float("nan")])
def test_terms_refuse_a_non_positive_or_oversized_max_distance(terms_factory, distance):
    with pytest.raises(InvalidFields) as caught:
        terms_factory(max_distance_km=distance)

    assert list(caught.value.errors) == ["max_distance_km"]


def test_terms_accept_the_largest_max_distance(terms_factory):
    assert terms_factory(max_distance_km=MAX_DISTANCE_KM).max_distance_km == MAX_DISTANCE_KM


@pytest.mark.parametrize("title", ["", "   ", None])
def test_terms_refuse_a_blank_title(terms_factory, title):
    with pytest.raises(InvalidFields) as caught:
        terms_factory(title=title)

    assert list(caught.value.errors) == ["title"]


def test_terms_name_every_bad_field_at_once(terms_factory):
    with pytest.raises(InvalidFields) as caught:
        terms_factory(title=" ", max_distance_km=0.0, available_from=date(2026, 2, 1), available_until=date(2026, 1, 1))

    assert set(caught.value.errors) == {"title", "max_distance_km", "available_until"}
    assert caught.value.status == 422
