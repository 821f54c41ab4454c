"""Every Celery task of the app, imported from the stage that defines it: the worker autodiscovers
``certification.tasks``, so importing them here registers them all. Each task keeps the dotted name it had
before the split (``name=`` on its decorator), so beat schedules and queued messages still find it."""

from certification.certificates.tasks import render_certificate_batch  # noqa: F401
from certification.lifecycle.tasks import flag_missing_reports  # noqa: F401
from certification.publicity.tasks import close_due_notices  # noqa: F401
