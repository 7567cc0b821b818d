"""Every audit code the product writes reads as words in both languages on the history and home pages.

An unknown code would show its last part with underscores turned into spaces (English on a Chinese
page): each transition of every state machine and each code written by `log_action` must have a label.
"""

import importlib.util
import pathlib
import re

import pytest
from django.apps import apps
from django.utils import translation
from django_fsm import FSMFieldMixin

from mrv.ui.actions import action_label

ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS = ("mrv", "registry", "deadlines", "signin", "disclosure")
CODE = re.compile(r"""["']((?:""" + "|".join(APPS) + r""")\.[a-z_]+\.[a-z_]+)["']""")
HAN = re.compile(r"[\u4e00-\u9fff]")


def _is_module(dotted: str) -> bool:
    try:
        return importlib.util.find_spec(dotted) is not None
    except ModuleNotFoundError:
        return False


def written_codes() -> set[str]:
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for code in CODE.findall(path.read_text(encoding="utf-8")):
                if not _is_module(code) and not _is_module(code.rsplit(".", 1)[0]):
                    found.add(code)
    return found


def transition_codes() -> set[str]:
    codes = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, FSMFieldMixin):
                for transition in field.get_all_transitions(model):
                    codes.add(f"{model._meta.app_label}.{model._meta.model_name}.{transition.name}")
    return codes


def _unlabelled(codes) -> list[str]:
    import config.urls  # noqa: F401 - apps register their labels when their pages load

    with translation.override("zh-hans"):
        return sorted(code for code in codes if not HAN.search(str(action_label(code))))


def test_the_scan_finds_the_codes_it_should():
    codes = written_codes()
    assert {"mrv.coverageentry.saved", "registry.representative.added", "mrv.emissionreport.created"} <= codes
    assert not any(code.startswith("mrv.services.") for code in codes)


@pytest.mark.parametrize("source", ["transitions", "log_action"])
def test_every_audit_code_has_a_chinese_label(source):
    codes = transition_codes() if source == "transitions" else written_codes()
    assert _unlabelled(codes) == []
