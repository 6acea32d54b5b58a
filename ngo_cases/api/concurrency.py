"""ETag / If-Match for :class:`VersionedModel` rows: the HTTP half of
optimistic concurrency (the writes are in ngo_cases/versioning.py).

The ETag of a row is ``"v<version>"``. A PATCH, PUT or DELETE must send it in
``If-Match``: without it the answer is 428; when it no longer matches, 412.
The services check it again on the locked row, so two writers holding the
same ETag cannot both succeed: one writes, the other gets 412.
"""

from __future__ import annotations

from rest_framework.request import Request

from ngo_cases.db import VersionedModel
from ngo_cases.errors import StaleVersion

from .errors import PreconditionRequired


def etag_for(obj: VersionedModel) -> str:
    return f'"v{obj.version}"'


def _parse_if_match(header: str) -> set[int]:
    versions: set[int] = set()
    for raw in header.split(","):
        tag = raw.strip()
        if tag.startswith("W/"):
            continue  # weak tags never match for If-Match (RFC 9110 13.1.1)
        tag = tag.strip('"')
        if tag.startswith("v") and tag[1:].isdigit() and len(tag) < 12:
            versions.add(int(tag[1:]))
    return versions


def expected_version(request: Request, obj: VersionedModel) -> int:
    """The version the client edits, from If-Match. 428 without the header
    (or with ``*``, which would defeat the check), 412 if it is stale."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        raise PreconditionRequired()
    if obj.version not in _parse_if_match(header):
        raise StaleVersion()
    return obj.version
