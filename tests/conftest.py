"""Personas shared by every test: each is a user with one role in one organisation.

The world: two Shanghai firms (`firm`, `other_firm`) and one Beijing firm (`beijing_firm`); a
verification body engaged for `firm` in 2025 and another body that is not; a spot-check body;
the Shanghai regulator's officer and head; a Beijing regulator; the national administrator.
"""

import os

import pytest

from mrv.models import Authority, User, VerificationBody, VerificationEngagement
from tests import factories as f


@pytest.fixture
def shanghai(db):
    return f.market("shanghai")


@pytest.fixture
def beijing(db):
    return f.market("beijing")


@pytest.fixture
def firm(shanghai):
    return f.FirmFactory(name="上海测试电厂有限公司", market=shanghai, sector=f.sector("power"))


@pytest.fixture
def other_firm(shanghai):
    return f.FirmFactory(name="上海另一企业有限公司", market=shanghai, sector=f.sector("steel"))


@pytest.fixture
def beijing_firm(beijing):
    return f.FirmFactory(name="北京测试水泥有限公司", market=beijing, sector=f.sector("cement"))


@pytest.fixture
def body(shanghai, beijing):
    return f.BodyFactory(
        name="第一核查机构", markets=[shanghai, beijing], sectors=[f.sector("power"), f.sector("steel")]
    )


@pytest.fixture
def other_body(shanghai):
    return f.BodyFactory(name="第二核查机构", markets=[shanghai], sectors=[f.sector("power")])


@pytest.fixture
def spot_body(shanghai, beijing):
    return f.BodyFactory(name="抽查机构", kind=VerificationBody.Kind.SPOT_CHECK, markets=[shanghai, beijing])


@pytest.fixture
def engagement(firm, body):
    return f.EngagementFactory(firm=firm, body=body, year=2025, status=VerificationEngagement.Status.ACCEPTED)


@pytest.fixture
def shanghai_authority(shanghai):
    return f.AuthorityFactory(name="上海市生态环境局", market=shanghai)


@pytest.fixture
def beijing_authority(beijing):
    return f.AuthorityFactory(name="北京市生态环境局", market=beijing)


def _user(username, role, **org):
    return f.UserFactory(username=username, role=role, **org)


@pytest.fixture
def firm_user(firm):
    return _user("firm_reporter", User.Role.FIRM_REPORTER, firm=firm)


@pytest.fixture
def firm_approver(firm):
    return _user("firm_approver", User.Role.FIRM_APPROVER, firm=firm)


@pytest.fixture
def other_firm_user(other_firm):
    return _user("other_reporter", User.Role.FIRM_REPORTER, firm=other_firm)


@pytest.fixture
def verifier(body):
    return _user("lead_verifier", User.Role.LEAD_VERIFIER, body=body)


@pytest.fixture
def team_verifier(body):
    return _user("team_verifier", User.Role.VERIFIER, body=body)


@pytest.fixture
def other_verifier(other_body):
    return _user("other_verifier", User.Role.LEAD_VERIFIER, body=other_body)


@pytest.fixture
def spot_checker(spot_body):
    return _user("spot_checker", User.Role.SPOT_CHECKER, body=spot_body)


@pytest.fixture
def regulator(shanghai_authority):
    return _user("sh_officer", User.Role.REGULATOR_OFFICER, authority=shanghai_authority, is_staff=True)


@pytest.fixture
def regulator_head(shanghai_authority):
    return _user("sh_head", User.Role.REGULATOR_HEAD, authority=shanghai_authority, is_staff=True)


@pytest.fixture
def other_regulator(beijing_authority):
    return _user("bj_officer", User.Role.REGULATOR_OFFICER, authority=beijing_authority, is_staff=True)


@pytest.fixture
def national_admin(db):
    nat = f.AuthorityFactory(name="生态环境部", kind=Authority.Kind.NATIONAL, market=None)
    return _user("national", User.Role.NATIONAL_ADMIN, authority=nat, is_staff=True)


@pytest.fixture
def outsider(db):
    return _user("outsider", "")


def pytest_sessionfinish(session, exitstatus):
    """CI refuses skipped tests: a skip hides a test that did not run."""
    if not os.environ.get("FORBID_SKIPS"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) + len(reporter.stats.get("xfailed", [])) if reporter else 0
    if skipped:
        reporter.write_line(f"FAILED: {skipped} test(s) skipped or xfailed; CI allows none.", red=True)
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 costs about a second per user on a busy machine; no test needs a slow hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _signin_defaults(settings):
    """Tests sign in with the password alone unless they test the second factor (they set MFA_REQUIRED),
    and count rate limits under their own prefix in the real cache, so no test inherits another's counts."""
    import uuid

    settings.MFA_REQUIRED = False
    settings.RATE_LIMIT_PREFIX = f"rl-test-{uuid.uuid4().hex}"


@pytest.fixture(autouse=True)
def _fresh_cache_namespace(settings):
    """The real cache under a prefix of this test only: no test sees pages another test cached."""
    import uuid

    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "KEY_PREFIX": uuid.uuid4().hex}}


@pytest.fixture(autouse=True)
def english_messages(settings):
    """Tests assert the English source messages; the language tests switch to Chinese explicitly."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


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


def pytest_collection(session):
    """Expectations built at collection (parametrize) are built in English, as the tests run."""
    from django.utils import translation

    translation.activate("en")


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(
        (marker and marker.kwargs.get("transaction")) or {"transactional_db", "live_server"} & set(request.fixturenames)
    )


@pytest.fixture(autouse=True)
def _migration_data_present(request):
    """A transactional test's flush empties every table, content types and the migrations' reference data
    included; the next transactional test gets them back here (the markets, grid factors, caps)."""
    if not _is_transactional(request):
        return
    request.getfixturevalue("transactional_db")
    import importlib

    from django.apps import apps
    from django.contrib.contenttypes.management import create_contenttypes
    from django.contrib.contenttypes.models import ContentType

    from mrv import grid_factor_data, reference_data
    from mrv.models import Market

    if not ContentType.objects.exists():
        ContentType.objects.clear_cache()
        for app_config in apps.get_app_configs():
            create_contenttypes(app_config, verbosity=0)
    if not Market.objects.exists():
        reference_data.load(apps)
        grid_factor_data.load(apps)
        importlib.import_module("registry.migrations.0002_market_caps_2020").load(apps, None)
