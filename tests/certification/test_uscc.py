import pytest

from core.uscc import ALPHABET, check_character, make_uscc, uscc_problem

VALID = [
    "91110000802100433B",  # published codes of well-known companies
    "91110108551385082Q",
    "914403001922038216",
    "91440300708461136T",
    "91120116MA05K3L1X" + check_character("91120116MA05K3L1X"),
]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    assert uscc_problem(code) is None


def test_known_real_code_check_character():
    # 91110000802100433B is a published code; its check character must come out as B.
    assert check_character("91110000802100433") == "B"


def test_a_wrong_check_character_is_not_revealed():
    # Naming the expected last character would invite "fixing" a code mistyped elsewhere.
    problem = uscc_problem("91110000802100433C")
    assert problem is not None and "B" not in problem and "最后一位应为" not in problem


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91110000802100433C", "逐位核对"),
        ("91110000802100433", "应为 18 位"),
        ("91110000802100433BB", "应为 18 位"),
        ("9111000080210043IB", "I"),
        ("91110000802100433b", "b"),
        ("91110000802100O33B", "O"),
        ("", "当前为 0 位"),
    ],
)
def test_invalid_codes_explain_why(code, fragment):
    problem = uscc_problem(code)
    assert problem is not None
    assert fragment in problem


def test_every_single_character_change_of_the_check_digit_is_caught():
    body = "91120116MA05K3L1X"
    good = make_uscc(body)
    for ch in ALPHABET:
        code = body + ch
        assert (uscc_problem(code) is None) == (code == good)


def test_alphabet_excludes_ambiguous_letters():
    assert len(ALPHABET) == 31
    assert not set("IOSVZ") & set(ALPHABET)
