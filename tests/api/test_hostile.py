"""Hostile input over HTTP (issue 19): every class of input that used to answer 500, was
accepted silently or cost the server far too much gets a fast 4xx naming the field, never a
server path; job creation survives a kill at any point; ``Idempotency-Key`` makes a retry
return the first job.

Requests that must be fast are timed on the server side of the TestClient (the body is
encoded before the clock starts). The property-based fuzzing runs in a child process under an
address-space ceiling, so a regression fails instead of eating the machine.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.db import RunRecord
from api.jobs import JOB_META
from tests.api.conftest import AppFactory, tiny_scenario, wait_for

JSON = {"content-type": "application/json"}
VALIDATE, RUNS = "/v1/scenarios/validate", "/v1/runs"


def server_paths(client: TestClient) -> list[str]:
    """Folders of this server that no answer may name."""
    import pvlib

    settings = client.app.state.settings  # type: ignore[attr-defined]
    return [
        str(Path(settings.data_dir).resolve()),
        str(Path(pvlib.__file__).resolve().parent),
        sys.prefix,
        str(Path(__file__).resolve().parents[2]),
    ]


def post(client: TestClient, url: str, **kw: Any) -> tuple[httpx.Response, float]:
    t0 = time.perf_counter()
    r = client.post(url, **kw)
    return r, time.perf_counter() - t0


def refused(
    client: TestClient, url: str, field: str, words: str, seconds: float = 2.0, **kw: Any
) -> dict[str, Any]:
    """422 in under ``seconds``, an error naming ``field`` whose message holds ``words``,
    and no server path anywhere in the answer."""
    r, took = post(client, url, **kw)
    assert r.status_code == 422, (r.status_code, r.text[:500])
    assert took < seconds, took
    body = r.json()
    hits = [e for e in body["errors"] if e["field"] == field]
    assert hits, body
    assert words in hits[0]["message"], hits[0]
    for path in server_paths(client):
        assert path not in r.text
    assert "Traceback" not in r.text
    return hits[0]


def deep_json(levels: int) -> bytes:
    return b'{"a":' * levels + b"1" + b"}" * levels


def laughs(levels: int = 8) -> bytes:
    out = "l0: &l0 [" + ", ".join(["lol"] * 10) + "]\n"
    for i in range(1, levels):
        out += f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]\n"
    return out.encode()


# --- bytes that are not the text we expect ------------------------------------------------
@pytest.mark.parametrize("url", [VALIDATE, RUNS])
def test_non_utf8_bodies_422_say_what_they_look_like(client: TestClient, url: str) -> None:
    sc = tiny_scenario()
    body = sc if url == VALIDATE else {"scenario": sc}
    text = json.dumps(body)
    refused(client, url, "body", "UTF-16 text", content=text.encode("utf-16"), headers=JSON)
    refused(client, url, "body", "binary file", content=bytes(range(256)), headers=JSON)
    refused(
        client,
        url,
        "scenario",
        "the scenario field is UTF-16 text",
        files={"scenario": ("s.yaml", json.dumps(sc).encode("utf-16"))},
    )
    latin = json.dumps(sc).replace("tiny", "caf\u00e9", 1).encode("latin-1")
    refused(client, url, "scenario", "not UTF-8 (byte 0xe9", files={"scenario": ("s", latin)})
    no_series = {**sc, "series": None}
    refused(
        client,
        url,
        "series",
        "the uploaded series 'load.csv' is UTF-16 text",
        files={
            "scenario": ("s.yaml", json.dumps(no_series).encode()),
            "series": ("load.csv", "timestamp,load\n2027-01-01T00:00,1\n".encode("utf-16")),
        },
    )


def test_utf8_bom_accepted_in_json_yaml_and_csv(client: TestClient) -> None:
    sc = tiny_scenario()
    r = client.post(VALIDATE, content=codecs.BOM_UTF8 + json.dumps(sc).encode(), headers=JSON)
    assert r.status_code == 200, r.text
    yaml_text = codecs.BOM_UTF8 + b"name: bom\n" + json.dumps({**sc, "name": None})[1:-1].encode()
    r = client.post(
        VALIDATE, files={"scenario": ("s.yaml", b"\xef\xbb\xbf" + json.dumps(sc).encode())}
    )
    assert r.status_code == 200, r.text
    assert yaml_text.startswith(codecs.BOM_UTF8)
    csv = "timestamp,load\n" + "".join(f"2027-01-01T0{h}:00,7\n" for h in range(4))
    no_series = {**sc, "series": None}
    r = client.post(
        VALIDATE,
        files={
            "scenario": ("s.yaml", json.dumps(no_series).encode()),
            "series": ("load.csv", codecs.BOM_UTF8 + csv.encode()),
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["periods"] == 4


# --- nesting and expansion -----------------------------------------------------------------
@pytest.mark.parametrize("url", [VALIDATE, RUNS])
def test_deep_json_10000_levels_422_well_under_a_second(client: TestClient, url: str) -> None:
    body = deep_json(10000) if url == VALIDATE else b'{"scenario": ' + deep_json(10000) + b"}"
    err = refused(
        client, url, "body", "nested more than 32 levels deep", 1.0, content=body, headers=JSON
    )
    assert "DCOPT_MAX_NESTING_DEPTH" in err["message"]
    # deeper than the limit but within Python's recursion limit: measured, not guessed
    refused(client, url, "body", "nested more than 32", content=deep_json(200), headers=JSON)


@pytest.mark.parametrize("url", [VALIDATE, RUNS])
def test_deep_and_exploding_yaml_multipart_422_fast(client: TestClient, url: str) -> None:
    deep = b"a: " + b"[" * 10000 + b"]" * 10000
    refused(
        client,
        url,
        "scenario",
        "nested more than 32 levels deep (line 1",
        files={"scenario": ("s.yaml", deep)},
    )
    bomb = laughs(8)
    assert len(bomb) < 600  # a few hundred bytes that expand to 10**8 items
    err = refused(
        client, url, "scenario", "aliases expanded", 1.0, files={"scenario": ("s.yaml", bomb)}
    )
    assert "DCOPT_MAX_YAML_VALUES" in err["message"]


def test_long_yaml_refused_json_in_multipart_read_fast(client: TestClient) -> None:
    """YAML is read ~50 times slower than JSON: a YAML document holds at most 100,000 values;
    a JSON text sent as the multipart scenario is read by the JSON parser."""
    sc = tiny_scenario()
    sc["series"]["columns"]["load"] = [1.0] * 400_000
    yaml_text = b"name: tiny\nseries:\n  columns:\n    load: [" + b"1.0, " * 400_000 + b"1.0]\n"
    err = refused(
        client,
        VALIDATE,
        "scenario",
        "at most 100000 in YAML",
        3.0,
        files={"scenario": ("s.yaml", yaml_text)},
    )
    assert "DCOPT_MAX_YAML_VALUES" in err["message"]
    refused(
        client,
        VALIDATE,
        "series.columns.load",
        "has 400000 values, site.periods is 4",
        files={"scenario": ("s.yaml", json.dumps(sc).encode())},
    )


def test_huge_bodies_422_by_counting_before_parsing(client: TestClient) -> None:
    """10**6 TOU blocks (37 s before): refused on the count of values, before json.loads."""
    sc = tiny_scenario()
    sc["grid_offers"][0]["energy_price_per_mwh"] = {"tou": [{"price_per_mwh": 1}] * 10**6}
    body = json.dumps({"scenario": sc}).encode()
    refused(client, RUNS, "body", "holds up to 2000", 1.5, content=body, headers=JSON)
    # within the value count, the list limit names the list
    sc["grid_offers"][0]["energy_price_per_mwh"] = {"tou": [{"price_per_mwh": 1}] * 5000}
    refused(
        client,
        RUNS,
        "grid_offers[utility].energy_price_per_mwh.tou",
        "has 5000 items; at most 1000 (DCOPT_MAX_LIST_ITEMS)",
        content=json.dumps({"scenario": sc}).encode(),
        headers=JSON,
    )


def test_body_bytes_limit_413(make_client: AppFactory) -> None:
    client = make_client(max_body_bytes=2048)
    r = client.post(VALIDATE, content=b" " * 4096, headers=JSON)
    assert r.status_code == 413
    assert "DCOPT_MAX_BODY_BYTES" in r.json()["detail"]


# --- silent acceptance ---------------------------------------------------------------------
def test_duplicated_keys_422_name_key_and_line(client: TestClient) -> None:
    text = json.dumps(tiny_scenario(), indent=1).replace(
        '"name": "tiny",', '"name": "tiny",\n "name": "other",', 1
    )
    err = refused(
        client, VALIDATE, "body", "key 'name' appears twice", content=text.encode(), headers=JSON
    )
    assert "(line 3)" in err["message"]
    yaml_text = b"name: a\nname: b\n"
    err = refused(
        client,
        RUNS,
        "scenario",
        "key 'name' appears twice in one mapping (line 1 and line 2)",
        files={"scenario": ("s.yaml", yaml_text)},
    )


@pytest.mark.parametrize("url", [VALIDATE, RUNS])
def test_boolean_where_a_number_goes_422_names_field(client: TestClient, url: str) -> None:
    sc = tiny_scenario()
    sc["grid_offers"][0]["max_mw"] = True
    body = sc if url == VALIDATE else {"scenario": sc}
    refused(
        client,
        url,
        "grid_offers[utility].max_mw",
        "expected a number, got the boolean true",
        json=body,
    )


# --- absurd sizes and overflow -------------------------------------------------------------
@pytest.mark.parametrize("url", [VALIDATE, RUNS])
def test_absurd_sizes_and_overflow_422(client: TestClient, url: str) -> None:
    def send(sc: dict[str, Any]) -> dict[str, Any]:
        return {"json": sc if url == VALIDATE else {"scenario": sc}}

    sc = tiny_scenario()
    sc["site"]["periods"] = 10**9
    refused(
        client,
        url,
        "site.periods",
        "1000000000 steps; at most 35136 (DCOPT_MAX_PERIODS)",
        **send(sc),
    )
    sc = tiny_scenario()
    sc["series"]["columns"]["load"] = [1.0] * 200_000
    refused(client, url, "series.columns.load", "has 200000 values, site.periods is 4", **send(sc))
    sc = tiny_scenario()
    sc["technologies"] = [
        {"name": "pv", "kind": "solar", "profile": 0.5, "capex_per_kw": 900, "lifetime_years": 1e6}
    ]
    sc["finance"] = {"discount_rate": 0.07}
    refused(client, url, "technologies[pv].lifetime_years", "less than or equal to 100", **send(sc))


def test_max_periods_is_a_setting(make_client: AppFactory) -> None:
    client = make_client(max_periods=3)
    refused(client, VALIDATE, "site.periods", "4 steps; at most 3", json=tiny_scenario())


# --- what an error tells an attacker -------------------------------------------------------
def test_errors_name_the_users_input_never_a_server_path(client: TestClient) -> None:
    sc = tiny_scenario()
    sc["weather"] = {"file": "pvlib:NO_SUCH_FILE.csv"}
    sc["technologies"] = [
        {
            "name": "pv",
            "kind": "solar",
            "profile": {"solar": {}},
            "capex_per_kw": 900,
            "lifetime_years": 25,
        }
    ]
    sc["finance"] = {"discount_rate": 0.07}
    err = refused(client, VALIDATE, "weather.file", "pvlib:NO_SUCH_FILE.csv", json=sc)
    assert "/" not in err["message"]
    # a broken Parquet upload: pyarrow's message names the file it opened (the job folder)
    no_series = {**tiny_scenario(), "series": None}
    r = client.post(
        RUNS,
        files={
            "scenario": ("s.yaml", json.dumps(no_series).encode()),
            "series": ("s.parquet", b"PAR1" + b"\x00" * 100 + b"PAR1"),
        },
    )
    assert r.status_code == 422, r.text
    for path in server_paths(client):
        assert path not in r.text
    assert "series.parquet" in r.text


def test_scrub_paths_keeps_the_users_names() -> None:
    from api.intake import scrub_paths

    job = Path("/srv/dcopt/jobs/abc/input")
    msg = f"cannot read series.parquet: could not open {job}/series.parquet: bad magic"
    assert (
        scrub_paths(msg, job)
        == "cannot read series.parquet: could not open series.parquet: bad magic"
    )
    assert scrub_paths("no such file /opt/x/y/z.csv", None) == "no such file z.csv"
    assert scrub_paths("timestamp 2027-01-01T00:00 differs; ratio 3/4") == (
        "timestamp 2027-01-01T00:00 differs; ratio 3/4"
    )


# --- half-made jobs and Idempotency-Key ----------------------------------------------------
def _body(load_mw: float = 5.0) -> dict[str, Any]:
    return {"scenario": tiny_scenario(load_mw=load_mw), "options": {"report": False}}


def test_idempotency_key_returns_the_first_job(client: TestClient) -> None:
    first = client.post(RUNS, json=_body(), headers={"Idempotency-Key": "order-17"})
    assert first.status_code == 202, first.text
    again = client.post(RUNS, json=_body(), headers={"Idempotency-Key": "order-17"})
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == f"/v1/runs/{first.json()['id']}"
    # the same key with another body: refused, naming the header and the first run
    other = client.post(RUNS, json=_body(6.0), headers={"Idempotency-Key": "order-17"})
    assert other.status_code == 422
    (err,) = other.json()["errors"]
    assert err["field"] == "Idempotency-Key"
    assert first.json()["id"] in err["message"] and "different request" in err["message"]
    # no key, or another key: a new job each time
    ids = {client.post(RUNS, json=_body()).json()["id"] for _ in range(2)}
    ids.add(client.post(RUNS, json=_body(), headers={"Idempotency-Key": "order-18"}).json()["id"])
    assert len(ids) == 3 and first.json()["id"] not in ids
    records = client.get(RUNS, params={"limit": 100}).json()
    assert records["total"] == 4
    done = wait_for(client, first.json()["id"])
    assert done["summary"]["objective"] == pytest.approx(5 * 4 * 50.0)
    assert (
        client.post(RUNS, json=_body(), headers={"Idempotency-Key": "order-17"}).json()["status"]
        == "optimal"
    )


def test_idempotency_key_multipart_retry_and_bad_keys(client: TestClient) -> None:
    files = {
        "scenario": ("s.yaml", json.dumps(tiny_scenario()).encode()),
        "options": (None, '{"report": false}'),
    }
    a = client.post(RUNS, files=files, headers={"Idempotency-Key": "m-1"})
    b = client.post(RUNS, files=files, headers={"Idempotency-Key": "m-1"})  # another boundary
    assert (a.status_code, b.status_code) == (202, 200)
    assert a.json()["id"] == b.json()["id"]
    for bad in ("", "x" * 256, "has space"):
        r = client.post(RUNS, json=_body(), headers={"Idempotency-Key": bad})
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["errors"][0]["field"] == "Idempotency-Key"


def test_concurrent_retries_with_one_key_make_one_job(client: TestClient) -> None:
    def send(_: int) -> tuple[int, str]:
        r = client.post(RUNS, json=_body(), headers={"Idempotency-Key": "burst"})
        return r.status_code, str(r.json().get("id"))

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(send, range(6)))
    assert {code for code, _ in answers} <= {200, 202}
    assert sum(code == 202 for code, _ in answers) == 1
    assert len({run_id for _, run_id in answers}) == 1
    assert client.get(RUNS).json()["total"] == 1


def test_a_refused_request_leaves_no_folder_and_frees_its_key(client: TestClient) -> None:
    bad = _body()
    bad["scenario"]["grid_offers"][0]["max_mw"] = -1
    r = client.post(RUNS, json=bad, headers={"Idempotency-Key": "fix-me"})
    assert r.status_code == 422
    settings = client.app.state.settings  # type: ignore[attr-defined]
    assert list(settings.jobs_dir.iterdir()) == []
    assert not any(settings.incoming_dir.iterdir()) if settings.incoming_dir.exists() else True
    fixed = client.post(RUNS, json=_body(), headers={"Idempotency-Key": "fix-me"})
    assert fixed.status_code == 202, fixed.text


def _leftover(folder: Path, run_id: str, *, meta: bool, owner: str | None = None) -> None:
    """What a server kill leaves in ``folder`` (incoming/ or jobs/) during a POST."""
    job = folder / run_id
    (job / "input").mkdir(parents=True)
    (job / "input" / "scenario.json").write_text(json.dumps(tiny_scenario(load_mw=2.0)))
    if meta:
        (job / JOB_META).write_text(
            json.dumps(
                {
                    "id": run_id,
                    "kind": "run",
                    "owner": owner,
                    "name": "tiny",
                    "options": {"report": False},
                    "created_at": "2027-01-01T00:00:00+00:00",
                    "idempotency_file": None,
                }
            )
        )


def test_start_up_sweep_settles_every_half_made_job(
    make_client: AppFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Each point a kill can cut a POST or a DELETE: after a restart nothing a user submitted
    is lost (recorded and run, or kept and logged) and nothing deleted comes back."""
    first = make_client()
    settings = first.app.state.settings  # type: ignore[attr-defined]
    kept = first.post(RUNS, json=_body()).json()["id"]
    deleted = first.post(RUNS, json=_body()).json()["id"]
    wait_for(first, kept)
    wait_for(first, deleted)
    first.__exit__(None, None, None)
    # cut after the rename into jobs/, before the record; and after job.json, before the rename
    _leftover(settings.jobs_dir, "a" * 32, meta=True)
    _leftover(settings.incoming_dir, "b" * 32, meta=True)
    # cut while the input was being written (no job.json): in incoming/, and the old layout
    _leftover(settings.incoming_dir, "c" * 32, meta=False)
    _leftover(settings.jobs_dir, "d" * 32, meta=False)
    # a DELETE cut after moving the folder to trash/, before the record went
    settings.trash_dir.mkdir(parents=True, exist_ok=True)
    os.replace(settings.jobs_dir / deleted, settings.trash_dir / deleted)

    with caplog.at_level(logging.WARNING, logger="api.jobs"):
        client = make_client()
    for run_id in ("a" * 32, "b" * 32):
        done = wait_for(client, run_id)
        assert done["status"] == "optimal"
        assert done["summary"]["objective"] == pytest.approx(2 * 4 * 50.0)
        assert "recorded at server start" in done["note"]
    for run_id in ("c" * 32, "d" * 32):
        assert client.get(f"{RUNS}/{run_id}").status_code == 404
        saved = settings.incomplete_dir / run_id / "input" / "scenario.json"
        assert json.loads(saved.read_text())["name"] == "tiny"  # kept as it was
        assert any(
            run_id in rec.getMessage() and "kept" in rec.getMessage() for rec in caplog.records
        )
    assert client.get(f"{RUNS}/{deleted}").status_code == 404
    assert not (settings.trash_dir / deleted).exists()
    assert client.get(f"{RUNS}/{kept}").json()["status"] == "optimal"
    with client.app.state.sessions() as s:  # type: ignore[attr-defined]
        assert s.query(RunRecord).count() == 3


def test_retry_after_a_kill_between_folder_and_record_finds_the_job(
    make_client: AppFactory,
) -> None:
    """The client never got an id; its retry with the same key, after the restart, gets the
    job the sweep recorded instead of a duplicate."""
    from api.jobs import IdempotencyKeys
    from api.routes.runs import _request_hash
    from api.schemas import RunCreate

    first = make_client()
    settings = first.app.state.settings  # type: ignore[attr-defined]
    first.__exit__(None, None, None)
    run_id = "e" * 32
    _leftover(settings.jobs_dir, run_id, meta=True)
    create = RunCreate.model_validate(
        {"scenario": tiny_scenario(load_mw=2.0), "options": {"report": False}}
    )
    name = IdempotencyKeys.file_name(None, "retry-me")
    assert IdempotencyKeys(settings).claim(name, run_id, _request_hash(create, None)) is None
    client = make_client()
    r = client.post(
        RUNS,
        json={"scenario": tiny_scenario(load_mw=2.0), "options": {"report": False}},
        headers={"Idempotency-Key": "retry-me"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["id"] == run_id
    assert client.get(RUNS).json()["total"] == 1


def test_delete_frees_the_folder_and_the_key(client: TestClient) -> None:
    run_id = client.post(RUNS, json=_body(), headers={"Idempotency-Key": "k"}).json()["id"]
    wait_for(client, run_id)
    assert client.delete(f"{RUNS}/{run_id}").status_code == 204
    settings = client.app.state.settings  # type: ignore[attr-defined]
    assert not (settings.jobs_dir / run_id).exists()
    assert not any(settings.trash_dir.iterdir())
    again = client.post(RUNS, json=_body(), headers={"Idempotency-Key": "k"})
    assert again.status_code == 202 and again.json()["id"] != run_id


# --- fuzzing: nested, huge and non-UTF-8 bodies, in a child under a memory ceiling ---------
_FUZZ = r"""
import json, resource, sys, tempfile, time
from pathlib import Path

import hypothesis
from hypothesis import strategies as st
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from tests.api.conftest import tiny_scenario

examples = int(sys.argv[1])
tmp = Path(tempfile.mkdtemp(prefix="dcopt-fuzz-"))
client = TestClient(create_app(Settings(data_dir=tmp / "data", max_workers=1)))
client.__enter__()
with open("/proc/self/status", encoding="ascii") as fh:
    vm = next(int(l.split()[1]) * 1024 for l in fh if l.startswith("VmSize:"))
ceiling = vm + (1536 << 20)
resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
server_paths = [str(tmp.resolve()), sys.prefix]
failures, seen = [], {"requests": 0, "slowest": 0.0, "statuses": {}}

def nested(depth_kind):
    depth, kind = depth_kind
    opener, closer = {"list": (b"[", b"]"), "dict": (b'{"a":', b"}")}[kind]
    return opener * depth + b"1" + closer * depth

def huge(n):
    return b'{"scenario": {"series": {"columns": {"x": [' + b"0," * n + b"0]}}}}"

LEAVES = [("site", "periods"), ("site", "start"), ("site", "resolution_minutes"),
          ("grid_offers", 0, "max_mw"), ("grid_offers", 0, "energy_price_per_mwh"),
          ("grid", "cfe_share"), ("load", "mw"), ("series", "columns", "load"), ("name",),
          ("carbon",), ("technologies",)]
values = st.one_of(
    st.booleans(), st.none(), st.integers(min_value=-10**30, max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=50),
    st.integers(0, 3000).map(lambda n: [[0]] * n),
    st.integers(1, 300).map(lambda d: json.loads("[" * d + "]" * d) if d < 900 else []),
    st.sampled_from([10**9, 10**18, 1e308, -1, 0, 35137, "pvlib:../../etc/passwd", "/etc/passwd"]),
)

def mutate(args):
    path, value = args
    sc = tiny_scenario()
    node = sc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return json.dumps(sc, allow_nan=True).encode()

def as_bytes(args):
    text, encoding = args
    return text.encode(encoding, errors="replace")

bodies = st.one_of(
    st.tuples(st.integers(1, 20000), st.sampled_from(["list", "dict"])).map(nested),
    st.integers(10**5, 3 * 10**6).map(huge),
    st.binary(min_size=1, max_size=2048),
    st.tuples(
        st.just(json.dumps(tiny_scenario())),
        st.sampled_from(["utf-16", "utf-32", "utf-16-be", "latin-1", "cp1252"]),
    ).map(as_bytes),
    st.tuples(st.sampled_from(LEAVES), values).map(mutate),
)
where = st.sampled_from([("json", "/v1/scenarios/validate"), ("json", "/v1/runs"),
                         ("multipart", "/v1/scenarios/validate"), ("multipart", "/v1/runs")])

@hypothesis.given(body=bodies, target=where)
@hypothesis.settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                     suppress_health_check=list(hypothesis.HealthCheck),
                     phases=[hypothesis.Phase.generate])
def fuzz(body, target):
    media, url = target
    if media == "json":
        if url.endswith("/runs") and body.startswith(b'{"name"'):
            body = b'{"options": {"report": false}, "scenario": ' + body + b"}"
        kw = {"content": body, "headers": {"content-type": "application/json"}}
    else:
        scenario = body
        if scenario.startswith(b'{"scenario": '):
            scenario = scenario[len(b'{"scenario": '):-1]
        kw = {"files": {"scenario": ("s.yaml", scenario)}}
    t0 = time.perf_counter()
    try:
        r = client.post(url, **kw)
    except MemoryError:
        failures.append(f"MemoryError on {url} ({media}, {len(body)} bytes)")
        return
    took = time.perf_counter() - t0
    seen["requests"] += 1
    seen["slowest"] = max(seen["slowest"], took)
    seen["statuses"][str(r.status_code)] = seen["statuses"].get(str(r.status_code), 0) + 1
    what = f"{url} ({media}, {len(body)} bytes: {body[:60]!r})"
    if r.status_code >= 500:
        failures.append(f"{r.status_code} on {what}: {r.text[:200]}")
    if took > 5.0:
        failures.append(f"{took:.1f} s on {what}")
    if r.status_code == 422:
        errors = r.json().get("errors") or []
        if not errors or not all(e.get("field") for e in errors):
            failures.append(f"422 without fields on {what}: {r.text[:200]}")
    if any(p in r.text for p in server_paths) or "Traceback" in r.text:
        failures.append(f"server path or traceback on {what}: {r.text[:200]}")

fuzz()
client.__exit__(None, None, None)
seen["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
seen["failures"] = failures
print(json.dumps(seen))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_fuzz_hostile_bodies_never_500_slow_or_unbounded() -> None:
    """Nested (to 20,000 levels), huge (to 3·10⁶ values), non-UTF-8 and mutated scenario
    bodies, JSON and multipart, on both routes that read a scenario: never a 5xx, never over
    5 s, every 422 names its fields, no server path; the child's address space is capped at
    its size after start-up plus 1.5 GB, and its peak RSS must stay under 1.2 GB."""
    env = {**os.environ, "MALLOC_ARENA_MAX": "2"}
    env.pop("DCOPT_MAX_NESTING_DEPTH", None)
    proc = subprocess.run(
        [sys.executable, "-c", _FUZZ, "40"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["failures"] == []
    assert seen["requests"] == 40
    assert seen["slowest"] < 5.0
    assert seen["maxrss_mb"] < 1200, seen
    assert seen["statuses"].get("422", 0) >= 25, seen["statuses"]
