"""The English catalogue: pages render in English after switching language, and the .po file is complete.

Message ids are Simplified Chinese (LANGUAGE_CODE = "zh-hans"); English comes from locale/en/LC_MESSAGES.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from districts.models import District

pytestmark = pytest.mark.django_db

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
CJK = re.compile(r"[\u4e00-\u9fff]")
TITLE = "Tianjin Municipal High-Tech Enterprise Certification"


@pytest.fixture(scope="module")
def compiled_catalogue():
    """`make test` compiles the catalogue first; compile it here too when the .mo is missing or stale."""
    if not MO_FILE.exists() or MO_FILE.stat().st_mtime < PO_FILE.stat().st_mtime:
        call_command("compilemessages", locale=["en"], ignore_patterns=[".venv"], verbosity=0)


@pytest.fixture
def english(client, compiled_catalogue):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    return client


def visible_cjk(html: str) -> list[str]:
    """CJK left in the page once the allowed Chinese is taken out: the label of the switch back to
    Chinese and the district names in the registration form's <select> (data, not template text)."""
    names = set(District.objects.values_list("name", flat=True))

    def drop_option(match: re.Match) -> str:
        text = match.group(1).strip()
        return "" if text in names else match.group(0)

    html = re.sub(r"<option[^>]*>(.*?)</option>", drop_option, html, flags=re.S)
    html = re.sub(r'(<button[^>]*value="zh-hans"[^>]*>)中文(</button>)', r"\1\2", html)
    return sorted({line.strip() for line in html.splitlines() if CJK.search(line)})


def test_switching_to_english_translates_the_landing_page(client, compiled_catalogue):
    chinese = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in chinese
    assert "天津市市级高新技术企业认定" in chinese

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"

    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert TITLE in html
    assert "District Working Group" in html
    assert "Municipal Working Group Office" in html
    assert "the Measures for the Certification of Tianjin Municipal High-Tech Enterprises" in html
    assert visible_cjk(html) == []


def test_switching_back_to_chinese(english):
    english.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = english.get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert TITLE not in html


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/register/"])
def test_account_pages_have_no_chinese_in_english(english, url):
    response = english.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert TITLE in html
    # The only Chinese on the page is the switch back to Chinese.
    assert ">中文</button>" in html
    assert visible_cjk(html) == []


def test_registration_form_in_english(english):
    html = english.get("/accounts/register/").content.decode()
    for label in ("Unified Social Credit Code (USCC)", "District", "Please select", "Register"):
        assert label in html
    # The district names are data and stay Chinese.
    assert District.objects.exists()
    for name in District.objects.values_list("name", flat=True):
        assert name in html


def test_registration_errors_in_english(english):
    # A bound form (an empty POST leaves it unbound) with mismatched passwords and missing fields.
    data = {"username": "ent_en", "password1": "Tianjin-2015-hi", "password2": "Tianjin-2015-ho"}
    response = english.post("/accounts/register/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html  # Django's own English
    assert "The two passwords entered do not match." in html  # ours
    assert visible_cjk(html) == []


# --- The catalogue itself --------------------------------------------------------------------------


def _unquote(s: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s)


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: flags, msgid, msgid_plural and msgstr / msgstr[n]; obsolete (#~) skipped."""
    entries: list[dict] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid") for line in lines):
            continue
        entry: dict = {"flags": set(), "msgstr": {}, "msgid": "", "msgid_plural": None}
        key = None
        for line in lines:
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif m := re.match(r'^(msgid|msgid_plural|msgstr(?:\[(\d+)\])?|msgctxt) "(.*)"$', line):
                keyword, index, text = m.groups()
                key = ("msgstr", int(index or 0)) if keyword.startswith("msgstr") else keyword
                if isinstance(key, tuple):
                    entry["msgstr"][key[1]] = _unquote(text)
                else:
                    entry[key] = _unquote(text)
            elif line.startswith('"') and key is not None:
                text = _unquote(line[1:-1])
                if isinstance(key, tuple):
                    entry["msgstr"][key[1]] += text
                else:
                    entry[key] += text
        entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def po_entries() -> list[dict]:
    assert PO_FILE.exists(), "run makemessages -l en (see README/locale)"
    return parse_po(PO_FILE)


def test_po_header(po_entries):
    header = po_entries[0]
    assert header["msgid"] == ""
    assert "fuzzy" not in header["flags"]
    assert "Language: en\n" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][0]


def test_po_every_entry_translated_and_not_fuzzy(po_entries):
    messages = po_entries[1:]
    assert len(messages) > 100
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    assert fuzzy == []
    empty = [
        e["msgid"]
        for e in messages
        if not e["msgstr"]
        or any(not s.strip() for s in e["msgstr"].values())
        or (e["msgid_plural"] is not None and len(e["msgstr"]) != 2)
    ]
    assert empty == []
    untranslated = [e["msgid"] for e in messages if CJK.search(e["msgid"]) and CJK.search(e["msgstr"][0])]
    assert untranslated == []


def test_po_placeholders_kept(po_entries):
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
    wrong = []
    for e in po_entries[1:]:
        wanted = sorted(placeholder.findall(e["msgid"] + (e["msgid_plural"] or "")))
        for text in e["msgstr"].values():
            if sorted(set(placeholder.findall(text))) != sorted(set(wanted)):
                wrong.append((e["msgid"], text))
    assert wrong == []


def test_po_key_terms(po_entries):
    translations = {e["msgid"]: e["msgstr"].get(0) for e in po_entries[1:]}
    assert translations["天津市市级高新技术企业认定"] == TITLE
    assert translations["区县工作小组"] == "District Working Group"
    assert translations["市工作小组办公室"] == "Municipal Working Group Office"
    assert translations["评审专家"] == "Review Expert"
    assert translations["企业用户"] == "Enterprise User"
    assert translations["统一社会信用代码"] == "Unified Social Credit Code (USCC)"
