"""Reads of the registry, by stage (as `registry.services` and `registry.views`): accounts, transfers,
transactions, issuance, allocation (and its inputs: production), surrender (compliance), penalties, coverage
and statistics.

Every name is re-exported here: callers write `from registry import selectors` and `selectors.holdings(...)`.
"""

from registry.positions import DETERMINED, ComplianceStatus, Status, offset_cap  # noqa: F401  (read from here)
from registry.selectors.accounts import (  # noqa: F401
    account_balances,
    account_by_number_visible,
    account_proposals,
    account_transactions,
    account_visible,
    accounts_in_order,
    designated_representatives,
    holding_account_by_number,
    holdings,
    is_trusted,
    representative_visible,
    representatives,
    trusted_entries,
    trusted_entry_visible,
)
from registry.selectors.allocation import (  # noqa: F401
    allocation_for,
    allocation_table_visible,
    allocation_tables_of,
    allocation_tables_visible,
    allocations_for,
    cap_for,
    line_seals,
    market_caps,
    table_lines,
)
from registry.selectors.common import (  # noqa: F401
    firm_visible,
    market_by_code,
    markets_in_order,
    regulator_market,
    visible_or_404,
)
from registry.selectors.coverage import (  # noqa: F401
    coverage_change_visible,
    coverage_changes_visible,
    firm_choices,
)
from registry.selectors.issuance import ZERO, issued_total  # noqa: F401
from registry.selectors.penalties import (  # noqa: F401
    penalised_firm_ids,
    penalties_in_order,
    penalties_of_market,
    penalties_visible,
    penalty_seals,
    penalty_visible,
)
from registry.selectors.production import (  # noqa: F401
    covered_credit_codes,
    covered_firm_count,
    report_visible,
)
from registry.selectors.statistics import (  # noqa: F401
    ComplianceRate,
    MarketStatistics,
    compliance_rates,
    covered_firm_ids,
    market_statistics,
    obliged_counts,
    rate_pct,
    statistics_across_markets,
    statistics_series,
    statistics_years,
    traded_volume,
    unit_totals,
)
from registry.selectors.surrender import (  # noqa: F401
    YearPosition,
    compliance_deadline,
    compliance_firm_ids,
    compliance_history,
    compliance_rows,
    compliance_status,
    compliance_statuses,
    compliance_statuses_of,
    compliance_summary,
    coverage_span,
    firm_credit_codes,
    firm_names,
    firms_by_id,
    notice_seals,
)
from registry.selectors.transactions import (  # noqa: F401
    market_transactions,
    reversal_request_visible,
    transaction_page_reads,
    transaction_visible,
    transactions_with_entries,
)
from registry.selectors.transfers import proposal_visible, proposals_newest_first  # noqa: F401
