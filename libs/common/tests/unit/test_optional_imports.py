"""Extras that libraries import when installed are skipped where no Labs process uses them, and
stay importable for whatever does use them."""

from __future__ import annotations

import sys

import pytest

from labs_common.optional_imports import skipped
from labs_common.testing.fresh_python import fresh_python


def test_inside_the_block_an_unimported_module_cannot_be_imported_and_after_it_can(
        tmp_path, monkeypatch):
    (tmp_path / "an_extra.py").write_text("ANSWER = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "an_extra", raising=False)
    with skipped("an_extra"), pytest.raises(ImportError):
        import an_extra
    import an_extra

    assert an_extra.ANSWER == 42


def test_a_module_already_imported_is_left_as_it_is():
    import json

    with skipped("json"):
        import json as again
    assert again is json


def test_a_labs_process_loads_neither_aiohttp_nor_rich_until_something_asks_for_them():
    # In a fresh process: the test session itself has imported both long ago.
    script = (
        "import sys\n"
        "import labs_gateway, labs_identity.main\n"
        "import httpx, nats, structlog\n"
        "print(sorted(m for m in ('aiohttp', 'rich', 'pygments') if sys.modules.get(m)))\n"
        "import aiohttp, rich\n"
        "print(aiohttp.ClientSession.__name__, rich.print.__name__)\n"
    )
    assert fresh_python(script).splitlines() == ["[]", "ClientSession print"]
