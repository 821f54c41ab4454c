"""Uploaded files keep the name the client sent (``client_name``), for the browser and the API alike.

Django strips the directory part of an uploaded file's name while it parses the body, so a service
that refuses ``../../x.pdf`` would only ever see ``x.pdf`` and store it quietly under that name. The
parser below records the name first; the middleware makes Django's own parsing of browser forms use
it, and the API's multipart parser uses it too. The upload checks then refuse such a name the same
way on both paths.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParser
from django.utils.datastructures import ImmutableList


class ClientNameMultiPartParser(MultiPartParser):
    _client_name: str | None = None

    def sanitize_file_name(self, file_name):  # type: ignore[no-untyped-def]
        self._client_name = file_name
        return super().sanitize_file_name(file_name)

    def handle_file_complete(self, old_field_name, counters):  # type: ignore[no-untyped-def]
        super().handle_file_complete(old_field_name, counters)
        files = self._files.getlist(old_field_name)
        if files and not hasattr(files[-1], "client_name"):
            files[-1].client_name = self._client_name


class ClientFileNameMiddleware:
    """Browser forms: request.FILES is parsed with :class:`ClientNameMultiPartParser` (lazily, when
    something first reads request.POST or request.FILES, as Django does)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        def parse_file_upload(meta, post_data):  # type: ignore[no-untyped-def]
            request.upload_handlers = ImmutableList(
                request.upload_handlers,
                warning="You cannot alter upload handlers after the upload has been processed.",
            )
            return ClientNameMultiPartParser(
                meta, post_data, request.upload_handlers, request.encoding
            ).parse()

        request.parse_file_upload = parse_file_upload  # type: ignore[method-assign]
        return self.get_response(request)
