from .audit import AuditLog
from .factors import GridFactor
from .markets import (
    GAS_CHOICES,
    GAS_CODES,
    OFFSET_TYPE_CODES,
    OFFSET_TYPES,
    DeadlineRule,
    InclusionThreshold,
    Market,
    MarketSector,
    RulePack,
    Sector,
)
from .organisations import (
    Authority,
    ConflictOfInterest,
    EmissionSource,
    Firm,
    FirmYearFigure,
    User,
    VerificationBody,
    VerifierQualification,
    VerifierRegistration,
)
from .outbox import OutboxMessage
from .plans import MonitoringPlan, PlanAttachment, PlanParameter, PlanSourceStream
from .reports import ActivityDataRow, EmissionReport, OutputDataRow, ReportVersion, ReportWarningAcknowledgement
from .verification import VerificationEngagement

__all__ = [
    "GAS_CHOICES",
    "GAS_CODES",
    "OFFSET_TYPES",
    "OFFSET_TYPE_CODES",
    "AuditLog",
    "Authority",
    "ConflictOfInterest",
    "DeadlineRule",
    "EmissionReport",
    "EmissionSource",
    "Firm",
    "FirmYearFigure",
    "InclusionThreshold",
    "Market",
    "MarketSector",
    "OutboxMessage",
    "RulePack",
    "Sector",
    "User",
    "VerificationBody",
    "VerificationEngagement",
    "VerifierQualification",
    "VerifierRegistration",
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
