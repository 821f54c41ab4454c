import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/", "/accounts/login/", "/self-check/", "/api/docs/", "/accounts/register/"]
)
def test_csp_without_inline_scripts(client, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp
    html = response.content.decode()
    # Every <script> loads a file; none carries code, and no element has an on…= handler.
    for tag in re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S):
        assert tag.strip() == ""
    assert not re.search(r"\son[a-z]+\s*=", html)


def test_docs_assets_are_local(client):
    html = client.get("/api/docs/").content.decode()
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not src.startswith(("http://", "https://", "//")), src
