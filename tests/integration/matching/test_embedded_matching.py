"""The embedded matcher end to end: listing and enterprise events projected into a SQLite store,
ranked counterparts asked for through the service layer as the API does."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from helpers.matching import factories as f
from helpers.matching import published

from parkloop import demo_park
from services.common.db import create_engine
from services.common.errors import NotFound
from services.common.events import Event
from services.common.geo import Location, distance_km
from services.common.identity import Principal, Role
from services.listings.domain.enterprises import HazardousWasteLicence
from services.matching.adapters.embedded_search import EmbeddedSearch
from services.matching.adapters.store import MatchingStore
from services.matching.domain.criteria import MatchFilters, criteria_for
from services.matching.service_layer.matches import MatchingContext, find_matches, ranked_matches
from services.matching.service_layer.projection import apply_event

TODAY = f.TODAY
NO_FILTERS = MatchFilters()
GANYU = Location(34.8390, 119.1160)  # about 50 km north-west of the park
LIANYUNGANG_PORT = Location(34.7420, 119.4550)  # about 20 km north
XUZHOU = Location(34.2610, 117.1840)  # about 220 km west


@pytest.fixture
def ctx(matching_template, tmp_path):
    path = tmp_path / "matching.db"
    shutil.copy(matching_template, path)
    engine = create_engine(f"sqlite:///{path}")
    yield MatchingContext(MatchingStore(engine), EmbeddedSearch(engine), delta_t_min_k=10.0, today=lambda: TODAY)
    engine.dispose()


def publish(ctx, listing):
    apply_event(ctx.store, published(listing))
    return ctx.store.get(listing.id)


def follow(ctx, listing_or_enterprise):
    """Apply the newest event the aggregate recorded (a pause, a licence change…)."""
    apply_event(ctx.store, listing_or_enterprise.events[-1])


def ids(hits) -> list[str]:
    return [h.doc.id for h in hits]


def matches(ctx, source, filters=NO_FILTERS, offset=0, limit=100):
    return ranked_matches(ctx, source, filters, offset, limit)


# --- a fly ash offer and the wants around it --------------------------------------------------


def fly_ash_want(owner: str, listing_id: str, per_month: float, location: Location | None = None, max_km: float = 200):
    return f.make_listing(
        "want",
        "material",
        f.spec_material_want([f.FLY_ASH], per_month, bounds=[("loss_on_ignition", "%", None, 8)]),
        owner=owner,
        listing_id=listing_id,
        location=location,
        max_distance_km=max_km,
    )


@pytest.fixture
def fly_ash(ctx):
    """Haibin Thermal Power's fly ash (1500 t a month, up to 150 km) and five wants for it."""
    offer = publish(
        ctx,
        f.make_listing(
            "offer",
            "material",
            f.spec_material_offer(f.FLY_ASH, 1500, properties=[("loss_on_ignition", 4.2, "%")]),
            owner="power",
            listing_id="offer-power-fly-ash",
            max_distance_km=150,
        ),
    )
    wants = {
        "cement": fly_ash_want("cement", "want-cement-fly-ash", 1250),
        "ganyu-b": fly_ash_want("ganyu_b", "want-ganyu-b-fly-ash", 1500, GANYU),
        "ganyu-a": fly_ash_want("ganyu_a", "want-ganyu-a-fly-ash", 1500, GANYU),  # the same as b but for its id
        "port": fly_ash_want("port", "want-port-fly-ash", 300, LIANYUNGANG_PORT),
        "xuzhou": fly_ash_want("xuzhou", "want-xuzhou-fly-ash", 1500, XUZHOU, max_km=500),  # beyond 150 km
    }
    for listing in wants.values():
        publish(ctx, listing)
    return offer, wants


def test_counterparts_come_best_score_first_and_equal_scores_by_id(ctx, fly_ash):
    offer, _ = fly_ash
    hits = matches(ctx, offer)
    assert ids(hits) == ["want-cement-fly-ash", "want-ganyu-a-fly-ash", "want-ganyu-b-fly-ash", "want-port-fly-ash"]
    assert hits[1].score.total == hits[2].score.total
    assert [h.score.total for h in hits] == sorted((h.score.total for h in hits), reverse=True)


def test_every_match_is_explained_with_its_components_and_its_great_circle_distance(ctx, fly_ash):
    offer, _ = fly_ash
    for hit in matches(ctx, offer):
        assert hit.distance_km == pytest.approx(
            distance_km(Location(offer.lat, offer.lon), Location(hit.doc.lat, hit.doc.lon))
        )
        assert set(hit.score.components) == {"distance", "quantity"}
        assert hit.score.total == pytest.approx(sum(c["contribution"] for c in hit.score.components.values()))
    assert 45 < matches(ctx, offer)[1].distance_km < 55  # Ganyu


def test_pages_are_consecutive_slices_of_one_ranking(ctx, fly_ash):
    offer, _ = fly_ash
    everything = ids(matches(ctx, offer))
    pages = [ids(matches(ctx, offer, offset=start, limit=3)) for start in (0, 3, 6)]
    assert pages == [everything[:3], everything[3:], []]
    assert ids(matches(ctx, offer, offset=1, limit=2)) == everything[1:3]


def test_a_minimum_score_drops_weaker_counterparts_and_keeps_one_exactly_at_it(ctx, fly_ash):
    offer, _ = fly_ash
    everything = matches(ctx, offer)
    threshold = everything[1].score.total
    kept = matches(ctx, offer, MatchFilters(min_score=threshold))
    assert ids(kept) == ["want-cement-fly-ash", "want-ganyu-a-fly-ash", "want-ganyu-b-fly-ash"]
    assert all(h.score.total >= threshold for h in kept)
    assert matches(ctx, offer, MatchFilters(min_score=1.0)) == []


def test_a_users_distance_and_park_filters_narrow_the_results(ctx, fly_ash):
    offer, _ = fly_ash
    assert ids(matches(ctx, offer, MatchFilters(max_distance_km=30))) == ["want-cement-fly-ash", "want-port-fly-ash"]
    assert matches(ctx, offer, MatchFilters(park_ids=(f.OTHER_PARK,))) == []


def test_the_want_side_sees_the_offer_with_the_same_score(ctx, fly_ash):
    offer, wants = fly_ash
    from_offer = {h.doc.id: h.score.total for h in matches(ctx, offer)}
    for listing in wants.values():
        hits = matches(ctx, ctx.store.get(listing.id))
        if listing.id in from_offer:
            assert ids(hits) == [offer.id]
            assert hits[0].score.total == pytest.approx(from_offer[listing.id])
        else:
            assert hits == []


def test_a_paused_want_disappears_after_its_event_and_comes_back_when_resumed(ctx, fly_ash):
    offer, wants = fly_ash
    cement = wants["cement"]
    cement.pause()
    follow(ctx, cement)
    assert "want-cement-fly-ash" not in ids(matches(ctx, offer))
    cement.resume()
    follow(ctx, cement)
    assert ids(matches(ctx, offer))[0] == "want-cement-fly-ash"


def test_a_withdrawn_want_disappears_after_its_event(ctx, fly_ash):
    offer, wants = fly_ash
    wants["port"].withdraw()
    follow(ctx, wants["port"])
    assert "want-port-fly-ash" not in ids(matches(ctx, offer))
    assert len(matches(ctx, offer)) == 3


def test_a_paused_offer_is_no_longer_offered_to_wants(ctx, fly_ash):
    _, wants = fly_ash
    listing = f.make_listing(
        "offer", "material", f.spec_material_offer(f.FLY_ASH, 1500), owner="power", listing_id="offer-power-fly-ash"
    )
    listing.pause()
    follow(ctx, listing)
    assert matches(ctx, ctx.store.get("want-cement-fly-ash")) == []


# --- who may see a listing's matches ----------------------------------------------------------


@pytest.mark.parametrize(
    "principal",
    [
        Principal(Role.ENTERPRISE, "key-power", park_id=f.PARK, enterprise_id="ent-power"),
        Principal(Role.PARK_MANAGER, "key-manager", park_id=f.PARK),
        Principal(Role.ADMIN, "key-admin"),
    ],
    ids=["owner", "park manager", "admin"],
)
def test_the_owner_its_park_manager_and_an_admin_see_a_listings_matches(ctx, fly_ash, principal):
    source, hits = find_matches(ctx, principal, "offer", "offer-power-fly-ash", NO_FILTERS, 0, 20)
    assert source.id == "offer-power-fly-ash" and len(hits) == 4


@pytest.mark.parametrize(
    "principal",
    [
        Principal(Role.ENTERPRISE, "key-cement", park_id=f.PARK, enterprise_id="ent-cement"),
        Principal(Role.ENTERPRISE, "key-stranger", park_id=f.OTHER_PARK, enterprise_id="ent-xuwei-steel"),
        Principal(Role.PARK_MANAGER, "key-other-manager", park_id=f.OTHER_PARK),
        Principal(Role.PARK_MANAGER, "key-parkless-manager"),
    ],
    ids=["another enterprise of the park", "an enterprise elsewhere", "another park's manager", "a manager of no park"],
)
def test_anyone_else_is_told_the_listing_is_not_found(ctx, fly_ash, principal):
    with pytest.raises(NotFound):
        find_matches(ctx, principal, "offer", "offer-power-fly-ash", NO_FILTERS, 0, 20)


def test_asking_for_an_offers_matches_as_a_want_or_for_an_unknown_listing_is_not_found(ctx, fly_ash):
    admin = Principal(Role.ADMIN, "key-admin")
    with pytest.raises(NotFound):
        find_matches(ctx, admin, "want", "offer-power-fly-ash", NO_FILTERS, 0, 20)
    with pytest.raises(NotFound):
        find_matches(ctx, admin, "offer", "offer-no-such-listing", NO_FILTERS, 0, 20)


# --- the demo park as a whole -----------------------------------------------------------------


def demo_licences(e: dict):
    return [
        HazardousWasteLicence(
            lic["number"],
            tuple(lic["codes"]),
            lic["capacity_t_per_year"],
            date.fromisoformat(lic["valid_from"]),
            date.fromisoformat(lic["valid_until"]),
        )
        for lic in e.get("licences", [])
    ]


@pytest.fixture
def demo(ctx):
    """Every enterprise and listing of the demo park, as their events arrive; returns the enterprises."""
    enterprises = {}
    for n, e in enumerate(demo_park.ENTERPRISES, start=1):
        enterprise = f.register_enterprise(e["key"], demo_licences(e), n=n)
        apply_event(ctx.store, Event("EnterpriseRegistered", enterprise.id, enterprise.to_dict()))
        enterprises[e["key"]] = enterprise
    for side, entries in (("offer", demo_park.OFFERS), ("want", demo_park.WANTS)):
        for n, (owner, title, max_km, details) in enumerate(entries):
            kind = details["kind"]
            publish(
                ctx,
                f.make_listing(
                    side,
                    kind,
                    details[kind],
                    owner=owner,
                    title=title,
                    listing_id=f"{side}-{owner}-{n}",
                    max_distance_km=max_km,
                    available_from=date(2025, 1, 1),
                ),
            )
    return enterprises


def titled(ctx, title: str) -> str:
    """The id of the demo listing with this title."""
    [doc_id] = [d.id for d in ctx.store.all_docs() if d.title == title]
    return doc_id


def test_no_match_in_the_demo_park_breaks_a_criterion_and_none_is_missed(ctx, demo):
    docs = list(ctx.store.all_docs())
    pairs = set()
    for source in docs:
        criteria = criteria_for(source, NO_FILTERS, TODAY, ctx.delta_t_min_k)
        hits = matches(ctx, source, limit=1000)
        for hit in hits:
            assert criteria.accepts(hit.doc, hit.distance_km)
        expected = {
            d.id
            for d in docs
            if criteria.accepts(d, distance_km(Location(source.lat, source.lon), Location(d.lat, d.lon)))
        }
        assert set(ids(hits)) == expected
        pairs |= {(source.id, hit.doc.id) for hit in hits}
    assert {(b, a) for a, b in pairs} == pairs  # whoever asks, the same pairs
    t = lambda title: titled(ctx, title)  # noqa: E731
    assert {
        (t("煤粉锅炉粉煤灰"), t("粉煤灰用作水泥掺合料")),
        (t("烟气脱硫石膏"), t("脱硫石膏用于纸面石膏板")),
        (t("中压抽汽"), t("氧化工段工艺蒸汽")),
        (t("中压抽汽"), t("烧碱蒸发用蒸汽")),
        (t("急冷水余热"), t("反应釜夹套低品位热")),
        (t("废矿物油及含油包装物"), t("废矿物油再生炼制")),
        (t("废加氢处理催化剂"), t("废加氢催化剂")),
        (t("废混合溶剂（甲苯/乙酸乙酯）"), t("废有机溶剂蒸馏回收")),
        (t("冷却塔用再生水"), t("冷却塔补充水")),
    } <= pairs
    # no licence in the park covers spent caustic (HW35) or waste acid (HW34): nobody may take them
    assert not any(a in (t("裂解气碱洗废碱液"), t("设备清洗废酸")) for a, _ in pairs)
    # circulating-cooling water does not reach boiler make-up
    assert (t("冷却塔用再生水"), t("锅炉补给水（除盐前）")) not in pairs


def test_hazardous_waste_oil_reaches_the_recycler_only_while_its_licence_covers_it(ctx, demo):
    oil = ctx.store.get(titled(ctx, "废矿物油及含油包装物"))
    recycler_want = titled(ctx, "废矿物油再生炼制")
    assert ids(matches(ctx, oil)) == [recycler_want]

    recycler = demo["hw_recycler"]
    recycler.update(f.CATALOGUE, licences=[])  # the licence is revoked
    follow(ctx, recycler)

    assert matches(ctx, oil) == []
    assert matches(ctx, ctx.store.get(recycler_want)) == []


def test_a_licence_that_has_expired_no_longer_lets_the_waste_through(ctx, demo):
    oil = ctx.store.get(titled(ctx, "废矿物油及含油包装物"))
    on_last_day = MatchingContext(ctx.store, ctx.search, today=lambda: date(2029, 2, 28))
    day_after = MatchingContext(ctx.store, ctx.search, today=lambda: date(2029, 3, 1))
    assert len(matches(on_last_day, oil)) == 1
    assert matches(day_after, oil) == []


def test_the_power_plants_steam_is_offered_to_the_nearby_steam_and_heat_users(ctx, demo):
    steam = ctx.store.get(titled(ctx, "中压抽汽"))
    hits = matches(ctx, steam)
    assert set(ids(hits)) == {
        titled(ctx, "氧化工段工艺蒸汽"),
        titled(ctx, "烧碱蒸发用蒸汽"),
        titled(ctx, "反应釜夹套低品位热"),
    }
    for hit in hits:
        assert set(hit.score.components) == {"distance", "quantity", "temperature"}
        assert hit.distance_km <= 15


def test_a_code_filter_typed_without_hyphens_finds_the_same_matches_as_the_canonical_one(ctx, fly_ash):
    offer, _ = fly_ash
    canonical = ids(matches(ctx, offer, MatchFilters(codes=(f.FLY_ASH,))))
    assert (
        canonical and ids(matches(ctx, offer, MatchFilters(codes=(f.FLY_ASH.replace("-", "").lower(),)))) == canonical
    )
