import re
from http import HTTPStatus

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_status_costs_nothing_and_reports_health():
    response = APIClient().get("/api/status")
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["status"] == "ok"
    assert body["provider"] == "offline"
    assert body["database"] == "ok"
    assert body["version"]
    assert "sessionid" not in response.cookies


def test_status_reports_bad_configuration(settings):
    settings.LLM_PROVIDER = "gpt"
    response = APIClient().get("/api/status")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert "LLM_PROVIDER" in response.json()["configuration_problem"]


def test_status_never_shows_the_key(openai_settings):
    response = APIClient().get("/api/status")
    assert openai_settings.OPENAI_API_KEY not in response.content.decode()
    assert response.json()["provider"] == "openai"
    assert response.json()["model"] == "fake-model"


def test_dtc_lookup():
    body = APIClient().get("/api/dtc/p0420").json()
    assert body["code"] == "P0420"
    assert "Catalyst" in body["meaning"]
    assert body["generic"] is True


def test_dtc_lookup_new_generic_code_with_details_and_maker_note():
    body = APIClient().get("/api/dtc/P20EE").json()
    assert body["meaning"] == "SCR NOx Catalyst Efficiency Below Threshold (Bank 1)"
    assert body["details"]["causes"] and body["details"]["drive"] == "caution"
    assert "note" not in body
    body = APIClient().get("/api/dtc/C0035").json()
    assert body["meaning"] == "Right Front Wheel Speed Sensor Supply"
    assert body["note"].startswith("GM vehicles")


def test_dtc_manufacturer_specific():
    body = APIClient().get("/api/dtc/P1456").json()
    assert body["generic"] is False
    assert "manufacturer" in body["scope"]


@pytest.mark.parametrize("code", ["P04", "X0420", "P04200", "hello"])
def test_dtc_invalid(code):
    response = APIClient().get(f"/api/dtc/{code}")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["code"] == "invalid_lookup"


def test_vin_lookup():
    body = APIClient().get("/api/vin/1HGCM82633A004352").json()
    assert body["vin"] == "1HGCM82633A004352"
    assert "Honda" in body["manufacturer"]
    assert body["check_digit_valid"] is True


@pytest.mark.parametrize("vin", ["1HGCM82633A00435", "1HGCM82633A00435O", "x"])
def test_vin_invalid(vin):
    response = APIClient().get(f"/api/vin/{vin}")
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_schema_and_docs():
    client = APIClient()
    schema = client.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == HTTPStatus.OK
    text = schema.content.decode()
    for path in ("/api/chat", "/api/status", "/api/conversations/{conversation_id}/export"):
        assert path in text
    docs = client.get("/api/docs")
    assert docs.status_code == HTTPStatus.OK
    page = docs.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith(("/static/", "/api/", "#")) for s in sources), sources
    assert "jsdelivr" not in page and "unpkg" not in page


def test_unknown_api_path_is_json_404():
    response = APIClient().get("/api/nothing-here")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["error"]["code"] == "not_found"


def test_wrong_method_is_405():
    response = APIClient().get("/api/chat")
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response.json()["error"]["code"] == "method_not_allowed"
