"""Deadline tests run tasks in-process (as `make run` does), unless a test starts a real broker."""

import pytest

from mrv.models import User
from tests import factories as f


@pytest.fixture(autouse=True)
def eager_tasks(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.REMINDER_OFFSETS_DAYS = [30, 7, 1]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # personas, fast


@pytest.fixture
def shenzhen(db):
    return f.market("shenzhen")


@pytest.fixture
def shenzhen_firm(shenzhen):
    return f.FirmFactory(name="深圳测试热电有限公司", market=shenzhen, sector=f.sector("power"))


@pytest.fixture
def shenzhen_user(shenzhen_firm):
    return f.UserFactory(username="sz_reporter", role=User.Role.FIRM_REPORTER, firm=shenzhen_firm)


@pytest.fixture
def shenzhen_regulator(shenzhen):
    authority = f.AuthorityFactory(name="深圳市生态环境局", market=shenzhen)
    return f.UserFactory(username="sz_officer", role=User.Role.REGULATOR_OFFICER, authority=authority)


@pytest.fixture(scope="session", autouse=True)
def _reference_data_back_after_the_last_flush(django_db_setup, django_db_blocker):
    """A transactional test ends with a flush; put the migrations' data back so that `--reuse-db` runs find it."""
    yield
    from django.db import connection

    from mrv.models import Market

    with django_db_blocker.unblock():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents and not Market.objects.exists():
            connection.creation.deserialize_db_from_string(contents)
