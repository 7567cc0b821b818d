"""Activity-data uploads: every bad file is refused with a message naming row and column, and parses to nothing."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from mrv import activity_sheet as sheet
from mrv import uploads

CONTEXT = sheet.SheetContext(
    plan_version="3",
    period_label="2025-annual",
    months=tuple(range(1, 13)),
    streams=(
        sheet.StreamSpec("coal", "原煤", "1号锅炉", "t", ("ncv", "carbon_content", "oxidation_rate")),
        sheet.StreamSpec("power", "外购电力", "全厂", "MWh", ()),
    ),
)


def template_rows():
    return load_workbook(io.BytesIO(sheet.template_workbook(CONTEXT)), read_only=True).active.iter_rows(
        values_only=True
    )


def workbook_bytes(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filled(changes=None):
    """The template with every activity filled (row 3 onwards); `changes` maps (row, column letter) to a value."""
    rows = [list(r) for r in template_rows()]
    for row in rows[2:]:
        row[4] = 100
    for (number, column), value in (changes or {}).items():
        index = ord(column) - ord("A")
        target = rows[number - 1]
        target.extend([None] * (index + 1 - len(target)))
        target[index] = value
    return rows


def parse_bytes(data: bytes, name="data.xlsx"):
    return sheet.parse_upload(SimpleUploadedFile(name, data), CONTEXT)


def parse(rows):
    return parse_bytes(workbook_bytes(rows))


def only_issue(result):
    assert result.rows == [] or not result.ok
    assert len(result.issues) == 1, result.issues
    return result.issues[0]


def csv_bytes(rows, encoding="utf-8") -> bytes:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer).writerows([["" if v is None else v for v in row] for row in rows])
    return buffer.getvalue().encode(encoding)


def test_the_generated_template_carries_template_and_plan_version_and_a_row_per_stream_and_month():
    rows = list(template_rows())
    assert rows[0][:7] == ("MRV-ACTIVITY", "template", "1", "plan", "3", "period", "2025-annual")
    assert len(rows) == 2 + 2 * 12  # metadata, headings, 2 streams × 12 months
    assert rows[2][:6] == ("coal", "原煤", "1号锅炉", 1, None, "t")


def test_a_filled_template_parses_to_one_row_per_stream_and_month():
    result = parse(filled({(3, "G"): "20.908"}))
    assert result.ok
    assert len(result.rows) == 24
    first = result.rows[0]
    assert (first.stream, first.month, first.activity, first.ncv, first.row_number) == (
        "coal",
        1,
        Decimal(100),
        Decimal("20.908"),
        3,
    )


@pytest.mark.parametrize("encoding,prefix", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gbk", b"")])
def test_csv_in_utf8_with_or_without_bom_or_gbk_is_read(encoding, prefix):
    result = parse_bytes(prefix + csv_bytes(filled(), encoding), "data.csv")
    assert result.ok, result.issues
    assert len(result.rows) == 24


def test_wrong_format_is_refused():
    issue = only_issue(parse_bytes(b"%PDF-1.7 not a table", "data.xlsx"))
    assert issue.message == str(uploads.NOT_A_TABLE)


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert only_issue(parse_bytes(buffer.getvalue())).message == str(uploads.NOT_A_TABLE)


def test_a_file_named_xlsx_but_holding_csv_is_read_by_its_content():
    assert parse_bytes(csv_bytes(filled()), "looks-like.xlsx").ok


def test_wrong_template_version_is_refused():
    issue = only_issue(parse(filled({(1, "C"): "0"})))
    assert (issue.row, issue.column) == (1, "C")
    assert "version 0" in issue.message and "version 1" in issue.message


def test_a_template_of_another_plan_version_is_refused():
    issue = only_issue(parse(filled({(1, "E"): "2"})))
    assert (issue.row, issue.column) == (1, "E") and "version 2" in issue.message


def test_a_sheet_without_the_marker_is_not_a_template():
    rows = filled()
    rows[0] = ["something else"]
    assert only_issue(parse(rows)).message == str(sheet.NOT_A_TEMPLATE)


def test_bad_encoding_is_refused():
    data = csv_bytes(filled())[:-2] + b"\xff\x80\n"
    assert only_issue(parse_bytes(data, "data.csv")).message == str(uploads.BAD_ENCODING)


def test_formulas_are_refused_naming_row_and_column():
    issue = only_issue(parse(filled({(5, "E"): "=SUM(1,2)"})))
    assert (issue.row, issue.column, issue.field) == (5, "E", "activity")
    assert issue.message.startswith("Row 5, column E (activity data): formulas are not accepted")


def test_a_formula_in_a_csv_is_refused_too():
    issue = only_issue(parse_bytes(csv_bytes(filled({(4, "G"): "=1+1"})), "data.csv"))
    assert (issue.row, issue.column) == (4, "G")


def test_text_in_a_number_cell_is_refused():
    issue = only_issue(parse(filled({(6, "E"): "about 100"})))
    assert issue.message == "Row 6, column E (activity data): “about 100” is not a number."


def test_negative_values_are_refused():
    issue = only_issue(parse(filled({(7, "H"): -1})))
    assert issue.message == "Row 7, column H (carbon content): the value must not be negative."


def test_an_unknown_source_stream_is_refused():
    issue = only_issue(parse(filled({(8, "A"): "diesel"})))
    assert issue.message == (
        "Row 8, column A (source stream code): “diesel” is not a source stream of the approved monitoring plan."
    )


def test_duplicate_rows_are_refused_naming_the_first():
    rows = filled()
    rows.append(list(rows[2]))
    issue = only_issue(parse(rows))
    assert (
        issue.message
        == f"Row {len(rows)}, column A (source stream code): source stream coal, month 1 is already in row 3."
    )


@pytest.mark.parametrize("month", [13, 0, "Jan", 1.5])
def test_a_month_outside_the_period_is_refused(month):
    issue = only_issue(parse(filled({(9, "D"): month})))
    assert (issue.row, issue.column) == (9, "D") and "outside the reporting period" in issue.message


def test_a_quarterly_report_accepts_only_its_three_months():
    q1 = sheet.SheetContext("3", "2025-q1", (1, 2, 3), CONTEXT.streams)
    rows = [sheet.metadata_row(q1), [], ["coal", "", "", 4, 5]]
    issue = only_issue(sheet.parse_upload(SimpleUploadedFile("q.xlsx", workbook_bytes(rows)), q1))
    assert (issue.row, issue.column) == (3, "D")


def test_a_unit_other_than_the_plans_is_refused():
    issue = only_issue(parse(filled({(3, "F"): "kg"})))
    assert (issue.row, issue.column) == (3, "F") and "“kg”" in issue.message


def test_a_file_above_the_size_limit_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    issue = only_issue(parse(filled()))
    assert issue.message == "The file is larger than the limit of 1000 B."


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ROWS", 10)
    assert only_issue(parse(filled())).message == "The file has more than 10 rows."


def test_too_many_columns_are_refused():
    issue = only_issue(parse(_wide()))
    assert issue.message.startswith("Sheet “sheet1.xml” declares 26 rows × 31 columns")
    assert f"at most 5,000 rows and {uploads.MAX_COLUMNS} columns are read" in issue.message


def test_too_many_columns_in_a_csv_name_the_row():
    rows = _wide()
    text = "\n".join(",".join("" if v is None else str(v) for v in row) for row in rows).encode()
    issue = only_issue(parse_bytes(text, "x.csv"))
    assert issue.message == f"Row 3 has more than {uploads.MAX_COLUMNS} columns." and issue.row == 3


def _wide():
    rows = filled()
    rows[2] = rows[2] + [None] * (uploads.MAX_COLUMNS - len(rows[2])) + [1]
    return rows


def test_every_problem_is_reported_not_only_the_first():
    result = parse(filled({(3, "E"): -5, (4, "A"): "nope", (5, "D"): 14}))
    assert [(i.row, i.column) for i in result.issues] == [(3, "E"), (4, "A"), (5, "D")]


def test_an_empty_file_is_refused():
    assert only_issue(parse_bytes(b"", "x.csv")).message == str(uploads.EMPTY_FILE)


def test_a_template_without_data_rows_is_refused():
    assert only_issue(parse([sheet.metadata_row(CONTEXT), ["heading"]])).message == str(sheet.NO_ROWS)
