"""Reads of the MRV cycle that pages, the API, the admin and the services share (services write, selectors read).

Sliced by stage like the workflow and the services: `plans`, `reports`, `verification`, `spot_checks`,
`review`, then what is around them: `desk` (the regulator's overview), `clocks`, `deposits`, `coverage`,
`records` (seals, chain checks), `audit`, `markets` (reference data), `jobs`.
Each function runs a fixed number of queries. Rules that are reads too (materiality, the reported figure)
are stated once in the workflow predicates and offered here under the names pages use. The names below
are re-exported so `selectors.plan_in_force` keeps working; new code may import from the stage module.
"""

from mrv.selectors.clocks import extension_requests, information_requests
from mrv.selectors.deposits import DepositMonth, deposit_months, deposit_overview
from mrv.selectors.plans import plan_in_force
from mrv.selectors.records import report_seals, seals_with_checks
from mrv.selectors.review import review_page_reads
from mrv.selectors.verification import (
    Materiality,
    materiality,
    reported_emissions,
    verification_page_reads,
    with_response_dues,
)

__all__ = [
    "DepositMonth",
    "Materiality",
    "deposit_months",
    "deposit_overview",
    "extension_requests",
    "information_requests",
    "materiality",
    "plan_in_force",
    "report_seals",
    "reported_emissions",
    "review_page_reads",
    "seals_with_checks",
    "verification_page_reads",
    "with_response_dues",
]
