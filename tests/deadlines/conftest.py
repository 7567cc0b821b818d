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
