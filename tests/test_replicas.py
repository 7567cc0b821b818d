"""Statistics and compliance overviews read from the read replica when one is configured; nothing else does."""

import pytest
from django.db import connections
from django.urls import reverse

from mrv.models import EmissionReport
from mrv.replicas import ReplicaRouter, _use_replica, reads_from_replica


@pytest.fixture
def replica(settings):
    """A second alias mirroring the test database, as a replica mirrors its primary."""
    settings.DATABASES = {
        **settings.DATABASES,
        "replica": {**settings.DATABASES["default"], "TEST": {"MIRROR": "default"}},
    }
    connections.settings = connections.configure_settings(settings.DATABASES)
    yield
    connections["replica"].close()
    del connections["replica"]
    connections.settings = connections.configure_settings(
        {k: v for k, v in settings.DATABASES.items() if k != "replica"}
    )


def test_reads_go_to_the_replica_only_inside_a_replica_view(replica):
    router = ReplicaRouter()
    assert router.db_for_read(EmissionReport) is None
    assert reads_from_replica(lambda: router.db_for_read(EmissionReport))() == "replica"
    assert router.db_for_write(EmissionReport) == "default"


def test_without_a_replica_the_same_views_read_the_primary(settings):
    assert "replica" not in settings.DATABASES
    assert reads_from_replica(lambda: ReplicaRouter().db_for_read(EmissionReport))() is None


class RecordingRouter(ReplicaRouter):
    """Records, for each read the ORM routes, whether it was asked inside a replica view."""

    asked: list[bool] = []

    def db_for_read(self, model, **hints):
        self.asked.append(_use_replica.get())
        return None  # the test database has no replica connection: read the primary


@pytest.mark.parametrize("page", ["registry:statistics", "registry:compliance"])
def test_the_statistics_and_compliance_pages_read_through_the_replica_route(client, regulator, settings, page):
    settings.DATABASE_ROUTERS = ["tests.test_replicas.RecordingRouter"]
    client.force_login(regulator)
    RecordingRouter.asked = []
    assert client.get(reverse(page) + "?year=2024").status_code == 200
    assert True in RecordingRouter.asked


def test_a_workflow_page_never_reads_through_the_replica_route(client, regulator, settings):
    settings.DATABASE_ROUTERS = ["tests.test_replicas.RecordingRouter"]
    client.force_login(regulator)
    RecordingRouter.asked = []
    assert client.get(reverse("ui:report_list")).status_code == 200
    assert RecordingRouter.asked and True not in RecordingRouter.asked
