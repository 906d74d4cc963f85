"""Rules of uploaded files: safe names, accepted content types, and content that must be what it
claims to be. Pure."""

from __future__ import annotations

import mimetypes
import re
import unicodedata

from labs_common.errors import InvalidArgument

MAX_NAME = 255
GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream"}
# What agencies exchange with clients. Markup that browsers execute (HTML, SVG) is refused:
# served back from our origin it would run as our pages.
ALLOWED_TYPES = frozenset({
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "text/csv",
    "text/markdown",
    "application/json",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "video/mp4",
    "audio/mpeg",
})
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/zip": _ZIP,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _ZIP,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _ZIP,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _ZIP,
}
TEXT_TYPES = frozenset({"text/plain", "text/csv", "text/markdown", "application/json"})
EXECUTABLES = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"#!")
_UNSAFE = re.compile(r"[^\w.\- ()+,@&=]")
_SPACES = re.compile(r"\s+")


def sanitize_name(raw: str) -> str:
    """The last path segment, NFC-normalized, without control or shell-special characters, no
    leading dots (hidden files), at most 255 characters with the extension kept."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _SPACES.sub(" ", _UNSAFE.sub("_", name)).strip().lstrip(".").strip()
    if not name or set(name) <= {"_", " "}:
        raise InvalidArgument.on("file", "needs a file name")
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        keep = extension[:16] if dot else ""
        name = (stem if dot else name)[: MAX_NAME - len(keep) - 1].rstrip() + (
            f".{keep}" if keep else "")
    return name


def content_type_for(declared: str, name: str) -> str:
    """The declared type (parameters dropped), or a guess from the name for a generic one;
    refused unless it is a type we accept."""
    mime = (declared or "").split(";")[0].strip().lower()
    if mime in GENERIC_TYPES:
        mime = (mimetypes.guess_type(name)[0] or "").lower()
        if not mime and name.lower().endswith(".md"):
            mime = "text/markdown"
    if mime not in ALLOWED_TYPES:
        raise InvalidArgument.on("file", f"content type {mime or 'unknown'} is not accepted")
    return mime


def check_content(mime: str, head: bytes) -> None:
    """The first bytes must match the type: a PNG starts like a PNG, text has no NUL bytes,
    and nothing is an executable."""
    if head.startswith(EXECUTABLES):
        raise InvalidArgument.on("file", "executables and scripts are not accepted")
    signatures = SIGNATURES.get(mime)
    if signatures and head and not head.startswith(signatures):
        raise InvalidArgument.on("file", f"content does not look like {mime}")
    if mime == "image/webp" and head and not (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        raise InvalidArgument.on("file", "content does not look like image/webp")
    if mime in TEXT_TYPES and b"\x00" in head:
        raise InvalidArgument.on("file", f"content does not look like {mime}")
