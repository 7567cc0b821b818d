#!/usr/bin/env python3
"""Reference client of the Carbon MRV API for a group's data desk (Python 3.10+, `requests`).

Pushes a year of monthly activity data for every plant that entrusted you with its data (a data-entry
mandate, granted by each plant's approver on the "Data-entry mandates" page) and for your own firm, in
as few requests as the batch endpoint allows, then prints each plant's validation. Submitting stays with
each plant's approver (see firm_client.py):

    python examples/group_client.py --url https://mrv.example.cn --token "$MRV_TOKEN" \\
        --year 2025 --csv group-activity-2025.csv

The CSV has a header row with `credit_code` (the plant's unified social credit code) and the API's row
fields: stream, month, activity and, where the plan asks for them, activity_unit, ncv, ncv_unit,
carbon_content, carbon_content_unit, oxidation_rate, oxidation_rate_unit, emission_factor,
emission_factor_unit. Each plant's annual report must be open (a draft, or returned to the firm).

The batch is all or nothing: one bad row anywhere and nothing is stored; the error names the plant's entry
and the row (`#/reports/3/rows/11`), which this client maps back to the plant's credit code.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from firm_client import FIELDS, ApiError, Client, read_csv  # noqa: E402

MAX_REPORTS, MAX_ROWS = 1_000, 50_000  # the batch endpoint's limits (docs/openapi.yaml)
OPEN = ("draft", "returned_to_firm")  # the states in which a report's data may be entered


def every(client: Client, path: str, **params) -> list[dict]:
    """Every item of a paginated list."""
    items, page = [], 1
    while True:
        body = client.get(path, page=page, page_size=500, **params).json()
        items += body["results"]
        if not body.get("next"):
            return items
        page += 1


def open_reports_by_credit_code(client: Client, year: int) -> dict[str, dict]:
    """{credit code: the plant's open annual report of `year`} for your firm and the plants that entrusted you."""
    firms = {firm["id"]: firm["credit_code"] for firm in every(client, "firms/")}
    firms |= {m["firm"]: m["firm_credit_code"] for m in every(client, "mandates/") if m["ended_at"] is None}
    return {
        firms[report["firm"]]: report
        for report in every(client, "reports/", year=year, period="annual")
        if report["firm"] in firms and report["status"] in OPEN
    }


def batches(entries: list[dict]) -> list[list[dict]]:
    """The entries in batches within the endpoint's limits."""
    out, current, rows = [], [], 0
    for entry in entries:
        if current and (len(current) == MAX_REPORTS or rows + len(entry["rows"]) > MAX_ROWS):
            out.append(current)
            current, rows = [], 0
        current.append(entry)
        rows += len(entry["rows"])
    return [*out, current] if current else out


def run(args, out=sys.stdout) -> dict[str, dict]:
    """Push the CSV's rows; returns {credit code: validation}. Raises ApiError (naming the plant) on bad input."""
    client = Client(args.url, args.token, language=args.language)
    reports = open_reports_by_credit_code(client, args.year)
    rows_by_plant: dict[str, list[dict]] = defaultdict(list)
    for row in read_csv(args.csv, ("credit_code", *FIELDS)):
        rows_by_plant[row.pop("credit_code", "").strip().upper()].append(row)
    unknown = sorted(code for code in rows_by_plant if code not in reports)
    if unknown:
        raise SystemExit(
            f"no open {args.year} annual report you may enter data for: {', '.join(unknown)} "
            "(is the mandate granted, the report opened by the plant?)"
        )
    entries = [{"report": reports[code]["id"], "rows": rows} for code, rows in rows_by_plant.items()]
    plant_of = {reports[code]["id"]: code for code in rows_by_plant}
    for batch in batches(entries):
        try:
            stored = client.call("PUT", "reports/activity-data/", json={"reports": batch}).json()["reports"]
        except ApiError as error:
            for problem in error.problem.get("errors", []):
                if "report" in problem:
                    problem["detail"] = f"{plant_of.get(problem['report'], problem['report'])}: {problem['detail']}"
            raise ApiError(error.problem) from None
        print(f"{sum(e['stored'] for e in stored)} rows of {len(stored)} plants stored", file=out)
    checked = {}
    for code, report in sorted(reports.items()):
        if code not in rows_by_plant:
            continue
        validation = client.get(f"reports/{report['id']}/validation/").json()
        checked[code] = validation
        total = validation["totals"]["reported_tco2e"] if validation["totals"] else "—"
        print(
            f"{code}: {len(validation['errors'])} errors, {len(validation['warnings'])} warnings, total {total} tCO2e",
            file=out,
        )
        for error in validation["errors"]:
            print(f"  error: {error['text']}", file=out)
    return checked


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True, help="the site, e.g. https://mrv.example.cn")
    p.add_argument("--token", required=True, help="a read-and-write API token of the entrusted person")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--csv", required=True, help="monthly activity data of every plant, with a credit_code column")
    p.add_argument("--language", default="en", choices=["en", "zh-hans"], help="language of messages")
    return p


if __name__ == "__main__":
    try:
        run(parser().parse_args())
    except ApiError as error:
        sys.exit(str(error))
