"""Stored files go through Django's storage API, so production keeps them in S3-compatible object storage.

These tests talk to a real S3-compatible server: the one `.ci/run` starts (`S3_TEST_ENDPOINT_URL`), or, on a
developer's machine without it, moto's server started here on a free loopback port.
"""

import os
import socket

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mrv.services import evidence
from tests import factories as f

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BUCKET = "carbon-mrv-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    endpoint = os.environ.get("S3_TEST_ENDPOINT_URL")
    if endpoint:
        yield endpoint
        return
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings):
    client = boto3.client(
        "s3", endpoint_url=s3_endpoint, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    if BUCKET not in {b["Name"] for b in client.list_buckets().get("Buckets", [])}:
        client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
                "file_overwrite": False,
            },
        },
    }
    return client


@pytest.fixture
def report(firm, engagement):
    return f.ReportFactory(firm=firm, year=2025)


def test_evidence_is_written_to_the_object_store_not_the_local_disk(bucket, report, firm_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "must-stay-empty"
    stored = evidence.report_attach_evidence(
        report=report, data=PDF, file_name="meter.pdf", description="meter readings", acting_user=firm_user
    )
    body = bucket.get_object(Bucket=BUCKET, Key=stored.storage_name)["Body"].read()
    assert body == PDF
    assert "meter" not in stored.storage_name
    assert not (tmp_path / "must-stay-empty").exists()


def test_evidence_is_downloaded_from_the_object_store_only_by_those_who_may(
    client, bucket, report, firm_user, other_firm_user
):
    client.force_login(firm_user)
    assert client.post(
        reverse("ui:report_evidence", args=[report.pk]),
        {"file": SimpleUploadedFile("invoice.pdf", PDF), "description": "fuel invoices"},
    ).status_code in (200, 302)
    from mrv.models import StoredFile

    stored = StoredFile.objects.get()
    response = client.get(reverse("ui:file_download", args=[stored.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="invoice.pdf"'

    client.force_login(other_firm_user)
    assert client.get(reverse("ui:file_download", args=[stored.pk])).status_code == 404


def test_two_uploads_of_the_same_name_never_overwrite_each_other(bucket, report, firm_user):
    first = evidence.report_attach_evidence(
        report=report, data=PDF, file_name="a.pdf", description="one", acting_user=firm_user
    )
    second = evidence.report_attach_evidence(
        report=report, data=PDF + b"% second\n", file_name="a.pdf", description="two", acting_user=firm_user
    )
    assert first.storage_name != second.storage_name
    assert bucket.get_object(Bucket=BUCKET, Key=first.storage_name)["Body"].read() == PDF
