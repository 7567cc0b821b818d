"""The registry's and the public disclosure's transitions declare their facts next to them, as mrv's do: the audit
trail's label and, for a transfer's steps, the sentence every representative of the paying account reads."""

from django.apps import apps
from django.utils import translation
from django_fsm import FSMFieldMixin

from deadlines.messages import workflow_text
from mrv.ui.actions import action_label
from mrv.workflow.facts import declared

PARAMS = {"quantity": "500", "unit": "allowance 2025", "account": "SH-0001", "to_account": "SH-0002"}


def _transitions(app_label: str) -> set[str]:
    codes = set()
    for model in apps.get_app_config(app_label).get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, FSMFieldMixin):
                codes |= {f"{app_label}.{model._meta.model_name}.{t.name}" for t in field.get_all_transitions(model)}
    return codes


def test_every_registry_and_disclosure_transition_declares_its_label():
    codes = _transitions("registry") | _transitions("disclosure")
    assert "registry.transferproposal.schedule" in codes
    assert sorted(code for code in codes if code not in declared() or not declared()[code].label) == []
    assert str(action_label("registry.transferproposal.approve")) == "transfer approved and executed"
    assert str(action_label("registry.reversalrequest.reject")) == "reversal rejected"


def test_a_transfer_notice_is_the_sentence_declared_on_its_transition():
    for event in ("registry.transferproposal.approve", "registry.transferproposal.cancel"):
        assert workflow_text({"event": event, **PARAMS}) == declared()[event].message % PARAMS
    with translation.override("zh-hans"):
        text = workflow_text({"event": "registry.transferproposal.fail", **PARAMS})
    assert "SH-0001" in text and "500" in text and text != declared()["registry.transferproposal.fail"].message % PARAMS
    proposed = workflow_text({"event": "registry.transferproposal.proposed", **PARAMS, "execute_after": ""})
    assert proposed.startswith("A transfer of 500 t allowance 2025 from SH-0001 to SH-0002 was proposed")
