"""Who may move an emission report, and when (the firm's part of the cycle)."""

from django.apps import apps

from mrv.workflow.mandates import mandated_firm_ids

EDITABLE_STATES = frozenset({"draft", "returned_to_firm"})


def is_firm_user(report, user) -> bool:
    """A reporter or approver of the report's firm: they enter and correct data."""
    return bool(user.is_firm_user and user.firm_id == report.firm_id)


def is_data_entrant(report, user) -> bool:
    """Enters and corrects the report's activity and output data: the firm's own people, or a person the firm
    entrusted with its data (an open `DataEntryMandate`)."""
    return is_firm_user(report, user) or report.firm_id in mandated_firm_ids(user)


def is_data_editor(report, user) -> bool:
    """A data entrant while the report is editable: writes rows in the grid, the upload and the API."""
    return is_editable(report) and is_data_entrant(report, user)


def is_firm_approver(report, user) -> bool:
    """Only an approver submits: the four-eyes step inside the firm."""
    return user.role == "firm_approver" and user.firm_id == report.firm_id


def is_editable(report) -> bool:
    return report.status in EDITABLE_STATES


def is_report_editor(report, user) -> bool:
    """A firm user while the report is editable: attaches evidence, takes over quarterly data (the data itself:
    `is_data_editor`, which an entrusted person passes too)."""
    return is_firm_user(report, user) and is_editable(report)


def no_accepted_engagement(report) -> bool:
    """Once a verification body has accepted the firm-year, the firm can no longer pull the report back."""
    engagements = apps.get_model("mrv", "VerificationEngagement").objects
    return not engagements.filter(firm_id=report.firm_id, year=report.year, status="accepted").exists()
