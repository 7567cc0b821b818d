"""The only code that writes registry data. Ledger movements go through `registry.ledger.record`.

Sliced by stage (issuance, transfers, accounts, reversals, trades, surrender, allocation tables, penalties).
Product code imports the stage module it needs; the names below are re-exported so that tests and benches
can keep calling `services.<name>` without knowing the slicing."""

# Re-exported: callers write `<package>.<name>` without knowing the slicing.
from registry.services.accounts import (  # noqa: F401
    account_caps_set,
    representative_add,
    representative_remove,
    trusted_account_approve,
    trusted_account_propose,
    trusted_account_reject,
    trusted_account_remove,
)
from registry.services.allocation_tables import (  # noqa: F401
    allocation_table_approve,
    allocation_table_compute,
    allocation_table_issue,
)
from registry.services.issuance import (  # noqa: F401
    allowances_issue,
    allowances_sell,
    offsets_issue,
)
from registry.services.penalties import (  # noqa: F401
    penalty_compute,
    penalty_decide,
    penalty_propose,
    penalty_withdraw,
)
from registry.services.reversals import (  # noqa: F401
    reversal_approve,
    reversal_propose,
    reversal_reject,
    transaction_reverse,
)
from registry.services.surrender import (  # noqa: F401
    MARKING_BATCH,
    compliance_mark_batch,
    compliance_mark_non_compliant,
    compliance_short,
    units_surrender,
)
from registry.services.trades import (  # noqa: F401
    TRADES_RECORDED,
    ImportRejected,
    TradeRow,
    trades_import,
    trades_import_is_large,
    trades_import_later,
)
from registry.services.transfers import (  # noqa: F401
    daily_transfer_cap,
    transfer_approve,
    transfer_cancel,
    transfer_cap,
    transfer_execute,
    transfer_propose,
    transfer_reject,
    transfers_execute_due,
    units_transfer,
)
