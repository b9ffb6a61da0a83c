"""A real ``dcopt serve`` (uvicorn) in a subprocess, for the tests that need a real server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

DCOPT = Path(sys.executable).with_name("dcopt")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """``dcopt serve`` on a free loopback port with a data folder and database of its own."""

    def __init__(self, data_dir: Path, database_url: str | None = None, **env: Any) -> None:
        self.data_dir = data_dir
        self.database_url = database_url
        self.env = {f"DCOPT_{k.upper()}": str(v) for k, v in env.items()}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, timeout_s: float = 120.0) -> LiveServer:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DCOPT_")}
        env.update(self.env)
        env["DCOPT_DATA_DIR"] = str(self.data_dir)
        env["DCOPT_POLL_INTERVAL_SECONDS"] = "0.1"
        if self.database_url:
            env["DCOPT_DATABASE_URL"] = self.database_url
        self.starts += 1
        log = self.data_dir.parent / f"server-{self.port}-{self.starts}.log"
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [str(DCOPT), "serve", "--port", str(self.port), "--log-level", "info"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + timeout_s
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"dcopt serve exited with {self.proc.returncode}; see {log.name}"
                )
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"dcopt serve did not answer in {timeout_s} s")
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL: the server gets no chance to tidy up (the restart tests want that)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM, as a service manager stops it; SIGKILL after 30 s."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def client(self, **kw: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kw)


def wait_all(
    client: httpx.Client, ids: list[str], timeout_s: float, **headers: str
) -> dict[str, dict[str, Any]]:
    """Poll until every run is finished; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    done: dict[str, dict[str, Any]] = {}
    while True:
        for run_id in ids:
            if run_id in done:
                continue
            r = client.get(f"/v1/runs/{run_id}", headers=headers)
            assert r.status_code == 200, r.text
            if r.json()["status"] not in ("queued", "running"):
                done[run_id] = r.json()
        if len(done) == len(ids):
            return done
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(ids) - len(done)} runs unfinished after {timeout_s} s")
        time.sleep(0.2)
