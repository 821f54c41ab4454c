"""The browser's one path for domain errors (the API's is certification/api/exceptions.py).

A view calls its service inside one of these blocks instead of catching InvalidInput and
ApplicationStateError by hand:

- ``form_errors(form)``: InvalidInput's messages go onto the form's fields (a key that is not a field
  becomes a non-field error), a state conflict becomes a non-field error (or a flash message with
  ``conflict_request=``); the view re-renders with ``failed.status`` (400 or 409).
- ``flash_errors(request)``: every message becomes a flash message; the view redirects.
- ``domain_errors()``: only records what went wrong, for a page that shows it its own way.

Success code goes inside the block after the service call (it is the ``else:`` of a try), so a view
reads: call, say so, redirect; and after the block: render again with ``failed.status``.
DomainPermissionDenied is not caught: Django's handler403 renders the 403 page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from core.errors import ApplicationStateError, InvalidInput


@dataclass
class Failure:
    """What went wrong inside the block; falsy while nothing has."""

    status: int = 0  # 400 (InvalidInput) or 409 (ApplicationStateError)
    errors: dict[str, list[str]] = field(default_factory=dict)  # InvalidInput.errors
    message: str = ""  # ApplicationStateError.message
    state: str = ""  # ApplicationStateError.status (the object's status when refused)

    def __bool__(self) -> bool:
        return self.status != 0


def add_form_errors(
    form: Any, errors: Mapping[str, list[str]], *, field_map: Mapping[str, str | None] | None = None
) -> None:
    """InvalidInput.errors onto a Django form; ``field_map`` renames service keys to form fields
    (None: a non-field error)."""
    for key, problems in errors.items():
        name = (field_map or {}).get(key, key)
        for problem in problems:
            form.add_error(name if name is not None and name in form.fields else None, problem)


@contextmanager
def domain_errors() -> Iterator[Failure]:
    failure = Failure()
    try:
        yield failure
    except InvalidInput as exc:
        failure.status, failure.errors = 400, exc.errors
    except ApplicationStateError as exc:
        failure.status, failure.message, failure.state = 409, exc.message, exc.status


@contextmanager
def form_errors(
    form: Any,
    *,
    conflict_request: HttpRequest | None = None,
    field_map: Mapping[str, str | None] | None = None,
) -> Iterator[Failure]:
    with domain_errors() as failure:
        yield failure
    if failure.status == 400:
        add_form_errors(form, failure.errors, field_map=field_map)
    elif failure.status == 409:
        if conflict_request is None:
            form.add_error(None, failure.message)
        else:
            messages.error(conflict_request, failure.message)


@contextmanager
def flash_errors(request: HttpRequest) -> Iterator[Failure]:
    with domain_errors() as failure:
        yield failure
    for problems in failure.errors.values():
        for problem in problems:
            messages.error(request, problem)
    if failure.message:
        messages.error(request, failure.message)


HONEYPOT_FIELD = "website"  # rendered hidden from people by the public forms' templates; only scripts fill it


def public_submission(
    request: HttpRequest,
    *,
    refusal: str,
    make_form: Callable[..., Any],
    page: Callable[..., HttpResponse],
    submit: Callable[[dict[str, Any]], Any],
) -> Any:
    """One POST of a public form that files something under a real name (an objection, a report).

    In order: over the address's rate limit (``refusal``, the message; "" when allowed) → 429 with the
    input kept; the honeypot filled → 400 that says nothing of why, nothing saved; the form invalid →
    400; then ``submit(cleaned_data)``, whose domain errors come back on the form (400) or as the
    page's message (409). Returns the page to answer with, or what ``submit`` returned.
    """
    if refusal:
        return page(make_form(request.POST), status=429, error=refusal)
    if request.POST.get(HONEYPOT_FIELD):
        return page(make_form(), status=400, error=_("提交失败。"))
    form = make_form(request.POST, request.FILES)
    if not form.is_valid():
        return page(form, status=400)
    with domain_errors() as failed:
        filed = submit(form.cleaned_data)
    if failed:
        add_form_errors(form, failed.errors)
        return page(form, status=failed.status, error=failed.message)
    return filed


def tracking_lookup(
    form: Any, *, find: Callable[[str], dict[str, Any] | None], over_limit: Callable[[], str]
) -> tuple[dict[str, Any] | None, int]:
    """A public tracking-number look-up: (what the page may show, the status to answer with).

    ``find`` gives only the fields the page may show (never the submitter's identity) or None;
    ``over_limit`` counts an unknown number against the address and gives the message once it is over
    its limit (guessing is limited, checking a real number is not).
    """
    if not form.is_bound:
        return None, 200
    if not form.is_valid():
        return None, 400
    result = find(form.cleaned_data["number"])
    if result is not None:
        return result, 200
    refusal = over_limit()
    form.add_error("number", refusal or _("未找到该查询编号，请核对后重新输入。"))
    return None, 429 if refusal else 404
