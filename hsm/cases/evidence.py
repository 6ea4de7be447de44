"""Evidence files (13.15): what a file is, judged by its content, never by its name.

Plain Python: it reads no request and no database. ``inspect`` looks at the first bytes (the
"magic bytes") and, for text, at the whole file, and answers the kind and media type, or
refuses with a code the form turns into words. The file's name must agree with its content:
a PNG called ``statement.pdf`` is refused, so nobody later opens it as something it is not.

The original bytes are the evidence and are never changed. ``shared_copy`` derives what may
be shared: for an image, a re-encoded copy without metadata (EXIF, GPS, comments), as the
Safe Contact photos are made (``hsm.safecontacts.photos``).
"""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from pathlib import PurePosixPath

from hsm.safecontacts import photos

#: The largest evidence file (checked in the form; the upload route's body limit is a little
#: above it, so a larger file is parsed and refused in words).
MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 4000  # the shared copy of an image keeps its detail


class EvidenceKind(enum.StrEnum):
    PDF = "pdf"
    IMAGE = "image"
    TEXT = "text"
    EMAIL = "email"


class EvidenceRejected(ValueError):
    """The file cannot be taken; ``reason`` is a code for the form's message."""

    def __init__(self, reason: str, **detail):
        self.reason, self.detail = reason, detail
        super().__init__(reason)


@dataclass(frozen=True)
class Inspected:
    kind: EvidenceKind
    media_type: str


_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "image/png", {".png"}),
    (b"\xff\xd8\xff", "image/jpeg", {".jpg", ".jpeg"}),
)
_EXTENSIONS = {
    EvidenceKind.PDF: {".pdf"},
    EvidenceKind.TEXT: {".txt"},
    EvidenceKind.EMAIL: {".eml"},
}
ACCEPTED_EXTENSIONS = frozenset({".pdf", ".png", ".jpg", ".jpeg", ".webp", ".txt", ".eml"})
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")  # an RFC 5322 field name, then a colon
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def extension(filename: str) -> str:
    return PurePosixPath((filename or "").replace("\\", "/")).suffix.lower()


def _text(raw: bytes) -> bool:
    """UTF-8 text a person wrote: no NUL or other control characters but tab and newlines."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not _CONTROL.search(raw)


def _email(raw: bytes) -> bool:
    """An exported email (RFC 5322): header lines first, with From and Date or Subject."""
    first = raw.lstrip(b"\r\n").split(b"\n", 1)[0]
    if not _HEADER_LINE.match(first):
        return False
    headers = BytesHeaderParser(policy=default_policy).parsebytes(raw)
    return "From" in headers and ("Date" in headers or "Subject" in headers)


def _sniff(raw: bytes) -> tuple[EvidenceKind, str, set[str]]:
    if raw.startswith(b"%PDF-"):
        return EvidenceKind.PDF, "application/pdf", _EXTENSIONS[EvidenceKind.PDF]
    for magic, media_type, names in _IMAGES:
        if raw.startswith(magic):
            return EvidenceKind.IMAGE, media_type, names
    if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return EvidenceKind.IMAGE, "image/webp", {".webp"}
    if _text(raw):
        if _email(raw):
            # An exported email is text too: either name fits it.
            return EvidenceKind.EMAIL, "message/rfc822", {".eml", ".txt"}
        return EvidenceKind.TEXT, "text/plain", _EXTENSIONS[EvidenceKind.TEXT]
    raise EvidenceRejected("unknown_content")


def inspect(raw: bytes, filename: str, *, max_bytes: int = MAX_BYTES) -> Inspected:
    """What the file is, by its content; refused when empty, too large, of a kind we do not
    take, or when its name says something else than its content."""
    if not raw:
        raise EvidenceRejected("empty")
    if len(raw) > max_bytes:
        raise EvidenceRejected("too_large")
    named = extension(filename)
    if named not in ACCEPTED_EXTENSIONS:
        raise EvidenceRejected("extension", extension=named)
    kind, media_type, names = _sniff(raw)
    if named not in names:
        raise EvidenceRejected("mismatch", extension=named)
    if kind is EvidenceKind.IMAGE:
        shared_copy(raw, kind)  # an image Pillow cannot read is refused now, not later
    return Inspected(kind, media_type)


def shared_copy(raw: bytes, kind: EvidenceKind) -> bytes | None:
    """The copy that may be shared, derived from the original: for an image, its pixels
    re-encoded without any metadata; for other kinds none (the original is what there is)."""
    if kind is not EvidenceKind.IMAGE:
        return None
    try:
        return photos.clean_photo(raw, max_bytes=MAX_BYTES, max_side=MAX_SIDE).data
    except photos.PhotoRejected as rejected:
        raise EvidenceRejected("unreadable_image") from rejected


def filename_of(filename: str) -> str:
    """The name as kept: its last part only (no folders), at most 200 characters."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    return name[-200:] or "evidence"


def sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()
