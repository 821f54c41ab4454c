from __future__ import annotations

from django.core.exceptions import PermissionDenied


class ApplicationStateError(Exception):
    """The action is not allowed in the object's current status (the API answers 409)."""

    def __init__(self, message: str, *, status: str) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class InvalidInput(Exception):
    """Every problem at once, keyed by field path (the API answers 400 with this dict)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class DomainPermissionDenied(PermissionDenied):
    """A service refuses the caller's role or district (403 in the browser and the API).

    A subclass of Django's PermissionDenied, so the browser gets the 403 page (handler403) without
    any view catching it; the API's exception handler answers ``{"detail": message}``.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
