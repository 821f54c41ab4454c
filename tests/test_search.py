"""The lists' search box: names in any case; credit codes and certificate numbers only when the query
could be part of one, so that a Chinese name is one condition the name's trigram index can serve."""

from __future__ import annotations

import pytest
from django.db.models import Q

from core.search import name_or_code
from core.uscc import could_be_part_of_code
from districts.selectors import district_queue
from tests.factories import ApplicationFactory, EnterpriseFactory, district


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("91120116", True),
        ("91120116mA05", True),  # lower case: codes are compared upper-cased
        ("TJ2026", True),  # a certificate number's prefix
        ("", False),
        ("滨海科技", False),
        ("9112 0116", False),  # a space is in no code
        ("91O2", False),  # O (like I, S, V, Z) is not in the code's alphabet
        ("科技91", False),
    ],
)
def test_could_be_part_of_code(text, expected):
    assert could_be_part_of_code(text) is expected


def test_a_chinese_query_reads_the_names_only():
    assert name_or_code("滨海科技", names=("enterprise__name",), codes=("enterprise__uscc",)) == Q(
        enterprise__name__icontains="滨海科技"
    )


def test_a_code_fragment_reads_names_and_codes_upper_cased():
    condition = name_or_code("91120116ma", names=("enterprise_name",), codes=("uscc", "number"))
    assert condition == (
        Q(enterprise_name__icontains="91120116ma")
        | Q(uscc__icontains="91120116MA")
        | Q(number__icontains="91120116MA")
    )


@pytest.mark.django_db
def test_the_queue_finds_by_name_and_by_code_fragment():
    binhai = district("120116")
    found = ApplicationFactory(
        enterprise=EnterpriseFactory(district=binhai, name="津南量子科技有限公司"), status="submitted"
    )
    ApplicationFactory(
        enterprise=EnterpriseFactory(district=binhai, name="滨海生物有限公司"), status="submitted"
    )
    elsewhere = ApplicationFactory(
        enterprise=EnterpriseFactory(district=district("120101"), name="量子科技和平分公司"),
        status="submitted",
    )
    assert list(district_queue(binhai.pk, query="量子科技")) == [found]
    code = found.enterprise.uscc
    assert list(district_queue(binhai.pk, query=code[-8:].lower())) == [found]
    assert list(district_queue(elsewhere.district_id, query="量子")) == [elsewhere]
