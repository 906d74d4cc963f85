"""The gateway serves the built console at /: the app for any GET the API does not answer, its
hashed assets cached for good, a strict Content-Security-Policy on all of it, and the API's own
answers (problem+json 404s, 405s) exactly as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from labs_gateway.console import CONTENT_SECURITY_POLICY

INDEX = ('<!doctype html><div id="root"></div>'
         '<script type="module" src="/assets/app-1a2b.js"></script>')


@pytest.fixture
def build(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "app-1a2b.js").write_text("console.log('labs')")
    (tmp_path / "robots.txt").write_text("User-agent: *\nDisallow: /\n")
    return tmp_path


@pytest.mark.parametrize("path", ["/", "/projects/3f6c", "/invoices", "/login?next=/time"])
async def test_every_app_path_answers_the_app_with_its_policy(make_client, build, path):
    client = make_client(console_dir=str(build))
    answer = await client.get(path)
    assert answer.status_code == 200
    assert answer.text == INDEX
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert answer.headers["cache-control"] == "no-cache"  # a deploy shows on the next load
    assert answer.headers["x-frame-options"] == "DENY"


def test_the_policy_allows_no_inline_script_or_foreign_origin():
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


async def test_hashed_assets_are_cached_for_good(make_client, build):
    client = make_client(console_dir=str(build))
    answer = await client.get("/assets/app-1a2b.js")
    assert answer.status_code == 200 and answer.text == "console.log('labs')"
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert (await client.get("/assets/gone-9z9z.js")).status_code == 404


async def test_assets_go_compressed_as_the_browser_accepts(make_client, build):
    import gzip
    js = build / "assets" / "app-1a2b.js"
    js.with_name(js.name + ".gz").write_bytes(gzip.compress(js.read_bytes()))
    client = make_client(console_dir=str(build))
    zipped = await client.get("/assets/app-1a2b.js", headers={"Accept-Encoding": "br, gzip"})
    assert zipped.headers["content-encoding"] == "gzip"  # no .br copy here: the next best
    assert zipped.headers["content-type"].startswith("text/javascript")
    assert zipped.text == "console.log('labs')"  # httpx decodes it
    assert zipped.headers["vary"] == "Accept-Encoding"
    plain = await client.get("/assets/app-1a2b.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == "console.log('labs')"


async def test_files_at_the_build_root_are_served_and_nothing_outside_it(make_client, build):
    (build.parent / "secret.txt").write_text("not for you")
    client = make_client(console_dir=str(build))
    assert (await client.get("/robots.txt")).text.startswith("User-agent")
    escaped = await client.get("/%2e%2e/secret.txt")
    assert "not for you" not in escaped.text
    for odd in ("/%00", "/a%00b", "/" + "x" * 5000):  # never a 500 for a strange path
        assert (await client.get(odd)).text == INDEX
    by_name = await client.get("/index.html")
    assert by_name.text == INDEX and by_name.headers["cache-control"] == "no-cache"


async def test_the_api_keeps_its_own_not_found_and_method_answers(make_client, build):
    client = make_client(console_dir=str(build))
    unknown = await client.get("/api/v1/no-such-thing")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    wrong_method = await client.delete("/api/v1/health")
    assert wrong_method.status_code == 405
    posted = await client.post("/projects")  # an app path, but only GET serves the app
    assert posted.status_code == 404
    assert posted.headers["content-type"] == "application/problem+json"


async def test_an_unbuilt_console_says_how_to_build_it(make_client, tmp_path):
    client = make_client(console_dir=str(tmp_path / "missing"))
    answer = await client.get("/")
    assert answer.status_code == 503
    assert "make console" in answer.json()["detail"]
    assert (await client.get("/api/v1/no-such-thing")).status_code == 404
