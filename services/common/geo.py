"""Great-circle distance, as search engines compute it: planar shortcuts are wrong across provinces."""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG), the value Elasticsearch's arc distance uses
# No two points are nearer than this times their difference in latitude: a cheap lower bound.
KM_PER_DEGREE_OF_LATITUDE = EARTH_RADIUS_KM * math.pi / 180
LATITUDE_RANGE = (-90.0, 90.0)
LONGITUDE_RANGE = (-180.0, 180.0)


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float

    def __post_init__(self):
        if not LATITUDE_RANGE[0] <= self.lat <= LATITUDE_RANGE[1]:
            raise ValueError(f"latitude {self.lat} is outside {LATITUDE_RANGE[0]}..{LATITUDE_RANGE[1]}")
        if not LONGITUDE_RANGE[0] <= self.lon <= LONGITUDE_RANGE[1]:
            raise ValueError(f"longitude {self.lon} is outside {LONGITUDE_RANGE[0]}..{LONGITUDE_RANGE[1]}")

    def to_dict(self) -> dict:
        return {"lat": self.lat, "lon": self.lon}


def distance_km(a: Location, b: Location) -> float:
    """Haversine distance on a sphere of the mean Earth radius."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi = phi2 - phi1
    dlmb = math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(center: Location, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) enclosing the circle: a cheap index pre-filter.

    The circle's widest longitude span is not at the centre's latitude but where meridians
    touch it: Δlon = asin(sin(r/R) / cos φ). Near a pole (or for huge radii) it spans all
    longitudes.
    """
    angular = radius_km / EARTH_RADIUS_KM
    min_lat = max(LATITUDE_RANGE[0], center.lat - math.degrees(angular))
    max_lat = min(LATITUDE_RANGE[1], center.lat + math.degrees(angular))
    cos_lat = math.cos(math.radians(center.lat))
    if angular >= math.pi / 2 or math.sin(angular) >= cos_lat or min_lat <= -90 or max_lat >= 90:
        return min_lat, max_lat, LONGITUDE_RANGE[0], LONGITUDE_RANGE[1]
    dlon = math.degrees(math.asin(math.sin(angular) / cos_lat))
    return min_lat, max_lat, center.lon - dlon, center.lon + dlon


def longitude_spans(min_lon: float, max_lon: float) -> list[tuple[float, float]]:
    """A bounding box's longitudes as spans within -180..180: one, or two where the box crosses
    the antimeridian (`bounding_box` leaves such a box beyond ±180)."""
    if max_lon - min_lon >= 360:
        return [LONGITUDE_RANGE]
    if min_lon < LONGITUDE_RANGE[0]:
        return [(min_lon + 360, LONGITUDE_RANGE[1]), (LONGITUDE_RANGE[0], max_lon)]
    if max_lon > LONGITUDE_RANGE[1]:
        return [(min_lon, LONGITUDE_RANGE[1]), (LONGITUDE_RANGE[0], max_lon - 360)]
    return [(min_lon, max_lon)]
