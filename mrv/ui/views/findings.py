"""The firm answers each verifier finding (a partial page update with htmx; a plain POST works too)."""

from django.utils.translation import gettext_lazy as _

from mrv.models import EmissionReport
from mrv.selectors.verification import report_findings, with_response_dues
from mrv.ui.buttons import allowed_each
from mrv.ui.forms.findings import AnswerForm
from mrv.workflow import reports as report_rules
from mrv.workflow.verification import finding_actions_open

ANSWERED = _("Your answer is recorded.")


def findings_context(user, report: EmissionReport) -> dict:
    """The report's findings with their answers, and whether the user answers for the firm."""
    findings = report_findings(report)
    answers_for_firm = report_rules.is_firm_user(report, user) and "answer" in finding_actions_open(report)
    for finding in findings:
        finding.report = report  # the permissions read the loaded report
    allowed_each(findings, user, only=finding_actions_open(report) & {"answer"})
    return {
        "findings": findings,
        "report_response_due": with_response_dues(findings),
        "answers_for_firm": answers_for_firm,
        "answer_form": AnswerForm(),
    }
