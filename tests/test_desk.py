"""The desk, tried as the demo's users would: links lead to every registry page a role may use, and the
home page lists every item of the user's queues.

One seeded demo per test (the seed is the slow part); each test walks every demo login.
"""

import re
from collections import deque

import pytest
from django.test import Client
from django.urls import reverse

from mrv import access
from mrv.models import EmissionReport, Finding, MonitoringPlan, SpotCheckItem, User, VerificationEngagement
from registry.ledger import holding_account
from registry.models import Penalty, TransferProposal
from tests.demo_seed import seed_demo

MAX_PAGES = 120
SKIP = ("/static", "/accounts/logout", "/admin/", "export", "download", "/i18n/", "format=", ".xlsx")


def registry_pages_for(user: User) -> set[str]:
    """The registry pages the role may open (paths without query)."""
    if user.is_firm_user:
        account = holding_account(user.firm).pk
        pages = {reverse("registry:account", args=[account]), reverse("registry:surrender", args=[account])}
        if user.role == User.Role.FIRM_APPROVER:  # the firm's representative proposes transfers
            pages.add(reverse("registry:transfer_propose", args=[account]))
        return pages
    market_pages = {
        reverse(f"registry:{name}")
        for name in ("compliance", "allocation_tables", "penalties", "statistics", "trade_import")
    }
    if user.is_regulator:
        return market_pages | {reverse("registry:offset_credits")}
    if user.is_national_admin:
        return market_pages
    return set()


def crawl(client: Client) -> tuple[set[str], list[tuple[str, int]]]:
    """Follow every link from the home page (registry links first): the pages reached, and the links that fail."""
    queue, seen, reached, failed = deque(["/"]), {"/"}, set(), []
    pages = 0
    while queue and pages < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url, follow=True)
        pages += 1
        if response.status_code != 200:
            failed.append((url, response.status_code))
            continue
        reached.add(response.request["PATH_INFO"])
        if "html" not in response.get("Content-Type", ""):
            continue
        for href in re.findall(r'href="(/[^"#]*)"', response.content.decode()):
            href = href.replace("&amp;", "&")
            if href in seen or any(part in href for part in SKIP):
                continue
            seen.add(href)
            (queue.appendleft if href.startswith("/registry/") else queue.append)(href)
    return reached, failed


def demo_users():
    return list(User.objects.filter(email__endswith="@demo.carbon-mrv.local").order_by("username"))


@pytest.mark.django_db
def test_every_demo_login_reaches_its_registry_pages_through_links_and_meets_no_broken_link(settings):
    settings.DISCLOSURE_ANON_RATES = {
        "public_pages": "100000/min",
        "public_api": "100000/min",
    }  # one crawler, many pages
    seed_demo()
    missing, broken = {}, {}
    for user in demo_users():
        client = Client()
        client.force_login(user)
        reached, failed = crawl(client)
        wanted = registry_pages_for(user)
        if not wanted <= reached:
            missing[user.username] = sorted(wanted - reached)
        if failed:
            broken[user.username] = failed
    assert missing == {}
    assert broken == {}  # e.g. the spot checker was shown five engagement links that answered 404


def expected_queue_links(user: User) -> set[str]:
    """Every item that waits on the user in the demo, as the link the home page must show (computed here
    from the data, independently of the home page's sections)."""
    reports = access.visible_to(user, EmissionReport)
    links: set[str] = set()

    def report_links(url_name, *statuses):
        links.update(
            reverse(url_name, args=[pk]) for pk in reports.filter(status__in=statuses).values_list("pk", flat=True)
        )

    if user.is_firm_user:
        report_links("ui:report_detail", "draft", "returned_to_firm")
        open_findings = access.visible_to(user, Finding).filter(status__in=["open", "reopened"])
        links.update(
            reverse("ui:report_verification", args=[pk]) for pk in open_findings.values_list("report_id", flat=True)
        )
        plans = access.visible_to(user, MonitoringPlan).filter(status__in=MonitoringPlan.EDITABLE)
        links.update(reverse("ui:plan_detail", args=[pk]) for pk in plans.values_list("pk", flat=True))
        if (
            TransferProposal.objects.filter(from_account__firm=user.firm, status="proposed")
            .exclude(proposed_by=user)
            .exists()
        ):
            links.add(reverse("registry:index"))
        if Penalty.objects.filter(firm=user.firm).exclude(status="withdrawn").exists():
            links.add(reverse("registry:index"))
    elif user.is_verifier:
        engagements = access.visible_to(user, VerificationEngagement).filter(status="assigned")
        links.update(reverse("ui:engagement_detail", args=[pk]) for pk in engagements.values_list("pk", flat=True))
        report_links("ui:report_verification", "under_verification")
    elif user.is_spot_checker:
        pending = access.visible_to(user, SpotCheckItem).filter(outcome="pending")
        links.update(reverse("ui:report_verification", args=[pk]) for pk in pending.values_list("report_id", flat=True))
    elif user.is_regulator or user.is_national_admin:
        plans = access.visible_to(user, MonitoringPlan).filter(status__in=["submitted", "third_party_checked"])
        links.update(reverse("ui:plan_detail", args=[pk]) for pk in plans.values_list("pk", flat=True))
        engagements = access.visible_to(user, VerificationEngagement).filter(
            status__in=["awaiting_assignment", "declined"]
        )
        links.update(reverse("ui:engagement_detail", args=[pk]) for pk in engagements.values_list("pk", flat=True))
        report_links("ui:report_review", "verified", "regulator_review", "determination_proposed", "co_review")
        if access.visible_to(user, Penalty).filter(status="proposed").exists():
            links.add(reverse("registry:penalties"))
    elif user.role == User.Role.STATISTICS_OFFICER:
        report_links("ui:report_review", "co_review")
    return links


@pytest.mark.django_db
def test_each_demo_users_home_lists_every_item_of_their_queues():
    seed_demo()
    missing, listed = {}, 0
    for user in demo_users():
        client = Client()
        client.force_login(user)
        html = client.get("/").content.decode()
        sections = client.get("/").context["sections"]
        expected = expected_queue_links(user)
        if sum(len(s.items) for s in sections) >= 20 * len(sections):
            continue  # a queue longer than the page shows is counted, not listed in full
        absent = {link for link in expected if f'href="{link}"' not in html}
        if absent:
            missing[user.username] = sorted(absent)
        listed += len(expected)
    assert missing == {}
    assert listed > 20  # the demo has work waiting for many people
