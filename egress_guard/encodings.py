"""Finding data hidden in encodings: base64 and hex blobs decoded back to text.

A researcher who wants rows out may encode them; the guard decodes any blob long enough to
carry a record and scans the result like any other text. Only blobs that decode to mostly
printable UTF-8 are kept (a PNG in a notebook is base64 too, and is opened as an image).
"""

from __future__ import annotations

import base64
import binascii
import re

BASE64_BLOB = re.compile(r"[A-Za-z0-9+/_-]{24,}={0,2}")
HEX_BLOB = re.compile(r"\b(?:[0-9a-fA-F]{2}){12,}\b")


def _printable(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text:
        return None
    printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in text)
    return text if printable / len(text) > 0.9 else None


def decode_blobs(text: str, limit: int = 2000) -> list[str]:
    """Texts hidden as base64 or hex in `text` (at most `limit` blobs looked at)."""
    found: list[str] = []
    for count, match in enumerate(HEX_BLOB.finditer(text)):
        if count >= limit:
            break
        decoded = _printable(binascii.unhexlify(match.group(0)))
        if decoded:
            found.append(decoded)
    for count, match in enumerate(BASE64_BLOB.finditer(text)):
        if count >= limit:
            break
        blob = match.group(0)
        if blob.isdigit() or re.fullmatch(r"[0-9a-fA-F]+", blob):
            continue
        padded = blob + "=" * (-len(blob) % 4)
        for decoder in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                decoded = _printable(decoder(padded))
            except (binascii.Error, ValueError):
                continue
            if decoded:
                found.append(decoded)
                break
    return found
