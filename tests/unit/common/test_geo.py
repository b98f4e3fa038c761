"""Great-circle distances as the search engines compute them, and the bounding box that
pre-filters rows before the exact distance cut."""

from __future__ import annotations

import math

import pytest

from services.common.geo import EARTH_RADIUS_KM, Location, bounding_box, distance_km, longitude_spans

BEIJING = Location(39.9042, 116.4074)
SHANGHAI = Location(31.2304, 121.4737)


def destination(start: Location, distance: float, bearing_deg: float) -> Location:
    """The point `distance` km from `start` along a great circle leaving at `bearing_deg`."""
    d, b = distance / EARTH_RADIUS_KM, math.radians(bearing_deg)
    p1, l1 = math.radians(start.lat), math.radians(start.lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return Location(math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180)


def inside(box, point: Location) -> bool:
    min_lat, max_lat, min_lon, max_lon = box
    return min_lat <= point.lat <= max_lat and min_lon <= point.lon <= max_lon


def test_beijing_to_shanghai_is_about_1067_km():
    assert distance_km(BEIJING, SHANGHAI) == pytest.approx(1067, rel=0.01)


def test_distance_is_symmetric():
    assert distance_km(BEIJING, SHANGHAI) == pytest.approx(distance_km(SHANGHAI, BEIJING), abs=1e-9)


def test_a_point_is_zero_km_from_itself():
    assert distance_km(BEIJING, BEIJING) == 0.0


def test_antipodal_points_are_half_the_earth_apart():
    assert distance_km(Location(0.0, 0.0), Location(0.0, 180.0)) == pytest.approx(math.pi * EARTH_RADIUS_KM)
    assert distance_km(Location(90.0, 0.0), Location(-90.0, 0.0)) == pytest.approx(math.pi * EARTH_RADIUS_KM)


def test_one_degree_of_longitude_shrinks_with_latitude():
    at_equator = distance_km(Location(0.0, 100.0), Location(0.0, 101.0))
    at_sixty = distance_km(Location(60.0, 100.0), Location(60.0, 101.0))

    assert at_equator == pytest.approx(111.195, abs=0.01)
    assert at_sixty == pytest.approx(at_equator / 2, rel=0.001)


def test_the_destination_helper_agrees_with_distance_km():
    assert distance_km(BEIJING, destination(BEIJING, 500.0, 37.0)) == pytest.approx(500.0, abs=1e-6)


@pytest.mark.parametrize(
    "center, radius",
    [
        (BEIJING, 10.0),
        (BEIJING, 100.0),
        (SHANGHAI, 300.0),
        (Location(0.0, 100.0), 1000.0),
        (Location(-33.9, 18.4), 50.0),
    ],
    ids=["beijing-10", "beijing-100", "shanghai-300", "equator-1000", "cape-town-50"],
)
def test_the_bounding_box_encloses_points_just_inside_the_radius(center, radius):
    box = bounding_box(center, radius)

    for bearing in range(0, 360, 5):
        assert inside(box, destination(center, radius * 0.99, bearing)), bearing


def test_the_bounding_box_leaves_out_points_well_beyond_the_radius():
    box = bounding_box(BEIJING, 100.0)

    assert not inside(box, destination(BEIJING, 150.0, 0.0))
    assert not inside(box, destination(BEIJING, 150.0, 90.0))
    assert not inside(box, SHANGHAI)


def test_the_bounding_box_encloses_a_point_999_km_away_within_a_1000_km_radius():
    center = Location(40.0, 110.0)
    box = bounding_box(center, 1000.0)

    missed = [b for b in range(0, 360) if not inside(box, destination(center, 999.0, b))]
    assert missed == []


@pytest.mark.parametrize("lat, lon", [(90.1, 0.0), (-90.5, 0.0), (0.0, 180.5), (0.0, -181.0)])
def test_a_location_out_of_range_is_refused(lat, lon):
    with pytest.raises(ValueError, match="outside"):
        Location(lat, lon)


def test_the_extremes_of_latitude_and_longitude_are_valid():
    assert Location(90.0, 180.0).to_dict() == {"lat": 90.0, "lon": 180.0}
    assert Location(-90.0, -180.0).lat == -90.0


def test_a_circle_around_a_pole_spans_every_longitude():
    min_lat, max_lat, min_lon, max_lon = bounding_box(Location(85.0, 30.0), 1000.0)

    assert (min_lon, max_lon) == (-180.0, 180.0)
    assert max_lat == 90.0
    assert inside((min_lat, max_lat, min_lon, max_lon), Location(88.0, -150.0))


def test_a_box_across_the_antimeridian_splits_into_two_longitude_spans():
    center = Location(-17.8, 178.9)  # Fiji
    min_lat, max_lat, min_lon, max_lon = bounding_box(center, 300.0)

    spans = longitude_spans(min_lon, max_lon)

    assert len(spans) == 2 and all(-180 <= low <= high <= 180 for low, high in spans)
    east_of_the_line = destination(center, 250.0, 90.0)
    assert east_of_the_line.lon < 0
    assert any(low <= east_of_the_line.lon <= high for low, high in spans)
    assert longitude_spans(100.0, 110.0) == [(100.0, 110.0)]
    assert longitude_spans(-180.0, 180.0) == [(-180.0, 180.0)]
