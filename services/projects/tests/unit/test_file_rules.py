"""Safe file names and content checks, without I/O."""

from __future__ import annotations

import pytest

from labs_common.errors import InvalidArgument
from labs_projects.domain import files


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("report.pdf", "report.pdf"),
        ("C:\\Users\\me\\Q3 report.pdf", "Q3 report.pdf"),
        ("../../.env", "env"),
        ("a\tb\nc.txt", "abc.txt"),
        ("café.txt", "café.txt"),
        ("<script>.txt", "_script_.txt"),
    ],
)
def test_names_keep_only_a_safe_last_segment(raw, safe):
    assert files.sanitize_name(raw) == safe


def test_long_names_keep_their_extension_and_empty_ones_are_refused():
    long = files.sanitize_name("x" * 400 + ".pdf")
    assert len(long) == 255 and long.endswith(".pdf")
    for empty in ("", "../", "...", "\x00"):
        with pytest.raises(InvalidArgument):
            files.sanitize_name(empty)


def test_generic_types_are_guessed_and_unsafe_ones_refused():
    assert files.content_type_for("application/octet-stream", "a.csv") == "text/csv"
    assert files.content_type_for("image/PNG; charset=x", "a.png") == "image/png"
    for declared, name in (("text/html", "a.html"), ("", "a.svg"), ("", "noextension")):
        with pytest.raises(InvalidArgument):
            files.content_type_for(declared, name)


def test_content_must_match_its_type():
    files.check_content("image/png", b"\x89PNG\r\n\x1a\nrest")
    files.check_content("text/plain", b"hello")
    for mime, head in (("image/png", b"GIF89a"), ("text/csv", b"a,b\x00"),
                       ("text/plain", b"#!/bin/sh"), ("image/webp", b"RIFF0000WAVE")):
        with pytest.raises(InvalidArgument):
            files.check_content(mime, head)
