"""The OpenAPI document is true and committed: regenerate it and it must equal docs/openapi.yaml; the docs
page loads only our own static files."""

import io
import re
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from tests.mrv.test_api import api

COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"
REGENERATE = "python manage.py spectacular --lang en --validate --fail-on-warn --file docs/openapi.yaml"


def test_the_committed_schema_is_not_stale(db):
    out = io.StringIO()
    call_command("spectacular", "--lang", "en", "--validate", "--fail-on-warn", stdout=out)
    assert out.getvalue() == COMMITTED.read_text(), f"docs/openapi.yaml is stale: run `{REGENERATE}`"


def test_the_schema_is_openapi_3_1_and_documents_the_firms_endpoints(firm_user):
    schema = api(firm_user).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert schema["openapi"] == "3.1.0"
    paths = schema["paths"]
    for path in (
        "/api/v1/reports/{id}/submit/",
        "/api/v1/reports/{id}/activity-data/upload/",
        "/api/v1/plans/{id}/submit/",
        "/api/v1/registry/transfers/{id}/approve/",
        "/api/v1/notifications/",
    ):
        assert path in paths, path
    submit = paths["/api/v1/reports/{id}/submit/"]["post"]
    assert {p["name"] for p in submit["parameters"]} >= {"Idempotency-Key", "If-Match"}
    assert "application/problem+json" in submit["responses"]["409"]["content"]
    listing = {p["name"] for p in paths["/api/v1/reports/"]["get"]["parameters"]}
    assert {"year", "period", "status", "page", "page_size"} <= listing


def test_the_docs_page_needs_no_cdn(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    sources = re.findall(rb'(?:src|href)="([^"]+)"', page.content)
    assert sources and all(s.startswith((b"/static/", b"/api/v1/")) for s in sources), sources
