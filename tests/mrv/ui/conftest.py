import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads of a test go to its own folder, never to var/uploads."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Personas get passwords; the real hasher costs a third of a second each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
