"""The allowance registry's models, by stage: the ledger, the transfer controls, allocation, compliance and the
firm-year positions. Import them from here (`from registry.models import Account`)."""

from registry.models.allocation import (  # noqa: F401
    AllocationLine,
    AllocationTable,
    ProductionRecord,
)
from registry.models.compliance import (  # noqa: F401
    ComplianceRecord,
    Penalty,
)
from registry.models.ledger import (  # noqa: F401
    ALLOWANCE,
    IMMUTABLE,
    UNIT_TYPES,
    Account,
    Entry,
    Immutable,
    ImmutableQuerySet,
    MarketCap,
    Transaction,
    tonnes,
)
from registry.models.positions import CoverageChange, FirmYearPosition  # noqa: F401
from registry.models.transfers import (  # noqa: F401
    Representative,
    ReversalRequest,
    TransferProposal,
    TrustedAccount,
)
