"""The expert pool's generated usernames on the embedded default (SQLite).

`_generate_username` counts `zj00001`-style usernames with a ``__regex`` lookup: PostgreSQL's ``~``
operator, on SQLite the REGEXP function Django registers (Python's ``re``). Both must count only the
exact pattern, not `zj_wang` or a six-digit `zj000011`."""

from __future__ import annotations

from tests.embedded_default import run_embedded

SCRIPT = """
from experts.services.pool import _generate_username
from tests.factories import UserFactory

for name in ("zj00001", "zj00002", "zj_wang", "zj000011", "xzj00003"):
    UserFactory(username=name, role="expert")
assert _generate_username() == "zj00003", _generate_username()
UserFactory(username="ZJ00003", role="expert")  # taken whatever the case
assert _generate_username() == "zj00004", _generate_username()
print("usernames ok")
"""


def test_generated_expert_usernames_on_sqlite(tmp_path):
    assert "usernames ok" in run_embedded(SCRIPT, tmp_path)
