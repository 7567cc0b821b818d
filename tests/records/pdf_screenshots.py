"""Pictures of two official PDFs for the README (docs/screenshots/pdf-*.png), rendered with pdftoppm.

Not collected by the test run (the file name does not start with test_); `make screenshots` runs it.
The documents are the ones the PDF tests build (tests/records/test_pdfs.py, fixture `every_kind`).
"""

import pathlib
import subprocess
import tempfile

from mrv.models import Seal
from mrv.records import pdf
from tests.records.test_pdfs import every_kind, version  # noqa: F401  (fixtures)

SHOTS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PICTURES = [
    (Seal.Kind.REPORT_VERSION, 1, "pdf-report-version-zh-hans"),  # the first page: the Chinese part
    (Seal.Kind.COMPLIANCE, 2, "pdf-compliance-notice-en"),  # the second page: the English part
]


def test_pdf_screenshots(every_kind):  # noqa: F811
    for kind, page, name in PICTURES:
        data, _pages = pdf.render_pdf(pdf.document_html(every_kind[kind]))
        with tempfile.TemporaryDirectory() as tmp:
            source = pathlib.Path(tmp) / "doc.pdf"
            source.write_bytes(data)
            target = SHOTS / name
            subprocess.run(
                [
                    "pdftoppm",
                    "-r",
                    "70",
                    "-png",
                    "-singlefile",
                    "-f",
                    str(page),
                    "-l",
                    str(page),
                    str(source),
                    str(target),
                ],
                check=True,
            )
        assert (SHOTS / f"{name}.png").stat().st_size > 10_000
