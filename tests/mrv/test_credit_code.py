import pytest
from django.core.exceptions import ValidationError

from mrv.credit_code import check_character, make_credit_code, validate_credit_code

# Published codes of real enterprises (their check characters are independent of our code).
KNOWN_VALID = ["91350100M000100Y43", "91110000600037341L", "9144030071526726XG"]


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_published_credit_codes_are_valid(code):
    validate_credit_code(code)


def test_lower_case_is_accepted_as_upper_case():
    validate_credit_code(KNOWN_VALID[0].lower())


def test_wrong_check_character_is_refused_with_the_expected_one():
    code = KNOWN_VALID[1][:-1] + "M"
    with pytest.raises(ValidationError) as err:
        validate_credit_code(code)
    assert err.value.code == "check"
    assert err.value.params == {"expected": "L", "got": "M"}


@pytest.mark.parametrize("code,length", [("91110000600037341", 17), ("91110000600037341LX", 19), ("", 0)])
def test_wrong_length_is_refused(code, length):
    with pytest.raises(ValidationError) as err:
        validate_credit_code(code)
    assert err.value.code == "length"
    assert err.value.params == {"n": length}


@pytest.mark.parametrize("char", ["I", "O", "S", "V", "Z", "-"])
def test_letters_outside_the_alphabet_are_refused(char):
    code = "9111000060003734" + char + "L"
    with pytest.raises(ValidationError) as err:
        validate_credit_code(code)
    assert err.value.code == "character"
    assert err.value.params["pos"] == 17


def test_made_codes_validate_and_check_zero_maps_to_zero():
    validate_credit_code(make_credit_code("91310000000000001"))
    # A weighted sum divisible by 31 gives check character "0", not "31".
    assert check_character("00000000000000000") == "0"
