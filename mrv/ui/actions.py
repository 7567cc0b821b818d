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
}


def action_label(code: str):
    last = (code or "").rsplit(".", 1)[-1]
    return ACTION_LABELS.get(last, last.replace("_", " "))
