"""The checks of a real-name submission from the public: an objection to a publicity entry
(certification.publicity.services.objection_file) and a report about a certified enterprise
(audits.services.office.report_file) ask the same of the person — a name, a phone number, a
reason of bounded length and an optional evidence PDF — and answer the same messages. Both give the
person a tracking number to follow the submission with (:func:`unique_tracking_number`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import InvalidInput
from core.uploads import inspect_pdf, read_head_tail, sha256_of

NAME_MAX = 50
# No 0/O, 1/I: a number read out on the phone is not misheard.
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TRACKING_LENGTH = 10
TRACKING_TRIES = 5
PHONE_MIN, PHONE_MAX = 7, 20


@dataclass(frozen=True)
class RealNameSubmission:
    name: str
    phone: str
    reason: str
    evidence_sha256: str  # "" without evidence


def check_real_name(
    *,
    name: str,
    phone: str,
    reason: str,
    evidence: Any = None,
    reason_min: int,
    reason_max: int,
    reason_message: str,
) -> RealNameSubmission:
    """Every problem at once (InvalidInput keyed name / phone / reason / evidence), or the cleaned values.

    The evidence, when given, must be a PDF by content within the upload limit; its SHA-256 is returned
    and the file is left at its start for the caller to store.
    """
    errors: dict[str, list[str]] = {}
    name, phone, reason = (name or "").strip(), (phone or "").strip(), (reason or "").strip()
    if not name or len(name) > NAME_MAX:
        errors["name"] = [_("请填写真实姓名（50 字以内）。")]
    if (
        not phone
        or not all(c.isdigit() or c in "+- " for c in phone)
        or not PHONE_MIN <= len(phone) <= PHONE_MAX
    ):
        errors["phone"] = [_("请填写有效的联系电话。")]
    if not reason_min <= len(reason) <= reason_max:
        errors["reason"] = [reason_message]
    evidence_hash = ""
    if evidence is not None:
        head, tail = read_head_tail(evidence, evidence.size)
        problem = inspect_pdf(head, evidence.size, evidence.name or "", settings.UPLOAD_MAX_BYTES, tail=tail)
        if problem:
            errors["evidence"] = [problem]
        else:
            evidence_hash = sha256_of(evidence)
            evidence.seek(0)
    if errors:
        raise InvalidInput(errors)
    return RealNameSubmission(name=name, phone=phone, reason=reason, evidence_sha256=evidence_hash)


class TrackingNumbersExhausted(RuntimeError):
    """Every try produced a number already taken: with 32**10 numbers, a broken random source."""


def new_tracking_number(prefix: str) -> str:
    return prefix + "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def unique_tracking_number(prefix: str, model: type[models.Model], tries: int = TRACKING_TRIES) -> str:
    """A tracking number no row of ``model`` has yet (its ``tracking_number`` is unique too).

    Raises :class:`TrackingNumbersExhausted` rather than hand out a number that is already taken.
    """
    for _attempt in range(tries):
        number = new_tracking_number(prefix)
        if not model._default_manager.filter(tracking_number=number).exists():
            return number
    raise TrackingNumbersExhausted(
        f"{tries} {prefix} tracking numbers in a row were taken ({model.__name__})"
    )


class RealNameForm(forms.Form):
    """The fields every real-name submission asks for: name, phone, an optional evidence PDF.

    Subclasses add what they are about (the target and the reason, with their own wording) and set
    ``field_order``. The shape only: :func:`check_real_name` decides what is valid.
    """

    name = forms.CharField(
        label=gettext_lazy("真实姓名"),
        max_length=NAME_MAX,
        error_messages={"required": gettext_lazy("请填写真实姓名。")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("联系电话"),
        max_length=PHONE_MAX,
        error_messages={"required": gettext_lazy("请填写联系电话。")},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    evidence = forms.FileField(
        label=gettext_lazy("证明材料（可选，PDF）"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
        help_text=gettext_lazy("仅限一个 PDF 文件；多份材料请合并为一个文件。"),
    )


class TrackingNumberForm(forms.Form):
    """A tracking number as people type it: spaces dropped, upper case. Subclasses set the wording."""

    required_message = gettext_lazy("请填写查询编号。")
    placeholder = ""

    number = forms.CharField(
        label=gettext_lazy("查询编号"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        number = self.fields["number"]
        number.error_messages["required"] = self.required_message
        number.widget.attrs["placeholder"] = self.placeholder

    def clean_number(self) -> str:
        return "".join(self.cleaned_data["number"].split()).upper()
