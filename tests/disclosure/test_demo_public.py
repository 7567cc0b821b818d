"""Every market-year of the demo, read anonymously: published ones in full, the others not at all; nothing private."""

import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from disclosure.models import Publication
from mrv.models import ActivityDataRow, EmissionReport, Firm, Market, StoredFile, User
from registry.models import Penalty
from tests.demo_seed import seed_demo


def _private_strings() -> set[str]:
    """People, contact details, evidence names and decision texts of the demo: none is public."""
    values = set()
    for user in User.objects.all():
        values |= {user.get_full_name(), user.email, user.phone, user.username}
    for firm in Firm.objects.all():
        values |= {firm.contact_name, firm.contact_phone, firm.contact_email, firm.address}
    values |= set(StoredFile.objects.values_list("original_name", flat=True))
    values |= set(Penalty.objects.values_list("decision_text", flat=True))
    values |= {row.activity_unit + " " for row in ActivityDataRow.objects.all()}  # unit strings are common words
    public = set(Market.objects.values_list("name_zh", flat=True)) | set(
        Market.objects.values_list("name_en", flat=True)
    )
    public |= set(Firm.objects.values_list("name", flat=True))  # a demo login may be named after its organisation
    return {v for v in values - public if v and len(v.strip()) >= 4}


def _text(response) -> str:
    if "spreadsheetml" in response["Content-Type"]:
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row)
    return response.content.decode("utf-8")


@pytest.mark.django_db
def test_anonymous_visitors_read_every_public_page_of_the_demo_and_nothing_private(settings):
    settings.DISCLOSURE_ANON_RATES = {"public_pages": "10000/min", "public_api": "10000/min"}
    seed_demo()
    published = set(Publication.objects.filter(status="published").values_list("market__code", "year"))
    assert ("shanghai", 2024) in published
    years = set(EmissionReport.objects.values_list("year", flat=True))
    private = _private_strings()
    client = Client()
    urls = ["/public/", "/public/history.csv", "/public/history.xlsx", "/public/api/v1/markets/", "/api/v1/markets/"]
    urls += ["/public/api/v1/history/"]
    for market in Market.objects.all():
        urls.append(f"/public/{market.code}/")
        for year in sorted(years):
            base = f"/public/{market.code}/{year}/"
            found = (market.code, year) in published
            tail = [base, f"{base}firms.csv", f"{base}firms.xlsx", f"{base}totals.csv", f"{base}totals.xlsx"]
            tail.append(f"/public/api/v1/markets/{market.code}/{year}/")
            if found:
                urls += tail
            else:
                assert {client.get(url).status_code for url in tail} == {404}, base
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text(response)
        leaked = sorted(v for v in private if v in text)
        assert leaked == [], f"{url} shows {leaked}"
        assert not re.search(r"(?<![0-9A-Z])1[3-9]\d{9}(?![0-9A-Z])", text), f"{url} shows a phone number"
