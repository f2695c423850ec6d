"""The $filter grammar: precedence, operators, functions of OGC 18-088 Table 23, and clear 400s for bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from smartcity.sensing.sta.odata.ast import BinOp, Call, Literal, Not, Path
from smartcity.sensing.sta.odata.errors import QueryError
from smartcity.sensing.sta.odata.parser import parse_filter, parse_orderby

# ------------------------------------------------------------------------------------------------ the parser


def test_and_binds_tighter_than_or_and_not_tighter_than_and():
    tree = parse_filter("a eq 1 or not b eq 2 and c eq 3")
    assert isinstance(tree, BinOp) and tree.op == "or"
    right = tree.right
    assert right.op == "and" and isinstance(right.left, Not) and right.left.operand.op == "eq"


def test_arithmetic_precedence_and_parentheses():
    tree = parse_filter("result add 2 mul 3 gt 10")
    assert tree.op == "gt" and tree.left.op == "add" and tree.left.right.op == "mul"
    tree = parse_filter("(result add 2) mul 3 gt 10")
    assert tree.left.op == "mul" and tree.left.left.op == "add"


def test_literals_paths_and_calls():
    tree = parse_filter("substringof('O''Brien', Datastream/Thing/name) and time ge 2026-01-02T03:04:05.5+07:00")
    call, cmp = tree.left, tree.right
    assert call == Call("substringof", (Literal("O'Brien", "str"), Path(("Datastream", "Thing", "name"))))
    assert cmp.right.value == dt.datetime(2026, 1, 1, 20, 4, 5, 500000, tzinfo=dt.UTC)
    assert parse_filter("x eq -1.5e2").right == Literal(-150.0, "num")
    assert parse_filter("date(t) eq 2026-01-02").right == Literal(dt.date(2026, 1, 2), "date")
    assert parse_filter("x eq null").right == Literal(None, "null")
    geo = parse_filter("st_within(location, geography'POLYGON((0 0, 1 0, 1 1, 0 0))')").args[1]
    assert geo.kind == "geo" and geo.value["type"] == "Polygon"


def test_orderby_lists():
    assert [(str(p), d) for p, d in parse_orderby("phenomenonTime desc, Datastream/name")] == [
        ("phenomenonTime", True), ("Datastream/name", False)]


@pytest.mark.parametrize(("text", "needle"), [
    ("name eq", "ends too early"),
    ("name eq 'x", "unexpected character"),
    ("(name eq 'x'", "expected ')'"),
    ("name eq 'x')", "unexpected text"),
    ("name eq eq 'x'", "found the operator 'eq'"),
    ("name eq 'x' and", "ends too early"),
    ("t gt 2026-13-45T00:00:00Z", "not an ISO 8601"),
    ("t gt 2026-01-01T00:00:00", "without a time zone"),
    ("st_within(location, geography'POLYGON((0 0, 1 1))')", "bad geometry literal"),
    ("", "empty"),
])
def test_syntax_errors_name_the_problem(text, needle):
    with pytest.raises(QueryError) as info:
        parse_filter(text)
    assert needle in info.value.message


# ------------------------------------------------------------------------------------------------ evaluation


def matches(api, path, expression, key="@iot.id"):
    response = api.get(path, {"$filter": expression, "$orderby": "id"})
    assert response.status_code == 200, response.json()
    return [e[key] for e in response.json()["value"]]


def result_values(api, expression):
    return sorted(matches(api, "/Observations", expression, "result"))


@pytest.mark.django_db
@pytest.mark.parametrize(("expression", "expected"), [
    ("result gt 30", [35.4, 80.0]),
    ("result ne 35.4 and result gt 0", [12.6, 80.0]),
    ("not (result lt 20) and not (result gt 50)", [35.4]),
    ("result le -2.5 or result ge 80", [-2.5, 80.0]),
    ("result add 10 gt 46", [80.0]),
    ("result sub 5 lt 0", [-2.5]),
    ("result mul 2 eq 160", [80.0]),
    ("result div 2 gt 17", [35.4, 80.0]),
    ("result mod 10 eq 0", [80.0]),
    ("round(result) eq 35", [35.4]),
    ("floor(result) eq 12", [12.6]),
    ("ceiling(result) eq 13", [12.6]),
    ("result in (80, 12.6)", [12.6, 80.0]),
    ("year(phenomenonTime) eq 2026 and month(phenomenonTime) eq 3 and day(phenomenonTime) eq 2", [12.6]),
    ("hour(phenomenonTime) eq 7 and minute(phenomenonTime) eq 15 and second(phenomenonTime) eq 30",
     [-2.5, 35.4, 80.0]),
    ("date(phenomenonTime) eq 2026-03-02", [12.6]),
    ("phenomenonTime lt now()", [-2.5, 12.6, 35.4, 80.0]),
    ("phenomenonTime gt '2026-03-02T00:00:00Z'", [12.6]),
    ("Datastream/Thing/name eq 'Trạm Hoài Đức'", [80.0]),
    ("Datastream/ObservedProperty/name eq 'PM2.5' and Datastream/Thing/properties/district eq 'Hoàn Kiếm'",
     [12.6, 35.4]),
    ("resultTime eq null and result gt 79", [80.0]),
    ("startswith(Datastream/name, 'Nhiệt') eq true", [-2.5]),
])
def test_comparison_logic_arithmetic_and_date_functions(api, network, expression, expected):
    assert result_values(api, expression) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("expression", "expected"), [
    ("substringof('Hoài', name)", ["Trạm Hoài Đức"]),
    ("contains(name, 'Kiếm')", ["Trạm Hoàn Kiếm"]),
    ("startswith(name, 'Trạm H')", ["Trạm Hoàn Kiếm", "Trạm Hoài Đức"]),
    ("endswith(name, 'Đức')", ["Trạm Hoài Đức"]),
    ("startswith(name, 'trạm')", []),  # case-sensitive on every database
    ("length(name) eq 13", ["Trạm Hoài Đức"]),
    ("tolower(name) eq 'trạm hoàn kiếm'", ["Trạm Hoàn Kiếm"]),
    ("toupper(name) eq 'TRẠM HOÀI ĐỨC'", ["Trạm Hoài Đức"]),
    ("trim(concat(' ', name)) eq 'Trạm Hoài Đức'", ["Trạm Hoài Đức"]),
    ("concat(concat(name, ' - '), description) eq 'Trạm Hoàn Kiếm - Trạm quan trắc không khí tự động'",
     ["Trạm Hoàn Kiếm"]),
    ("indexof(name, 'Hoài') eq 5", ["Trạm Hoài Đức"]),
    ("substring(name, 5) eq 'Hoàn Kiếm'", ["Trạm Hoàn Kiếm"]),
    ("substring(name, 5, 4) eq 'Hoài'", ["Trạm Hoài Đức"]),
    ("Datastreams/ObservedProperty/name eq 'Temperature' and properties/district eq 'Hoàn Kiếm'",
     ["Trạm Hoàn Kiếm"]),
])
def test_string_functions(api, network, expression, expected):
    names = matches(api, "/Things", expression, "name")
    assert sorted(names) == sorted(expected)


LAKE = "POLYGON((105.84 21.02, 105.86 21.02, 105.86 21.04, 105.84 21.04, 105.84 21.02))"
WEST = "POLYGON((105.6 20.9, 105.75 20.9, 105.75 21.1, 105.6 21.1, 105.6 20.9))"


@pytest.mark.django_db
@pytest.mark.parametrize(("expression", "expected"), [
    (f"st_within(location, geography'{LAKE}')", ["Vị trí Trạm Hoàn Kiếm"]),
    (f"st_within(location, geography'{WEST}')", ["Vị trí Trạm Hoài Đức"]),
    (f"st_intersects(location, geography'{LAKE}')", ["Vị trí Trạm Hoàn Kiếm"]),
    (f"not st_intersects(location, geography'{LAKE}')", ["Vị trí Trạm Hoài Đức"]),
    (f"st_disjoint(location, geography'{LAKE}')", ["Vị trí Trạm Hoài Đức"]),
    (f"st_contains(geography'{WEST}', location)", ["Vị trí Trạm Hoài Đức"]),
    ("st_equals(location, geography'POINT(105.7 21.02)')", ["Vị trí Trạm Hoài Đức"]),
    ("geo.distance(location, geography'POINT(105.85 21.03)') lt 0.01", ["Vị trí Trạm Hoàn Kiếm"]),
    ("geo.distance(location, geography'POINT(105.85 21.03)') gt 0.01", ["Vị trí Trạm Hoài Đức"]),
    ("0.2 gt geo.distance(location, geography'POINT(105.85 21.03)')",
     ["Vị trí Trạm Hoàn Kiếm", "Vị trí Trạm Hoài Đức"]),
    (f"st_within(location, geography'{LAKE}') or name eq 'Vị trí Trạm Hoài Đức'",
     ["Vị trí Trạm Hoàn Kiếm", "Vị trí Trạm Hoài Đức"]),
])
def test_spatial_functions_on_locations(api, network, expression, expected):
    assert sorted(matches(api, "/Locations", expression, "name")) == sorted(expected)


@pytest.mark.django_db
def test_spatial_functions_through_paths(api, network):
    assert matches(api, "/Things", f"st_within(Locations/location, geography'{LAKE}')") == [network["hk"]]
    assert result_values(api, f"st_within(FeatureOfInterest/feature, geography'{WEST}')") == [80.0]
    assert matches(api, "/Datastreams", f"st_within(Thing/Locations/location, geography'{WEST}') "
                                        "and ObservedProperty/name eq 'PM2.5'") == [network["west_pm"]]
    assert matches(api, "/Datastreams", f"st_intersects(observedArea, geography'{LAKE}')") == [
        network["hk_pm"], network["hk_pm"] + 1]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "expression", "needle"), [
    ("/Things", "colour eq 'red'", "unknown property 'colour' of Thing"),
    ("/Observations", "Datastream/Colour/name eq 'x'", "unknown property 'Colour' of Datastream"),
    ("/Observations", "Datastream eq 1", "ends at the navigation property Datastream"),
    ("/Things", "name eq 5", "cannot compare text with a number"),
    ("/Observations", "phenomenonTime gt 5", "cannot compare the time"),
    ("/Things", "length(name) eq 'x'", "cannot compare a number with text"),
    ("/Things", "length(name, 2) eq 1", "length() takes 1 argument, not 2"),
    ("/Things", "frobnicate(name) eq 1", "unknown function frobnicate()"),
    ("/Locations", "st_touches(location, geography'POINT(1 2)')", "not supported"),
    ("/Locations", "st_within(name, geography'POINT(1 2)')", "needs a geometry property"),
    ("/Locations", "location eq 5", "st_equals"),
    ("/Locations", "geo.distance(location, geography'POINT(1 2)') add 1 gt 0", "compared with a number"),
    ("/Things", "name", "is not a condition"),
    ("/Things", "year(name) eq 2020", "year() needs a date-time"),
    ("/Things", "name gt null", "null can only be compared with eq or ne"),
    ("/Observations", "result div 0 gt 1", "division by zero"),
    ("/Things", "name eq 'a' or", "ends too early"),
])
def test_semantic_errors_are_400_with_a_clear_message(api, network, path, expression, needle):
    response = api.get(path, {"$filter": expression})
    assert response.status_code == 400, response.content
    body = response.json()
    assert needle in body["message"], body["message"]
    assert body["errors"][0]["field"] == "$filter"
