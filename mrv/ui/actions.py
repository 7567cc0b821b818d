"""Readable names for audit-trail action codes (``mrv.emissionreport.submit`` → “submitted”).

The last part of a code names the action; features add theirs to `ACTION_LABELS`. An unknown code
shows its last part with spaces, so nothing is hidden.
"""

from django.utils.translation import pgettext_lazy

ACTION_LABELS = {
    "created": pgettext_lazy("audit action", "created"),
    "changed": pgettext_lazy("audit action", "changed"),
    "submit": pgettext_lazy("audit action", "submitted"),
    "resubmit": pgettext_lazy("audit action", "resubmitted"),
    "withdraw": pgettext_lazy("audit action", "withdrawn"),
    "approve": pgettext_lazy("audit action", "approved"),
    "check_by_third_party": pgettext_lazy("audit action", "checked by the third party"),
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
    "assign": pgettext_lazy("audit action", "verification body assigned"),
    "reassign": pgettext_lazy("audit action", "verification body reassigned"),
    "accept": pgettext_lazy("audit action", "accepted"),
    "decline": pgettext_lazy("audit action", "declined"),
    "raised": pgettext_lazy("audit action", "finding raised"),
    "answer": pgettext_lazy("audit action", "answered"),
    "close": pgettext_lazy("audit action", "closed"),
    "reopen": pgettext_lazy("audit action", "reopened"),
    "start_verification": pgettext_lazy("audit action", "verification started"),
    "sign_off": pgettext_lazy("audit action", "opinion signed (verified)"),
    "sign_off_not_verified": pgettext_lazy("audit action", "opinion signed (not verified)"),
    "select_for_spot_check": pgettext_lazy("audit action", "selected for the spot check"),
    "confirm_spot_check": pgettext_lazy("audit action", "spot check confirmed"),
    "record_spot_check_discrepancy": pgettext_lazy("audit action", "spot-check discrepancies recorded"),
    "send_to_review": pgettext_lazy("audit action", "sent to the regulator's review"),
    "return_to_verifier": pgettext_lazy("audit action", "returned to the verifier"),
    "regulator_return_to_firm": pgettext_lazy("audit action", "returned to the firm by the regulator"),
    "propose_determination": pgettext_lazy("audit action", "determination proposed"),
    "propose_conservative_estimate": pgettext_lazy("audit action", "conservative estimate proposed"),
    "approve_determination": pgettext_lazy("audit action", "determination approved"),
    "reject_determination": pgettext_lazy("audit action", "determination rejected"),
    "drawn": pgettext_lazy("audit action", "spot-check sample drawn"),
    "body_assigned": pgettext_lazy("audit action", "spot-check body assigned"),
    "start_co_review": pgettext_lazy("audit action", "co-review started"),
    "accept_quarterly": pgettext_lazy("audit action", "quarterly report accepted"),
    "return_quarterly": pgettext_lazy("audit action", "quarterly report returned"),
    "quarterly_taken_over": pgettext_lazy("audit action", "quarterly data taken over"),
}


def register_actions(labels: dict[str, object]) -> None:
    """Features add the labels of their audit codes' last parts (from their AppConfig.ready())."""
    for key, label in labels.items():
        ACTION_LABELS.setdefault(key, label)


def action_label(code: str):
    last = (code or "").rsplit(".", 1)[-1]
    return ACTION_LABELS.get(last, last.replace("_", " "))
