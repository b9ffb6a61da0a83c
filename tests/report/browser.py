"""Open a page in Debian's headless chromium and watch it through the DevTools protocol.

Why the DevTools protocol over a pipe (``--remote-debugging-pipe``) rather than scanning
``--enable-logging`` output: the protocol reports every console message, uncaught exception,
log entry (failed loads, blocked resources) and network request as structured events, so the
check does not depend on the wording of chromium's log lines, needs no free TCP port and no
websocket library. Messages are JSON separated by NUL bytes: commands go to the browser's
fd 3, answers and events come back on its fd 4.

Run by hand: ``python -m tests.report.browser REPORT.html SHOT.png`` prints the problems found
and writes a full-page screenshot (1280 px wide).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
]
LOCAL_SCHEMES = ("data:", "file:", "about:")
TRAMPOLINE = (
    "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
    "os.execv(sys.argv[3], sys.argv[3:])"
)


def chromium_path() -> str | None:
    """Debian's chromium, or the one on PATH; None when absent."""
    if Path(CHROMIUM).is_file():
        return CHROMIUM
    return shutil.which("chromium")


@dataclass
class PageReport:
    """What the browser saw while loading the page."""

    console_errors: list[str] = field(default_factory=list)
    """console.error/assert calls, uncaught exceptions and error-level log entries."""
    external_requests: list[str] = field(default_factory=list)
    """Requests to anything but data:, file: or about: (a self-contained page makes none)."""
    failed_requests: list[str] = field(default_factory=list)
    page_info: dict[str, Any] = field(default_factory=dict)
    """Result of :data:`PROBE`, evaluated in the page after load."""


PROBE = """JSON.stringify({
  title: document.title,
  images: [...document.images].map(i => ({complete: i.complete, width: i.naturalWidth,
                                          height: i.naturalHeight, alt: i.alt})),
  scrollWidth: document.documentElement.scrollWidth,
  scrollHeight: document.documentElement.scrollHeight,
  overflowing: [...document.querySelectorAll('table, section, main')]
    .filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > innerWidth)
    .map(e => e.tagName + (e.id ? '#' + e.id : '') + ' ' + e.scrollWidth + '>' + e.clientWidth),
  sections: [...document.querySelectorAll('section > h2')].map(h => h.textContent),
  values: [...document.querySelectorAll('[data-key]')].map(e => [e.dataset.key,
                                                                 e.dataset.value,
                                                                 e.textContent])
})"""


class Cdp:
    """A minimal DevTools client over the browser's pipe."""

    def __init__(self, proc: subprocess.Popen[bytes], to_browser: int, from_browser: int) -> None:
        self.proc = proc
        self.w = to_browser
        self.r = from_browser
        self.buf = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("chromium did not answer in time")
            ready, _, _ = select.select([self.r], [], [], left)
            if ready:
                chunk = os.read(self.r, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the DevTools pipe")
                self.buf += chunk
        msg, _, self.buf = self.buf.partition(b"\0")
        return json.loads(msg)  # type: ignore[no-any-return]

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float = 30.0,
    ) -> dict[str, Any]:
        self.next_id += 1
        msg: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})  # type: ignore[no-any-return]
            self.events.append(m)

    def wait_event(self, method: str, timeout: float = 30.0) -> dict[str, Any]:
        for e in self.events:
            if e.get("method") == method:
                return e
        deadline = time.monotonic() + timeout
        while True:
            m = self._read_message(deadline)
            self.events.append(m)
            if m.get("method") == method:
                return m

    def drain(self, seconds: float) -> None:
        """Collect events for ``seconds`` more (late console messages)."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                self.events.append(self._read_message(deadline))
        except TimeoutError:
            pass


def _describe_exception(params: dict[str, Any]) -> str:
    d = params.get("exceptionDetails", {})
    exc = d.get("exception", {})
    return f"uncaught: {exc.get('description') or d.get('text')}"


def open_page(
    html_path: Path, screenshot: Path | None = None, width: int = 1280, max_height: int = 16000
) -> PageReport:
    """Load ``html_path`` in headless chromium; report console errors and take a screenshot."""
    exe = chromium_path()
    if exe is None:
        raise FileNotFoundError("chromium is not installed (apt-get install chromium)")
    cmd_r, cmd_w = os.pipe()  # we write commands, chromium reads them on its fd 3
    res_r, res_w = os.pipe()  # chromium writes on its fd 4, we read
    with tempfile.TemporaryDirectory(prefix="dcopt-chromium-") as profile:
        log_path = Path(profile) / "stderr.log"
        args = [exe, *FLAGS, f"--user-data-dir={profile}/ud", f"--window-size={width},900"]
        # a tiny trampoline puts our pipe ends on fds 3 and 4 of chromium, as
        # --remote-debugging-pipe requires (no preexec_fn; sh cannot redirect fds above 9)
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-c", TRAMPOLINE, str(cmd_r), str(res_w), *args, "about:blank"],
                pass_fds=(cmd_r, res_w),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        os.close(cmd_r)
        os.close(res_w)
        cdp = Cdp(proc, cmd_w, res_r)
        try:
            return _run(cdp, html_path, screenshot, width, max_height)
        except Exception as exc:
            tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
            raise RuntimeError(f"{exc}; chromium stderr tail:\n{tail}") from exc
        finally:
            with contextlib.suppress(Exception):
                cdp.send("Browser.close", timeout=5)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            os.close(cmd_w)
            os.close(res_r)


def _run(
    cdp: Cdp, html_path: Path, screenshot: Path | None, width: int, max_height: int
) -> PageReport:
    targets = cdp.send("Target.getTargets")["targetInfos"]
    page = next(t for t in targets if t["type"] == "page")
    session = cdp.send("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True})[
        "sessionId"
    ]
    for domain in ("Runtime", "Log", "Page", "Network"):
        cdp.send(f"{domain}.enable", session=session)
    cdp.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
        session=session,
    )
    cdp.events.clear()
    cdp.send("Page.navigate", {"url": html_path.resolve().as_uri()}, session=session)
    cdp.wait_event("Page.loadEventFired", timeout=60)
    cdp.drain(0.5)
    info = json.loads(
        cdp.send("Runtime.evaluate", {"expression": PROBE, "returnByValue": True}, session=session)[
            "result"
        ]["value"]
    )
    report = PageReport(page_info=info)
    for e in cdp.events:
        method, params = e.get("method"), e.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            report.console_errors.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            report.console_errors.append(_describe_exception(params))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            report.console_errors.append(f"log {entry['source']}: {entry['text']}")
        elif method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not url.startswith(LOCAL_SCHEMES):
                report.external_requests.append(url)
        elif method == "Network.loadingFailed":
            report.failed_requests.append(f"{params.get('errorText')} ({params.get('type')})")
    if screenshot is not None:
        height = min(int(info["scrollHeight"]), max_height)
        shot = cdp.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            },
            session=session,
            timeout=60,
        )
        screenshot.write_bytes(base64.b64decode(shot["data"]))
    return report


def main(argv: list[str]) -> int:
    page, shot = Path(argv[0]), Path(argv[1])
    rep = open_page(page, shot)
    for label, items in (
        ("console errors", rep.console_errors),
        ("external requests", rep.external_requests),
        ("failed requests", rep.failed_requests),
    ):
        sys.stdout.write(f"{label}: {len(items)}\n")
        for i in items:
            sys.stdout.write(f"  {i}\n")
    info = rep.page_info
    sys.stdout.write(
        f"page {info['scrollWidth']}x{info['scrollHeight']} px, {len(info['images'])} images, "
        f"sections: {', '.join(info['sections'])}\nscreenshot: {shot}\n"
    )
    return 1 if rep.console_errors or rep.external_requests or rep.failed_requests else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
