"""API keys: no key, a wrong key, another key's run; and the key is never stored."""

from __future__ import annotations

import sqlite3

from tests.api.conftest import AppFactory, tiny_scenario, wait_for

KEYS = "alpha-key-1234,beta-key-5678"


def test_every_v1_route_needs_a_key(make_client: AppFactory) -> None:
    client = make_client(api_keys=KEYS)
    routes = [
        ("post", "/v1/scenarios/validate"),
        ("post", "/v1/runs"),
        ("get", "/v1/runs"),
        ("get", "/v1/runs/x"),
        ("get", "/v1/runs/x/dispatch"),
        ("get", "/v1/runs/x/report"),
        ("delete", "/v1/runs/x"),
    ]
    for headers in ({}, {"Authorization": "Bearer wrong-key"}, {"Authorization": "Basic YTpi"}):
        for method, path in routes:
            r = client.request(method, path, headers=headers, json=tiny_scenario())
            assert r.status_code == 401, (method, path, headers, r.text)
            assert r.headers["www-authenticate"] == "Bearer"
    assert client.get("/health").status_code == 200  # not under /v1
    ok = client.post(
        "/v1/scenarios/validate",
        json=tiny_scenario(),
        headers={"Authorization": "Bearer alpha-key-1234"},
    )
    assert ok.status_code == 200


def test_each_key_sees_only_its_own_runs(make_client: AppFactory, tmp_path: object) -> None:
    client = make_client(api_keys=KEYS)
    alpha = {"Authorization": "Bearer alpha-key-1234"}
    beta = {"Authorization": "Bearer beta-key-5678"}
    r = client.post(
        "/v1/runs", json={"scenario": tiny_scenario(), "options": {"report": False}}, headers=alpha
    )
    assert r.status_code == 202
    run_id = r.json()["id"]
    assert wait_for(client, run_id, **alpha)["status"] == "optimal"
    for method, path in (
        ("get", f"/v1/runs/{run_id}"),
        ("get", f"/v1/runs/{run_id}/dispatch"),
        ("get", f"/v1/runs/{run_id}/report"),
        ("delete", f"/v1/runs/{run_id}"),
    ):
        assert client.request(method, path, headers=beta).status_code == 404
    assert client.get("/v1/runs", headers=beta).json()["total"] == 0
    assert client.get("/v1/runs", headers=alpha).json()["total"] == 1
    assert client.get(f"/v1/runs/{run_id}/dispatch", headers=alpha).status_code == 200
    # the record holds a digest of the key, never the key
    settings = client.app.state.settings  # type: ignore[attr-defined]
    db = settings.data_dir / "dcopt.db"
    with sqlite3.connect(db) as conn:
        dump = "\n".join(conn.iterdump())
    assert "alpha-key-1234" not in dump
    assert client.delete(f"/v1/runs/{run_id}", headers=alpha).status_code == 204
