"""The API docs (/docs, Swagger UI) work offline: every asset is served by dcopt itself.

The HTML page may reference only the server's own paths, each of which must answer 200.
Then a real ``dcopt serve`` is opened in Debian's headless chromium (the report's DevTools
helper, tests/report/browser.py): Swagger UI must render the API's operations, with no
request to anything but the loopback server and no console error. The browser test is
skipped only when chromium is missing and DCOPT_REQUIRE_BROWSER is unset (as the report's).
ReDoc is not served (it fetches its logo from a CDN; api/docs.py).
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from api.docs import ASSETS_URL
from tests.api.live import LiveServer
from tests.report import browser

REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|\burl:\s*'([^']+)'""")
EXPECTED_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png", ".json": "json"}


def references(html: str) -> list[str]:
    """Every URL an HTML page loads (scripts, styles, icons, the spec)."""
    return [a or b for a, b in REFERENCE.findall(html)]


def test_docs_reference_only_local_assets(client: TestClient) -> None:
    wanted = {"swagger-ui-bundle.js", "swagger-ui.css", "favicon.png", "openapi.json"}
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    refs = references(r.text)
    assert {ref.rsplit("/", 1)[-1] for ref in refs} == wanted, refs
    assert "googleapis" not in r.text and "cdn" not in r.text.lower()
    for ref in refs:
        assert ref.startswith("/") and not ref.startswith("//"), f"{ref} is not on this server"
        asset = client.get(ref)
        assert asset.status_code == 200, ref
        kind = EXPECTED_TYPES[Path(ref).suffix]
        assert kind in asset.headers["content-type"], (ref, asset.headers["content-type"])
        assert len(asset.content) > 1000, ref
    # the online validator badge would send the spec's URL to an outside service
    assert '"validatorUrl": null' in r.text


def test_docs_assets_are_not_in_the_api_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith(("/docs", "/redoc"))]
    assert client.get("/redoc").status_code == 404  # not served: its logo comes from a CDN
    assert client.get(f"{ASSETS_URL}/no-such-file.js").status_code == 404
    for escape in ("%2e%2e/core.py", "..%2fcore.py", "%2e%2e%2f__init__.py"):  # fastapi_offline's
        assert client.get(f"{ASSETS_URL}/{escape}").status_code == 404, escape


def test_every_schema_reference_resolves(client: TestClient) -> None:
    """A dangling ``$ref`` breaks ReDoc's page and Swagger UI's operation (and client code)."""
    spec = client.get("/openapi.json").json()
    refs = set(re.findall(r'"\$ref": "([^"]+)"', json.dumps(spec)))
    assert "#/components/schemas/RunCreate" in refs  # POST /v1/runs's JSON body
    for ref in refs:
        node: Any = spec
        for part in ref.removeprefix("#/").split("/"):
            assert isinstance(node, dict) and part in node, f"{ref} is not defined"
            node = node[part]


def test_docs_honour_the_root_path(make_client: Any) -> None:
    """Behind a proxy at /dcopt, the pages point at /dcopt/... (FastAPI's own rule)."""
    client = make_client()
    proxied = TestClient(client.app, root_path="/dcopt")
    refs = references(proxied.get("/docs").text)
    assert refs and all(ref.startswith("/dcopt/") for ref in refs), refs


# --- in a real browser ---------------------------------------------------------------

MISSING = "chromium is not installed: apt-get install -y chromium (as .ci/run does)"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
INLINE_SCHEMES = {"data", "blob", "about"}

SWAGGER_PROBE = """JSON.stringify({
  title: document.title,
  root: !!document.querySelector('.swagger-ui'),
  info: (document.querySelector('.swagger-ui .info .title') || {}).textContent || null,
  errors: (document.querySelector('.swagger-ui .errors-wrapper') || {}).textContent || null,
  operations: [...document.querySelectorAll('.swagger-ui .opblock')].map(o => [
    (o.querySelector('.opblock-summary-method') || {}).textContent,
    (o.querySelector('.opblock-summary-path') || {}).dataset.path])
})"""


def _evaluate(cdp: browser.Cdp, session: str, expression: str) -> dict[str, Any]:
    result = cdp.send(
        "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session
    )
    return json.loads(result["result"]["value"])  # type: ignore[no-any-return]


def _load(
    cdp: browser.Cdp, session: str, url: str, probe: str, done: str, timeout_s: float = 30.0
) -> dict[str, Any]:
    """Navigate, then evaluate ``probe`` until its ``done`` entry is truthy (the UIs render
    after fetching the spec, i.e. after the load event)."""
    cdp.send("Page.navigate", {"url": url}, session=session)
    cdp.wait_event("Page.loadEventFired", timeout=60)
    deadline = time.monotonic() + timeout_s
    while True:
        info = _evaluate(cdp, session, probe)
        if info[done] or time.monotonic() > deadline:
            cdp.drain(0.3)
            return info
        cdp.drain(0.2)


def _look_at_docs(
    cdp: browser.Cdp, base_url: str, _shot: Path | None, width: int, _max_h: int
) -> browser.PageReport:
    """Stands in for the helper's page run (same signature): the docs page of a server."""
    targets = cdp.send("Target.getTargets")["targetInfos"]
    page = next(t for t in targets if t["type"] == "page")
    session = cdp.send("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True})[
        "sessionId"
    ]
    for domain in ("Runtime", "Log", "Page", "Network"):
        cdp.send(f"{domain}.enable", session=session)
    cdp.events.clear()
    swagger = _load(cdp, session, base_url + "/docs", SWAGGER_PROBE, "operations")
    report = browser.PageReport(page_info={"swagger": swagger, "requests": []})
    for e in cdp.events:
        method, params = e.get("method"), e.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            report.console_errors.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            report.console_errors.append(browser._describe_exception(params))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            report.console_errors.append(f"log: {params['entry']['text']}")
        elif method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            parts = urlsplit(url)
            if parts.scheme in INLINE_SCHEMES:
                continue
            report.page_info["requests"].append(url)
            if parts.hostname not in LOOPBACK:
                report.external_requests.append(url)
        elif method == "Network.loadingFailed":
            report.failed_requests.append(f"{params.get('errorText')} ({params.get('type')})")
    return report


@pytest.fixture
def live_docs(tmp_path: Path) -> Any:
    if browser.chromium_path() is None:
        if os.environ.get("DCOPT_REQUIRE_BROWSER"):
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    (tmp_path / "data").mkdir()
    server = LiveServer(tmp_path / "data", max_workers=1).start()
    yield server
    server.stop()


def test_docs_render_offline_in_a_browser(
    live_docs: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the helper's launcher (chromium over the DevTools pipe), with this module's page run
    monkeypatch.setattr(browser, "_run", _look_at_docs)
    seen = browser.open_page(live_docs.url)  # type: ignore[arg-type]
    swagger = seen.page_info["swagger"]

    assert seen.external_requests == []
    assert seen.failed_requests == []
    assert seen.console_errors == []
    requested = {urlsplit(u).path for u in seen.page_info["requests"]}
    assert {
        "/docs",
        "/openapi.json",
        f"{ASSETS_URL}/swagger-ui-bundle.js",
        f"{ASSETS_URL}/swagger-ui.css",
    } <= requested

    assert swagger["root"] and swagger["errors"] is None, swagger
    assert swagger["title"] == "dcopt - Swagger UI"
    assert swagger["info"] and swagger["info"].startswith("dcopt"), swagger["info"]
    operations = {(m, p) for m, p in swagger["operations"]}
    assert {("POST", "/v1/runs"), ("GET", "/v1/runs/{run_id}"), ("GET", "/health")} <= operations
    assert len(operations) == len(swagger["operations"]) > 5  # one block per operation
