"""A returned filing on the embedded default (SQLite): the queue's reason (a correlated subquery), the
page and the three ways back through the API, with the filing service's row locks (no-ops there)."""

from __future__ import annotations

from tests.embedded_default import run_embedded

SCRIPT = """
from django.test import Client
from rest_framework.authtoken.models import Token

from audits.services import filing_decide
from certification.models import Application
from districts import services
from tests.factories import ApplicationFactory, EnterpriseFactory, UserFactory, district

binhai = district("120116")
official = UserFactory(role="district", district=binhai, username="o1")
office = UserFactory(municipal=True, username="m1")
token = Token.objects.create(user=official).key
apps = [ApplicationFactory(enterprise=EnterpriseFactory(district=binhai), status="publicity_passed") for _ in range(3)]
filing = services.filing_create(by=official, application_ids=[a.pk for a in apps])
filing_decide(
    filing=filing,
    by=office,
    decisions=[{"application": a.pk, "approved": False, "reason": f"退回理由{a.pk}"} for a in apps],
)
browser = Client()
browser.force_login(official)
queue = browser.get("/district/applications/").content.decode()
assert all(f"退回理由{a.pk}" in queue for a in apps), queue
page = browser.get(f"/district/applications/{apps[0].pk}/").content.decode()
assert f"退回理由{apps[0].pk}" in page
api = Client(HTTP_AUTHORIZATION=f"Token {token}")
answers = [
    api.post(f"/api/v1/applications/{app.pk}/{path}/", {"reason": "按退回理由处理"}, content_type="application/json")
    for app, path in zip(apps, ("refile", "back-to-review", "back-to-publicity"))
]
assert [a.status_code for a in answers] == [200] * 3, [a.content for a in answers]
print(sorted(Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("status", flat=True)))
"""


def test_a_returned_filing_on_sqlite(tmp_path):
    assert "['filed', 'recommended', 'reviewed']" in run_embedded(SCRIPT, tmp_path)
