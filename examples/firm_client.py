#!/usr/bin/env python3
"""Reference client of the Carbon MRV API for a covered firm's IT department (Python 3.10+, `requests`).

Pushes a year of monthly activity data from a CSV file into the firm's annual report, reads the
calculation, acknowledges the warnings with a reason and submits:

    python examples/firm_client.py --url https://mrv.example.cn --token "$MRV_TOKEN" \\
        --year 2025 --csv activity-2025.csv [--output-csv output-2025.csv] \\
        --reason "Checked against the meter readings" [--no-submit]

The token is a read-and-write API token (create one on the site's "API tokens" page). The CSV has a
header row with the API's row fields: stream, month, activity and, where the plan asks for them,
activity_unit, ncv, ncv_unit, carbon_content, carbon_content_unit, oxidation_rate, oxidation_rate_unit,
emission_factor, emission_factor_unit (a blank unit means the plan's). The optional output CSV has
kind, name, amount, unit (e.g. product,熟料,1200000,t).

What it shows about the conventions: every POST that creates or moves something carries an
Idempotency-Key, reused when the same request is retried; writes send If-Match with the ETag just read
(412 means someone else changed the report: read again); errors are problem documents whose `errors`
name the row and field; 429 is retried after Retry-After.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
import uuid

import requests

FIELDS = (
    "stream",
    "month",
    "activity",
    "activity_unit",
    "ncv",
    "ncv_unit",
    "carbon_content",
    "carbon_content_unit",
    "oxidation_rate",
    "oxidation_rate_unit",
    "emission_factor",
    "emission_factor_unit",
)


class ApiError(Exception):
    """A problem document (RFC 9457) from the API."""

    def __init__(self, problem: dict):
        self.problem = problem
        lines = [f"{problem.get('status')} {problem.get('code')}: {problem.get('detail')}"]
        for error in problem.get("errors", []):
            row = f"row {error['row']} " if "row" in error else ""
            lines.append(f"  {row}{error.get('pointer', '')}: {error.get('detail')}")
        super().__init__("\n".join(lines))


class Client:
    def __init__(self, url: str, token: str, *, language: str = "en", session: requests.Session | None = None):
        self.base = url.rstrip("/") + "/api/v1/"
        self.http = session or requests.Session()
        self.http.headers.update({"Authorization": f"Token {token}", "Accept-Language": language})

    def call(self, method: str, path: str, *, idempotent: bool = False, etag: str | None = None, **kwargs):
        """One request; 429 and connection failures are retried (a POST with the same Idempotency-Key)."""
        headers = kwargs.pop("headers", {})
        if idempotent:
            headers["Idempotency-Key"] = str(uuid.uuid4())
        if etag:
            headers["If-Match"] = etag
        for attempt in range(5):
            try:
                response = self.http.request(method, self.base + path, headers=headers, timeout=60, **kwargs)
            except requests.ConnectionError:
                time.sleep(2**attempt)
                continue
            if response.status_code == 429:
                time.sleep(int(response.headers.get("Retry-After", "1")))
                continue
            if response.status_code >= 400:
                raise ApiError(response.json())
            return response
        raise RuntimeError(f"{method} {path}: no answer after 5 attempts")

    def get(self, path: str, **params):
        return self.call("GET", path, params=params)


def read_csv(path: str, fields: tuple[str, ...] | None = None) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    if fields:
        rows = [{k: v for k, v in row.items() if k in fields and v not in (None, "")} for row in rows]
    return rows


def annual_report(client: Client, year: int) -> dict:
    """The firm's annual report of `year`, opened if there is none yet."""
    found = client.get("reports/", year=year, period="annual").json()["results"]
    if found:
        return found[0]
    return client.call("POST", "reports/", idempotent=True, json={"year": year, "period": "annual"}).json()


def push_year(client: Client, report_id: int, rows: list[dict], outputs: list[dict]) -> dict:
    """Create or replace the rows (all or nothing), then the output rows; returns the validation."""
    path = f"reports/{report_id}/"
    etag = client.get(path).headers["ETag"]
    answer = client.call("PUT", path + "activity-data/", etag=etag, json={"rows": rows})
    if outputs:
        answer = client.call("PUT", path + "output-data/", etag=answer.headers["ETag"], json={"rows": outputs})
    return answer.json()


def acknowledge_warnings(client: Client, report_id: int, reason: str) -> int:
    path = f"reports/{report_id}/"
    open_ones = [w for w in client.get(path + "warnings/").json() if not w["acknowledged"]]
    if open_ones:
        acknowledgements = [{"key": w["key"], "reason": reason} for w in open_ones]
        etag = client.get(path).headers["ETag"]
        client.call("POST", path + "warnings/acknowledge/", etag=etag, json={"acknowledgements": acknowledgements})
    return len(open_ones)


def submit(client: Client, report_id: int, reason: str = "") -> dict:
    path = f"reports/{report_id}/"
    report = client.get(path)
    action = "resubmit" if report.json()["status"] == "returned_to_firm" else "submit"
    return client.call(
        "POST", path + f"{action}/", idempotent=True, etag=report.headers["ETag"], json={"reason": reason}
    ).json()


def run(args, session: requests.Session | None = None, out=sys.stdout) -> dict:
    client = Client(args.url, args.token, language=args.language, session=session)
    report = annual_report(client, args.year)
    print(f"report {report['id']} ({report['year']}, {report['status']})", file=out)
    checked = push_year(
        client, report["id"], read_csv(args.csv, FIELDS), read_csv(args.output_csv) if args.output_csv else []
    )
    for error in checked["errors"]:
        print(f"error: {error['text']}", file=out)
    calculation = client.get(f"reports/{report['id']}/calculation/").json()
    if calculation["totals"]:
        totals = calculation["totals"]
        print(f"{len(calculation['lines'])} lines, total {totals['reported_tco2e']} tCO2e", file=out)
        for gas, tco2e in totals["by_gas"].items():
            print(f"  {gas}: {tco2e} tCO2e", file=out)
    print(f"{acknowledge_warnings(client, report['id'], args.reason)} warnings acknowledged", file=out)
    if args.no_submit or checked["errors"]:
        return {"report": client.get(f"reports/{report['id']}/").json(), "version": None}
    submitted = submit(client, report["id"], args.reason)
    print(f"version {submitted['version']} submitted: {submitted['report']['status']}", file=out)
    return submitted


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True, help="the site, e.g. https://mrv.example.cn")
    p.add_argument("--token", required=True, help="a read-and-write API token")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--csv", required=True, help="monthly activity data")
    p.add_argument("--output-csv", help="product output and energy supply (kind,name,amount,unit)")
    p.add_argument("--reason", default="Checked by the firm", help="reason given for each warning")
    p.add_argument("--language", default="en", choices=["en", "zh-hans"], help="language of messages")
    p.add_argument("--no-submit", action="store_true", help="stop before submitting")
    return p


if __name__ == "__main__":
    try:
        run(parser().parse_args())
    except ApiError as error:
        sys.exit(str(error))
