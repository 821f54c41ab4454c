from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Scripts only from the portal itself, never inline; styles may be inline (Swagger UI needs it).
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_CSP)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class FormTextMiddleware:
    """Browser forms and query strings: text that cannot be stored or sent is refused with a 400.

    The API's JSON bodies are checked by ``config.parsers.StrictJSONParser``; this is the same rule
    (``config.parsers.text_problem``: C0/C1 control characters but tab and line breaks, lone
    surrogates) for form fields and query parameters, which Django's fields let through except NUL.
    Nothing reaches a view, so nothing is saved; the answer names the character without echoing the text.
    """

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = self.problem(request)
        if problem is not None:
            return self.refuse(request, problem)
        return self.get_response(request)

    def problem(self, request: HttpRequest) -> str | None:
        from config.parsers import text_problem

        sources = [request.GET]
        # API bodies are the API parsers' (reading them here would take the stream from DRF's own
        # upload parser); browser forms are checked here.
        is_form = request.content_type in self.FORM_TYPES and not request.path.startswith("/api/")
        if request.method not in ("GET", "HEAD", "OPTIONS") and is_form:
            sources.append(request.POST)
        for data in sources:
            for key, values in data.lists():
                for text in (key, *values):
                    problem = text_problem(text)
                    if problem is not None:
                        return problem
        return None

    def refuse(self, request: HttpRequest, problem: str) -> HttpResponse:
        from django.http import JsonResponse
        from django.shortcuts import render
        from django.utils.http import url_has_allowed_host_and_scheme

        if request.path.startswith("/api/"):
            return JsonResponse({"detail": problem}, status=400, json_dumps_params={"ensure_ascii": False})
        if request.headers.get("X-Autosave") or "application/json" in request.headers.get("Accept", ""):
            # The step pages' autosave (static/js): the same shape as a form error there.
            return JsonResponse(
                {"saved": False, "detail": problem, "errors": {"__all__": [problem]}}, status=400
            )
        referer = request.headers.get("Referer", "")
        back = referer if url_has_allowed_host_and_scheme(referer, {request.get_host()}) else ""
        return render(request, "errors/400.html", {"reason": problem, "back": back}, status=400)
