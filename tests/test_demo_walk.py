"""A new user's first walk: every demo login follows the links of its pages and never meets a server error.

The demo data (`seed_demo`) puts plans, reports, engagements, findings, spot checks and registry
movements in many states in six markets; walking each persona's links from the home page
touches most pages with real data, as a person trying the product would.
"""

import re
from collections import deque

import pytest
from django.test import Client

from mrv import demo
from mrv.models import User

PAGES_PER_USER = 40
SKIP = ("/static", "/accounts/logout", "/admin/logout", "export", "download", "/i18n/")


def walk(client: Client, start: str = "/") -> list[tuple[str, int]]:
    queue, seen, visited = deque([start]), {start}, []
    while queue and len(visited) < PAGES_PER_USER:
        url = queue.popleft()
        response = client.get(url)
        visited.append((url, response.status_code))
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for href in re.findall(r'href="(/[^"#]*)"', response.content.decode()):
                href = href.replace("&amp;", "&")
                if href not in seen and not any(part in href for part in SKIP):
                    seen.add(href)
                    queue.append(href)
    return visited


@pytest.mark.django_db
def test_every_demo_login_walks_its_pages_without_a_server_error():
    demo.seed()
    users = list(User.objects.filter(email__endswith="@demo.carbon-mrv.local").order_by("username"))
    assert len(users) >= 20
    failures, pages = [], 0
    for user in users:
        client = Client()
        client.force_login(user)
        visited = walk(client)
        pages += len(visited)
        failures += [(user.username, url, status) for url, status in visited if status >= 500]
        assert len(visited) > 3, f"{user.username} reaches almost nothing from the home page"
    assert failures == []
    assert pages > 10 * len(users)
