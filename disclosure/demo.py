"""Demo: Shanghai's 2024 data proposed by its case officer and published by its head (a step of `mrv.demo.STEPS`)."""

from mrv.models import Market, User

DEMO_YEAR = 2024


def seed_disclosure() -> None:
    from disclosure import selectors, services
    from disclosure.models import Publication

    market = Market.objects.get(code="shanghai")
    if Publication.objects.filter(market=market, year=DEMO_YEAR, status=Publication.Status.PUBLISHED).exists():
        return
    officer = User.objects.get(username="sh_officer")
    head = User.objects.get(username="sh_head")
    proposal = selectors.open_proposal(market, DEMO_YEAR) or services.publication_propose(
        market=market, year=DEMO_YEAR, note="", acting_user=officer
    )
    services.publication_publish(publication=proposal, acting_user=head)


def register() -> None:
    """Run after the registry demo, whose 2024 figures are what Shanghai publishes."""
    from mrv import demo

    if seed_disclosure not in demo.STEPS:
        demo.STEPS.append(seed_disclosure)
