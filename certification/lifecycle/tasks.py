"""Periodic work after the certificate: the daily sweep for missing monitoring reports."""

from __future__ import annotations

from celery import shared_task

from certification.lifecycle import services as lifecycle


@shared_task(
    name="certification.lifecycle_tasks.flag_missing_reports",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def flag_missing_reports() -> list[int]:
    """Flag valid certificates with two missing annual reports; a second run the same day flags nothing."""
    return [certificate.pk for certificate in lifecycle.flag_missing_annual_reports()]
