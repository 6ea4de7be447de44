"""Compressed responses, only where no secret can leak through them.

Static files are compressed once, at build time (``make assets`` runs
``python -m hsm.assets static``): each text file gets ``.br`` and ``.gz`` siblings, and
``hsm.site`` serves the one the browser accepts. The page cache compresses a shared public
page once when it stores it. Nothing else is ever compressed: staff pages carry the CSRF
token, and the report form, receipt and follow-up pages carry tokens or codes beside text the
person typed, which is what a compression side channel (BREACH) needs.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import brotli
from werkzeug.datastructures import MIMEAccept

# Best first: brotli is smaller than gzip for CSS, JS and HTML.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))
COMPRESSIBLE = (".css", ".js", ".svg", ".txt", ".json", ".map", ".ico", ".webmanifest")


def compress(data: bytes, encoding: str) -> bytes:
    """``data`` compressed with ``encoding`` (``br`` or ``gzip``), at the strongest level."""
    if encoding == "br":
        return brotli.compress(data, quality=11)
    if encoding == "gzip":
        return gzip.compress(data, compresslevel=9, mtime=0)  # the same bytes on every build
    raise ValueError(encoding)


def chosen_encoding(accept: MIMEAccept, offered: tuple[str, ...]) -> str | None:
    """The best of ``offered`` that the Accept-Encoding header allows, or None (identity)."""
    for encoding, _suffix in ENCODINGS:
        if encoding in offered and accept.quality(encoding) > 0:
            return encoding
    return None


def variants(data: bytes) -> dict[str, bytes]:
    """Every compressed form of ``data`` that is smaller than the original."""
    found = {}
    for encoding, _suffix in ENCODINGS:
        packed = compress(data, encoding)
        if len(packed) < len(data):
            found[encoding] = packed
    return found


def fresh_variant(path: Path, suffix: str) -> Path | None:
    """``path`` + ``suffix`` if it exists and was made after ``path`` last changed."""
    variant = path.with_name(path.name + suffix)
    try:
        if variant.stat().st_mtime >= path.stat().st_mtime:
            return variant
    except FileNotFoundError:
        pass
    return None


def compress_tree(root: Path) -> list[Path]:
    """Write (or refresh) the ``.br`` and ``.gz`` siblings of every text file under ``root``."""
    written = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix not in COMPRESSIBLE:
            continue
        data = path.read_bytes()
        for encoding, suffix in ENCODINGS:
            target = path.with_name(path.name + suffix)
            if fresh_variant(path, suffix):
                continue
            packed = compress(data, encoding)
            if len(packed) >= len(data):
                target.unlink(missing_ok=True)  # not worth it: the original is served
                continue
            target.write_bytes(packed)
            written.append(target)
    return written
