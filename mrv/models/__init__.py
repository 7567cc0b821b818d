from .audit import AuditLog
from .chain import ChainVerification, Sealed
from .clocks import ExtensionRequest, InformationRequest, MonthlyDeposit, WorkDeadline
from .coverage import CoverageEntry, CoverageList
from .factors import GridFactor
from .idempotency import IdempotencyRecord
from .jobs import BackgroundJob
from .markets import (
    GAS_CHOICES,
    GAS_CODES,
    OFFSET_TYPE_CODES,
    OFFSET_TYPES,
    DeadlineExtension,
    DeadlineRule,
    InclusionThreshold,
    Market,
    MarketSector,
    RulePack,
    Sector,
    YearNotSupported,
)
from .organisations import (
    Authority,
    ConflictOfInterest,
    DataEntryMandate,
    EmissionSource,
    Firm,
    FirmYearFigure,
    User,
    VerificationBody,
    VerifierQualification,
    VerifierRegistration,
)
from .outbox import DeliveryIntent, OutboxMessage
from .pending import PendingChange
from .plans import MonitoringPlan, PlanAttachment, PlanParameter, PlanSourceStream
from .report_data import ActivityDataRow, OutputDataRow, ReportWarningAcknowledgement
from .reports import EmissionReport, ReportVersion
from .verification import (
    Determination,
    Finding,
    FindingAnswer,
    QuarterlyReview,
    SpotCheckItem,
    SpotCheckSample,
    VerificationEngagement,
    VerificationOpinion,
    VerificationPlan,
)

__all__ = [
    "BackgroundJob",
    "CoverageEntry",
    "CoverageList",
    "GAS_CHOICES",
    "GAS_CODES",
    "OFFSET_TYPES",
    "OFFSET_TYPE_CODES",
    "AuditLog",
    "ChainVerification",
    "DataEntryMandate",
    "Sealed",
    "Authority",
    "ConflictOfInterest",
    "DeadlineExtension",
    "DeadlineRule",
    "EmissionReport",
    "EmissionSource",
    "Firm",
    "FirmYearFigure",
    "InclusionThreshold",
    "Market",
    "MarketSector",
    "DeliveryIntent",
    "OutboxMessage",
    "RulePack",
    "Sector",
    "YearNotSupported",
    "User",
    "VerificationBody",
    "VerificationEngagement",
    "VerifierQualification",
    "VerifierRegistration",
    "Determination",
    "Finding",
    "FindingAnswer",
    "QuarterlyReview",
    "SpotCheckItem",
    "SpotCheckSample",
    "VerificationOpinion",
    "VerificationPlan",
    "GridFactor",
    "MonitoringPlan",
    "PlanAttachment",
    "PlanParameter",
    "PlanSourceStream",
    "ActivityDataRow",
    "OutputDataRow",
    "ReportVersion",
    "ReportWarningAcknowledgement",
]

from .files import StoredFile  # noqa: E402

__all__ += ["StoredFile"]
__all__ += ["PendingChange"]
__all__ += ["ExtensionRequest", "InformationRequest", "MonthlyDeposit", "WorkDeadline"]
__all__ += ["IdempotencyRecord"]
from .records import IssuedDocument, Repudiation, Seal  # noqa: E402

__all__ += ["IssuedDocument", "Repudiation", "Seal"]
