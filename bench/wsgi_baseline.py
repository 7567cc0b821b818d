"""The product's WSGI application with the benchmark's one-query view added (bench/baseline_urls.py), for
gunicorn in bench/pages.py's HTTP figures: pages and baseline served by the same server configuration."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
settings.ROOT_URLCONF = "bench.baseline_urls"
