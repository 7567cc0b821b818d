"""Readable names for audit-trail action codes (``mrv.emissionreport.submit`` → “submitted”).

A workflow transition declares its label next to it (`custom=facts(label=…)`); other actions (data
saved, files attached, the registry's movements) are named here by the last part of their code. An
unknown code shows its last part with spaces, so nothing is hidden.
"""

from django.utils.translation import pgettext_lazy

from mrv.workflow.facts import declared

ACTION_LABELS = {
    "created": pgettext_lazy("audit action", "created"),
    "changed": pgettext_lazy("audit action", "changed"),
    "submit": pgettext_lazy("audit action", "submitted"),
    "withdraw": pgettext_lazy("audit action", "withdrawn"),
    "approve": pgettext_lazy("audit action", "approved"),
    "return_to_firm": pgettext_lazy("audit action", "returned to the firm"),
    "data_saved": pgettext_lazy("audit action", "activity data saved"),
    "output_saved": pgettext_lazy("audit action", "output data saved"),
    "warning_acknowledged": pgettext_lazy("audit action", "warning acknowledged"),
    "evidence_attached": pgettext_lazy("audit action", "evidence attached"),
    "file_attached": pgettext_lazy("audit action", "file attached"),
    "stream_added": pgettext_lazy("audit action", "source stream added"),
    "stream_removed": pgettext_lazy("audit action", "source stream removed"),
    "parameter_set": pgettext_lazy("audit action", "parameter set"),
    # Verification, spot check and the regulator's review.
    "accept": pgettext_lazy("audit action", "accepted"),
    "decline": pgettext_lazy("audit action", "declined"),
    "raised": pgettext_lazy("audit action", "finding raised"),
    "answer": pgettext_lazy("audit action", "answered"),
    "close": pgettext_lazy("audit action", "closed"),
    "reopen": pgettext_lazy("audit action", "reopened"),
    "drawn": pgettext_lazy("audit action", "spot-check sample drawn"),
    "body_assigned": pgettext_lazy("audit action", "spot-check body assigned"),
    "quarterly_taken_over": pgettext_lazy("audit action", "quarterly data taken over"),
    "opened_at_submission": pgettext_lazy("audit action", "opened at the report's submission"),
    # A candidate of the covered-firm list; the statistics bureau's or regulator's quarterly co-review.
    "saved": pgettext_lazy("audit action", "saved"),
    "accepted": pgettext_lazy("audit action", "co-review: accepted"),
    "returned": pgettext_lazy("audit action", "co-review: returned"),
    "closed": pgettext_lazy("audit action", "coverage ended"),
    "imported": pgettext_lazy("audit action", "imported"),
    "reevaluated": pgettext_lazy("audit action", "inclusion re-evaluated"),
    "opened_for_estimate": pgettext_lazy("audit action", "opened for a conservative estimate"),
    "approved": pgettext_lazy("audit action", "approved"),
    "proposed": pgettext_lazy("audit action", "proposed"),
    "verified": pgettext_lazy("audit action", "hash chains verified"),
    "publish": pgettext_lazy("audit action", "published"),
    "issued": pgettext_lazy("audit action", "document issued"),
    "prefilled_from_deposits": pgettext_lazy("audit action", "prefilled from the monthly deposits"),
    "response_due_set": pgettext_lazy("audit action", "response date set"),
    "coverage_ended": pgettext_lazy("audit action", "coverage ended"),
    "deposited": pgettext_lazy("audit action", "monthly data deposited"),
    "revised": pgettext_lazy("audit action", "monthly data revised"),
    "repudiated": pgettext_lazy("audit action", "submission repudiated"),
    # Data-entry mandates (mrv.mandate.*).
    "mandate_granted": pgettext_lazy("audit action", "data-entry mandate granted"),
    "mandate_ended": pgettext_lazy("audit action", "data-entry mandate ended"),
}


def register_actions(labels: dict[str, object]) -> None:
    """Features add the labels of their audit codes' last parts (from their AppConfig.ready())."""
    for key, label in labels.items():
        ACTION_LABELS.setdefault(key, label)


def action_label(code: str):
    """A transition's declared label first (mrv/workflow/facts.py), else the table above by the last part."""
    found = declared().get(code)
    if found is not None and found.label:
        return found.label
    last = (code or "").rsplit(".", 1)[-1]
    return ACTION_LABELS.get(last, last.replace("_", " "))
