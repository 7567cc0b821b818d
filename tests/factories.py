import itertools
from decimal import Decimal

import factory

from mrv.credit_code import make_credit_code
from mrv.models import (
    Authority,
    EmissionReport,
    EmissionSource,
    Firm,
    FirmYearFigure,
    Market,
    Sector,
    User,
    VerificationBody,
    VerificationEngagement,
    VerifierQualification,
    VerifierRegistration,
)

_serial = itertools.count(1)


def credit_code() -> str:
    return make_credit_code(f"91310000{next(_serial):09d}")


def market(code: str) -> Market:
    return Market.objects.get(code=code)


def sector(code: str) -> Sector:
    return Sector.objects.get(code=code)


class FirmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Firm

    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    credit_code = factory.LazyFunction(credit_code)
    market = factory.LazyFunction(lambda: market("shanghai"))
    sector = factory.LazyFunction(lambda: sector("power"))


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmissionSource

    firm = factory.SubFactory(FirmFactory)
    code = factory.Sequence(lambda n: f"src{n}")
    name = factory.Sequence(lambda n: f"锅炉{n}")
    kind = EmissionSource.Kind.FIXED


class FigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FirmYearFigure

    firm = factory.SubFactory(FirmFactory)
    year = 2019
    emissions_tco2e = Decimal("25000")


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VerificationBody

    name = factory.Sequence(lambda n: f"核查机构{n}")
    credit_code = factory.LazyFunction(credit_code)
    kind = VerificationBody.Kind.THIRD_PARTY

    @factory.post_generation
    def markets(self, create, extracted, **kwargs):
        for m in extracted or ():
            VerifierRegistration.objects.create(body=self, market=m, valid_from_year=2020)

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        for s in extracted or ():
            VerifierQualification.objects.create(body=self, sector=s)


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority

    name = factory.Sequence(lambda n: f"生态环境局{n}")
    kind = Authority.Kind.REGULATOR
    market = factory.LazyFunction(lambda: market("shanghai"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pw-12345!")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VerificationEngagement

    firm = factory.SubFactory(FirmFactory)
    market = factory.LazyAttribute(lambda e: e.firm.market)
    year = 2025


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmissionReport

    firm = factory.SubFactory(FirmFactory)
    market = factory.LazyAttribute(lambda r: r.firm.market)
    year = 2025
    period = EmissionReport.Period.ANNUAL


def certified(statement: str = "firm_submission"):
    """The certification a signer gives on the page just after re-authenticating (mrv/records/certification.py)."""
    from django.utils import timezone

    from mrv.records.certification import certification_given

    return certification_given(statement, reauthenticated_at=timezone.now())
