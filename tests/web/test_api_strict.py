"""Issue 23 items 5 and 6 (the API's share): unknown top-level keys refused naming the key and the
accepted spellings; a parcel value of the wrong type an invalid record naming the field, never
a 500; an evaluation date past the last one periods can be counted from refused in Chinese;
upload-form and validation errors in Chinese."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from landrules.core import fields
from web_helpers import make_app

PARCEL = {"parcel_id": "A", "area_mu": 2, "land_use": "工业", "supplied_on": "2018-01-01"}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def client():
    with TestClient(make_app(), raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("route,body", [
    ("/api/decide", {"asOf": "2021-10-01", "parcels": [PARCEL]}),
    ("/api/decide", {"评估日": "2021-10-01", "parcels": [PARCEL]}),
    ("/api/explain", {"as_of": "2021-10-01", "asOf": "2021-10-01", "parcel": PARCEL}),
])
def test_an_unknown_top_level_key_is_refused_naming_it_and_the_spellings(client, route, body):
    response = client.post(route, json=body)
    assert response.status_code == 422
    (problem,) = response.json()["problems"]
    unknown = next(k for k in body if k not in ("as_of", "parcels", "parcel"))
    assert repr(unknown) in problem and "as_of（评估日）" in problem


@pytest.mark.parametrize("name", [s.name for s in fields.FIELDS])
@pytest.mark.parametrize("value", [[1, 2], {"a": 1}])
def test_a_list_or_object_as_a_value_is_an_invalid_record_naming_the_field(client, name, value):
    parcel = {**PARCEL, name: value}
    response = client.post("/api/decide", json={"as_of": "2021-10-01", "parcels": [parcel]})
    assert response.status_code == 200, response.text
    (record,) = response.json()["decisions"]
    assert record["outcomes"][0]["code"] == "invalid_record"
    assert any(fields.BY_NAME[name].label() in e and "值的类型不对" in e for e in record["errors"])
    explained = client.post("/api/explain", json={"as_of": "2021-10-01", "parcel": parcel})
    assert explained.status_code == 200 and explained.json()["decision"]["outcomes"][0]["code"] == "invalid_record"


@pytest.mark.parametrize("route,key", [("/api/decide", "parcels"), ("/api/explain", "parcel")])
def test_the_last_day_of_the_calendar_as_evaluation_date_is_refused_in_chinese(client, route, key):
    body = {"as_of": "9999-12-31", key: [PARCEL] if key == "parcels" else PARCEL}
    response = client.post(route, json=body)
    assert response.status_code == 422 and "不晚于 9799-12-31" in response.json()["problems"][0]
    body["as_of"] = "9799-12-31"  # the last one accepted is decided
    assert client.post(route, json=body).status_code == 200


@pytest.mark.parametrize("body,content_type", [
    (b"garbage", "multipart/form-data"),
    (b"--x\r\nContent-Disposition: form-data\r\n\r\nabc\r\n--x--\r\n", "multipart/form-data; boundary=x"),
])
def test_a_broken_upload_form_is_refused_in_chinese(client, body, content_type):
    response = client.post("/upload", content=body, headers={"Content-Type": content_type})
    assert response.status_code in (400, 422)
    message = re.search(r'class="message">([^<]*)<', response.text).group(1)
    assert CJK.search(message) and not re.search(r"[A-Za-z]{4,} [a-z]{3,}", message), message


def test_a_validation_error_of_any_kind_is_chinese(client):
    response = client.post("/api/decide", json={"as_of": "2021-10-01", "parcels": [1, "x"]})
    assert response.status_code == 422
    for problem in response.json()["problems"]:
        assert CJK.search(problem) and "Input should" not in problem, problem
