"""The regulator's bulk import of production data through the API (issue 14): the page's service, all rows or
none, every bad cell named by row and column, the market's regulator only, and an Idempotency-Key as every POST."""

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from mrv.models import AuditLog
from registry.models import ProductionRecord
from tests.mrv.api_work import api, ok

URL = "/api/v1/registry/production/import/"


def _csv(*rows: str) -> bytes:
    return ("\n".join(["credit_code,year,output,declared_tco2e,verified", *rows]) + "\n").encode()


def _post(client, data: bytes, **extra):
    upload = SimpleUploadedFile("production.csv", data, content_type="text/csv")
    return client.post(URL, {"file": upload}, format="multipart", **extra)


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def test_the_regulator_imports_firm_years_as_on_the_page(regulator, firm, other_firm):
    ProductionRecord.objects.create(firm=firm, year=2023, output=5, is_verified=False)
    data = _csv(
        f"{firm.credit_code},2024,1000000,,yes",
        f"{other_firm.credit_code},2024,110000.5,12000,",
        f"{firm.credit_code},2023,7,,",
    )
    body = ok(_post(api(regulator), data), 201)
    assert body["saved"] == 3
    got = {(r["credit_code"], r["year"]): (r["output"], r["declared_tco2e"], r["verified"]) for r in body["records"]}
    assert got == {
        (firm.credit_code, 2023): ("7.000", None, False),
        (firm.credit_code, 2024): ("1000000.000", None, True),
        (other_firm.credit_code, 2024): ("110000.500", "12000", False),
    }
    stored = {(r.firm_id, r.year): r.output for r in ProductionRecord.objects.all()}
    assert stored == {(firm.pk, 2023): 7, (firm.pk, 2024): 1000000, (other_firm.pk, 2024): 110000.5}
    entry = AuditLog.objects.get(action="registry.market.production_imported", actor=regulator)
    assert entry.object_id == str(firm.market_id) and len(entry.changes) == 3


def test_a_bad_sheet_is_a_problem_naming_each_cell_and_nothing_is_saved(regulator, firm, beijing_firm):
    data = _csv(
        f"{firm.credit_code},2024,1000000,,",
        f"{firm.credit_code},20x4,12,,",
        f"{beijing_firm.credit_code},2024,-5,,maybe",
        f"{firm.credit_code},2024,7,,",
    )
    body = _problem(_post(api(regulator), data), 400)
    assert body["code"] == "production_sheet"
    cells = {(e["row"], e["column"]) for e in body["errors"]}
    assert cells == {(3, "year"), (4, "credit_code"), (4, "output"), (4, "verified"), (5, "year")}
    assert all(e["pointer"] == "#/file" and e["detail"].startswith(f"Row {e['row']}, column ") for e in body["errors"])
    assert not ProductionRecord.objects.exists()
    assert not AuditLog.objects.filter(action="registry.market.production_imported").exists()


def test_cells_are_named_in_chinese_too(settings, regulator, firm):
    client = api(regulator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    data = "统一社会信用代码,年份,产量,颜色\n" + f"{firm.credit_code},2024,abc,红\n"
    header = _problem(_post(client, data.encode()), 400)
    assert [(e["row"], e["column"]) for e in header["errors"]] == [(1, "4")]
    assert "未知的列" in header["errors"][0]["detail"]
    cell = _problem(_post(client, _csv(f"{firm.credit_code},2024,abc,,")), 400)
    assert [(e["row"], e["column"]) for e in cell["errors"]] == [(2, "output")]
    assert cell["errors"][0]["detail"].startswith("第 2 行")
    missing = _problem(_post(client, b"credit_code,year\nX,2024\n"), 400)
    assert [(e["row"], e["column"]) for e in missing["errors"]] == [(1, "output")]
    assert "缺少" in missing["errors"][0]["detail"]
    assert not ProductionRecord.objects.exists()


def test_another_markets_regulator_cannot_import_into_this_market(other_regulator, firm):
    """The import goes to the caller's own market: this market's firms are no firms of it (nothing saved)."""
    body = _problem(_post(api(other_regulator), _csv(f"{firm.credit_code},2024,1,,")), 400)
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(2, "credit_code")]
    assert "no firm of this market" in body["errors"][0]["detail"]
    assert not ProductionRecord.objects.exists()


def test_firm_and_verifier_tokens_are_refused(firm_user, verifier, firm):
    for user in (firm_user, verifier):
        assert _problem(_post(api(user), _csv(f"{firm.credit_code},2024,1,,")), 403)["status"] == 403
    assert not ProductionRecord.objects.exists()


def test_the_national_administrator_names_the_market(national_admin, firm):
    client = api(national_admin)
    upload = SimpleUploadedFile("production.csv", _csv(f"{firm.credit_code},2024,3,,"), content_type="text/csv")
    response = client.post(f"{URL}?market={firm.market.code}", {"file": upload}, format="multipart")
    assert ok(response, 201)["saved"] == 1
    unknown = client.post(f"{URL}?market=atlantis", {"file": SimpleUploadedFile("p.csv", b"x")}, format="multipart")
    assert _problem(unknown, 404)["status"] == 404


def test_the_same_key_twice_answers_the_same_and_imports_once(regulator, firm):
    client, key = api(regulator), uuid.uuid4().hex
    data = _csv(f"{firm.credit_code},2024,1000,,")
    first = _post(client, data, HTTP_IDEMPOTENCY_KEY=key)
    again = _post(client, data, HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert AuditLog.objects.filter(action="registry.market.production_imported").count() == 1
    other = _post(client, _csv(f"{firm.credit_code},2024,2000,,"), HTTP_IDEMPOTENCY_KEY=key)
    assert _problem(other, 409)["code"] == "idempotency_key_reused"
    assert ProductionRecord.objects.get().output == 1000


def test_a_refused_sheet_does_not_use_up_its_key_and_no_key_is_a_400(regulator, firm):
    client, key = api(regulator), uuid.uuid4().hex
    assert _post(client, _csv(f"{firm.credit_code},2024,x,,"), HTTP_IDEMPOTENCY_KEY=key).status_code == 400
    assert _post(client, _csv(f"{firm.credit_code},2024,5,,"), HTTP_IDEMPOTENCY_KEY=key).status_code == 201
    upload = SimpleUploadedFile("p.csv", _csv(f"{firm.credit_code},2024,6,,"), content_type="text/csv")
    no_key = super(type(client), client).post(URL, {"file": upload}, format="multipart")
    assert _problem(no_key, 400)["errors"][0]["pointer"] == "#/Idempotency-Key"
    assert ProductionRecord.objects.get().output == 5
