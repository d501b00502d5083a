"""Grid boundaries and phone numbers: pure domain, no database."""

from __future__ import annotations

import math
from datetime import date

import pytest

from partygrid.api.errors import status_of
from partygrid.domain.contact import mask_phone, normalize_phone
from partygrid.domain.errors import InvalidValue, RuleViolation
from partygrid.domain.grids.model import (
    GridOverlap,
    StaffAssignment,
    StaffRole,
    check_no_overlap,
    check_staff,
    parse_boundary,
    polygon_text,
)

LON, LAT = 120.38, 36.07  # Qingdao, Shinan district


def square(lon: float = LON, lat: float = LAT, side: float = 0.01) -> dict:
    ring = [[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def refusal(raw: object) -> str:
    with pytest.raises(InvalidValue) as info:
        parse_boundary(raw)
    assert info.value.field == "body.boundary"
    return info.value.detail


def test_valid_square_is_measured() -> None:
    b = parse_boundary(square())
    assert b.ring[0] == b.ring[-1] == (LON, LAT)
    assert b.centroid_lon == pytest.approx(LON + 0.005)
    assert b.centroid_lat == pytest.approx(LAT + 0.005)
    # 0.01° × 0.01° at 36°N is roughly 1.11 km × 0.90 km.
    assert 0.95e6 < b.area_m2 < 1.05e6
    assert b.geojson() == square()


def test_clockwise_ring_has_the_same_positive_area() -> None:
    ccw = square()
    cw = {"type": "Polygon", "coordinates": [list(reversed(ccw["coordinates"][0]))]}
    assert parse_boundary(cw).area_m2 == pytest.approx(parse_boundary(ccw).area_m2)


def test_area_of_a_one_kilometre_square_near_qingdao_within_one_percent() -> None:
    # One degree of latitude is ~110.95 km here; one of longitude ~111.32 km × cos(lat).
    dlat = 1000 / 110_950
    dlon = 1000 / (111_320 * math.cos(math.radians(LAT)))
    ring = [[LON, LAT], [LON + dlon, LAT], [LON + dlon, LAT + dlat], [LON, LAT + dlat], [LON, LAT]]
    b = parse_boundary({"type": "Polygon", "coordinates": [ring]})
    assert b.area_m2 == pytest.approx(1_000_000, rel=0.01)


def test_altitude_is_dropped() -> None:
    raw = square()
    raw["coordinates"][0] = [[*p, 12.5] for p in raw["coordinates"][0]]
    assert parse_boundary(raw).geojson() == square()


def test_unclosed_ring_is_refused() -> None:
    raw = square()
    raw["coordinates"][0][-1] = [LON, LAT + 0.001]
    assert "not closed" in refusal(raw)


def test_bow_tie_is_refused_with_the_reason() -> None:
    ring = [[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]
    detail = refusal({"type": "Polygon", "coordinates": [ring]})
    assert "not a valid polygon" in detail
    assert "Self-intersection" in detail


@pytest.mark.parametrize(
    ("position", "words"),
    [([181.0, 36.0], "longitude 181.0"), ([120.0, -90.5], "latitude -90.5")],
)
def test_out_of_range_coordinates_are_refused(position: list[float], words: str) -> None:
    raw = square()
    raw["coordinates"][0][2] = position
    assert words in refusal(raw)


def test_holes_are_refused() -> None:
    hole = square(LON + 0.002, LAT + 0.002, 0.001)["coordinates"][0]
    raw = {"type": "Polygon", "coordinates": [square()["coordinates"][0], hole]}
    assert "holes" in refusal(raw)


def test_too_few_points_are_refused() -> None:
    ring = [[LON, LAT], [LON + 0.01, LAT], [LON, LAT]]
    assert "at least 4 positions" in refusal({"type": "Polygon", "coordinates": [ring]})


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("POLYGON((0 0,1 0,1 1,0 0))", "GeoJSON Polygon object"),
        ({"type": "MultiPolygon", "coordinates": []}, "type must be 'Polygon'"),
        ({"type": "Polygon", "coordinates": []}, "one ring"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1], [1, 1], [0, 0]]]}, "position 1"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, "a"], [1, 1], [0, 0]]]}, "numbers"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [2, 2], [0, 0]]]}, "polygon"),
    ],
)
def test_malformed_geojson_is_refused(raw: object, words: str) -> None:
    assert words in refusal(raw)


def test_polygon_text_for_postgresql_drops_the_closing_repeat() -> None:
    ring = parse_boundary(square(1.5, 2.0, 0.5)).ring
    assert polygon_text(ring) == "((1.5,2.0),(2.0,2.0),(2.0,2.5),(1.5,2.5))"


def test_touching_grids_are_allowed_and_overlapping_ones_refused() -> None:
    b = parse_boundary(square())
    neighbour = square(LON + 0.01)  # shares the east edge
    check_no_overlap(b, [(7, neighbour)])
    overlapping = square(LON + 0.005)
    with pytest.raises(GridOverlap) as info:
        check_no_overlap(b, [(7, neighbour), (9, overlapping)])
    assert status_of(info.value) == 409  # a conflict, as the API answers it
    assert info.value.code == "grid-overlap"
    assert info.value.extra["other_grid_id"] == 9


def test_professional_worker_needs_a_department() -> None:
    with pytest.raises(RuleViolation) as info:
        check_staff(StaffRole.professional_worker, "  ")
    assert info.value.rule == "professional-worker-department"
    check_staff(StaffRole.professional_worker, "市场监管所")
    check_staff(StaffRole.info_collector, None)


def test_an_assignment_ends_once_and_not_before_it_started() -> None:
    a = StaffAssignment(
        id=1, grid_id=1, role=StaffRole.grid_leader, person_name="王丽", started_on=date(2026, 3, 1)
    )
    with pytest.raises(RuleViolation, match="before it started"):
        a.check_can_end(date(2026, 2, 28), today=date(2026, 5, 1))
    with pytest.raises(RuleViolation, match="future"):
        a.check_can_end(date(2026, 5, 2), today=date(2026, 5, 1))
    a.check_can_end(date(2026, 3, 1), today=date(2026, 5, 1))
    a.ended_on = date(2026, 4, 1)
    with pytest.raises(RuleViolation) as info:
        a.check_can_end(date(2026, 5, 1), today=date(2026, 5, 1))
    assert info.value.rule == "assignment-ended"


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("13812341234", "13812341234"),
        ("138-1234-1234", "13812341234"),
        ("+86 138 1234 1234", "13812341234"),
        ("008613812341234", "13812341234"),
        ("＋８６　１３８１２３４１２３４", "13812341234"),  # full-width, from a Chinese IME
        ("0532-88886678", "053288886678"),
        ("(0532) 8888 6678", "053288886678"),
        ("010-62345678", "01062345678"),
    ],
)
def test_phone_normalisation(raw: str, normalised: str) -> None:
    assert normalize_phone(raw) == normalised


@pytest.mark.parametrize(
    "raw",
    ["12345", "138123412345", "+1 650 253 0000", "+852 9123 4567", "400-810-8888", "电话", ""],
)
def test_phone_refusals_do_not_echo_the_number(raw: str) -> None:
    with pytest.raises(InvalidValue) as info:
        normalize_phone(raw)
    assert info.value.field == "body.phone"
    assert raw not in info.value.detail or raw == ""


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812341234", "138****1234"),
        ("053288886678", "0532****678"),
        ("01062345678", "010****678"),
        ("02162345678", "021****678"),
        ("123", "****"),
        (None, None),
    ],
)
def test_phone_masking(phone: str | None, masked: str | None) -> None:
    assert mask_phone(phone) == masked
