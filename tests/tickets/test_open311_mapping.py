"""The Open311 format layer without a database: status mapping, documents, XML, filters."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from partygrid.api.v1.tickets.open311 import mapping
from partygrid.api.v1.tickets.open311.formats import Open311Error, error_status, to_json, to_xml
from partygrid.api.v1.tickets.open311.params import (
    page_window,
    parse_statuses,
    request_filter,
    window,
)
from partygrid.domain.tickets.disclosure import (
    CLOSED_STATES,
    Disclosure,
    PublicCategory,
    PublicTicket,
    open311_status,
    status_notes,
)
from partygrid.domain.tickets.workflow import TicketState

S = TicketState
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def ticket(**changes: object) -> PublicTicket:
    values: dict[str, object] = dict(
        id=1, public_id="PG2026112200000001", type="time_limited", state=S.received,
        category_code="sanitation", category_name="环境卫生", description="垃圾未清运",
        address=None, lat=36.0, lon=120.2, media_url=None, agency="海滨社区党委",
        community_id=3, grid_name="第一网格", deadline_at=None, created_at=NOW, updated_at=NOW,
        published_at=None, public_result=None, satisfaction=None, promised_on=None,
    )  # fmt: skip
    values.update(changes)
    return PublicTicket(**values)  # type: ignore[arg-type]


def test_open_until_resolved_closed_after() -> None:
    closed = {s for s in TicketState if open311_status(s).value == "closed"}
    assert closed == set(CLOSED_STATES) == {
        S.resolved, S.published, S.reviewed, S.closed, S.rejected, S.merged
    }  # fmt: skip
    assert parse_statuses("open") == frozenset(TicketState) - CLOSED_STATES
    assert parse_statuses("open,closed") == frozenset(TicketState)
    assert parse_statuses(None) is None


def test_status_notes_say_only_what_is_public() -> None:
    assert status_notes(ticket()) == "已接收，等待受理"
    assert status_notes(ticket(state=S.resolved, public_result=None)) == "已办结，结果待公示"
    published = ticket(state=S.published, public_result="已清运，电话13812345678")
    assert status_notes(published) == "已办结并公示：已清运，电话138****5678"
    # A rejection or a merge in fixed words: staff's reasons stay inside.
    assert status_notes(ticket(state=S.rejected)) == "不予受理"
    assert status_notes(ticket(state=S.merged)) == "与其他诉求合并办理"
    promised = ticket(state=S.in_progress, promised_on="2026-12-01")
    assert status_notes(promised) == "办理中（承诺办结日期 2026-12-01）"


def test_a_request_document_in_the_specification_order_and_time_zone() -> None:
    deadline = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
    document = mapping.service_request(ticket(deadline_at=deadline))
    assert list(document)[:3] == ["service_request_id", "status", "status_notes"]
    assert document["expected_datetime"] == "2026-12-01T09:30:00+08:00"
    assert document["requested_datetime"] == "2026-11-22T10:00:00+08:00"
    assert (document["lat"], document["long"]) == (36.0, 120.2)


def test_a_definition_renders_nested_xml_with_the_specification_names() -> None:
    category = PublicCategory(
        code="roads", name="道路设施", description=None, group_name=None,
        default_type="time_limited", disclosure=Disclosure.public, keywords=(),
        attributes=({"code": "facility", "datatype": "singlevaluelist", "required": True,
                     "description": "设施", "values": ["manhole", "lamp"], "order": 0},),
    )  # fmt: skip
    body = to_xml("service_definition", mapping.service_definition(category))
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(body)
    attribute = root.find("attributes/attribute")
    assert attribute is not None
    assert [c.tag for c in attribute] == [
        "variable", "code", "datatype", "required", "datatype_description", "order",
        "description", "values",
    ]  # fmt: skip
    assert [v.findtext("key") for v in attribute.iterfind("values/value")] == ["manhole", "lamp"]
    assert attribute.findtext("variable") == "true"
    assert to_json(mapping.service(category)).decode().count('"metadata":true') == 1


def test_error_statuses_follow_the_specification() -> None:
    assert [error_status(s) for s in (401, 403, 404, 409, 412, 422, 429, 500)] == [
        403, 403, 404, 400, 400, 400, 429, 500
    ]  # fmt: skip
    root = ET.fromstring(to_xml("errors", [{"code": 403, "description": "bad key"}]))
    assert [(e.findtext("code"), e.findtext("description")) for e in root] == [("403", "bad key")]


def test_the_window_defaults_to_ninety_days_and_never_exceeds_it() -> None:
    assert window(None, None, NOW) == (NOW - timedelta(days=90), NOW)
    assert window(NOW, None, NOW) == (NOW, NOW + timedelta(days=90))
    with pytest.raises(Open311Error):
        window(NOW - timedelta(days=91), NOW, NOW)
    ids = request_filter(service_request_id="a, b,a", service_code="x", start_date="bad",
                         end_date=None, status="nonsense", now=NOW)  # fmt: skip
    assert ids.public_ids == ("a", "b") and not ids.category_codes  # ids override the rest
    assert page_window(None, None) == (0, 200) and page_window(3, 10) == (20, 10)
    assert page_window(20, 200) == (3800, 200)  # the deepest page: the 4,000th request
    for too_deep in ((21, 200), (21, 1), (10**20, 200)):
        with pytest.raises(Open311Error):
            page_window(*too_deep)
