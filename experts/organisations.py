"""Is an expert's organisation the same as one named in an application? (docs/domain.md “Expert review”)

Pure (no Django, no ORM): ``experts.draw`` screens with it, the tests call it directly.

Normalisation
-------------
- a name: Unicode NFKC (full-width letters, digits and brackets fold to half-width), every kind of
  bracket unified to ``(`` ``)`` (（）() 【】[] 〔〕〖〗), all white space removed, Latin letters
  lower-cased, and the legal form ``有限责任公司`` written ``有限公司`` (the two are the same form in
  everyday use). ``股份有限公司`` is KEPT DISTINCT: a joint-stock company is another legal form, and
  “某某股份有限公司” and “某某有限公司” are often two different companies of one group;
- a USCC (统一社会信用代码): NFKC, white space removed, upper-case.

Two organisations are THE SAME when their normalised names are equal — even when both codes are
given and differ, so a mistyped code never hides a conflict (the mismatch is reported) — or when
both codes are given and equal. An empty name or code never matches anything.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["OrgMatch", "match_normalised", "normalise_name", "normalise_uscc", "same_organisation"]

_BRACKETS = str.maketrans(
    {"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")", "〖": "(", "〗": ")"}
)
_SPACE = re.compile(r"\s+")


# Pure functions of a string, called for every screened expert's employer and relations at each draw:
# memoised per process (a worker's draws see the same pool), a few MB at most.
@lru_cache(maxsize=65536)
def normalise_name(name: str | None) -> str:
    """The comparable form of an organisation's name ("" for an empty one)."""
    if not name:
        return ""
    if not unicodedata.is_normalized("NFKC", name):  # the check is much cheaper than normalising
        name = unicodedata.normalize("NFKC", name)
    text = "".join(name.translate(_BRACKETS).split()).casefold()  # split(): every kind of white space
    return text.replace("有限责任公司", "有限公司")


@lru_cache(maxsize=65536)
def normalise_uscc(code: str | None) -> str:
    """The comparable form of a USCC ("" for an empty one)."""
    if not code:
        return ""
    if code.isascii() and code.isalnum():  # the usual case: NFKC and the space removal change nothing
        return code.upper()
    return _SPACE.sub("", unicodedata.normalize("NFKC", code)).upper()


@dataclass(frozen=True, slots=True)
class OrgMatch:
    """Why two organisations are the same: ``by_name``, ``by_code``, and a code mismatch if any."""

    by_name: bool
    by_code: bool
    given_code: str = ""  # the application's code, normalised, when the codes differ
    other_code: str = ""  # the expert's (employer or declared) code, normalised, when the codes differ

    @property
    def code_mismatch(self) -> bool:
        return bool(self.given_code or self.other_code)


def same_organisation(
    given_name: str | None, given_code: str | None, other_name: str | None, other_code: str | None
) -> OrgMatch | None:
    """``OrgMatch`` when the organisation named in the application (``given_*``) is the expert's
    (``other_*``), else ``None``. A name match with two different codes is still a match; the
    mismatch is kept (``given_code``/``other_code``) so the draw record can show it."""
    return match_normalised(
        normalise_name(given_name),
        normalise_uscc(given_code),
        normalise_name(other_name),
        normalise_uscc(other_code),
    )


def match_normalised(a_name: str, a_code: str, b_name: str, b_code: str) -> OrgMatch | None:
    """:func:`same_organisation` on names and codes already normalised (the draw normalises the
    application's organisations once, and each expert's employer once, not once per comparison)."""
    by_name = bool(a_name) and a_name == b_name
    by_code = bool(a_code) and a_code == b_code
    if not (by_name or by_code):
        return None
    if by_name and a_code and b_code and a_code != b_code:
        return OrgMatch(by_name=True, by_code=False, given_code=a_code, other_code=b_code)
    return OrgMatch(by_name=by_name, by_code=by_code)
