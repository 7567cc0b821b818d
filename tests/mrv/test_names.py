"""Names in the order of their language."""

from mrv.models import User


def test_a_chinese_name_reads_family_name_first_without_a_space():
    assert User(first_name="经办", last_name="王").get_full_name() == "王经办"


def test_a_western_name_reads_given_name_first():
    assert User(first_name="Jane", last_name="Smith").get_full_name() == "Jane Smith"
    assert User(first_name="", last_name="Smith").get_full_name() == "Smith"
