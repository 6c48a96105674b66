"""The decision service as a system calls it: `policyrules serve` started as a real process on a free port, spoken
to over HTTP. Its answers are compared with the library's and the command line's own."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings

from policyrules import load_pack
from policyrules.explain import pack_summary, render_result
from policyrules.packs import shipped_pack_ids
from strategies import pack_cases

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "policies" / "mee_2021" / "examples" / "listed_small_micro.yaml"
TOKEN = "s3cret-token-for-the-tests-0123456789"
VALID = {"enterprise": {"name": "示例公司", "uscc": "91350100M000100Y43", "small_micro": True}}


@dataclass(frozen=True)
class Server:
    url: str
    db: Path
    process: subprocess.Popen[str]

    def client(self, token: str | None = TOKEN) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(*args: str) -> tuple[str, subprocess.Popen[str]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "policyrules", "serve", "--port", str(port), "--log-level", "warning", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited {process.returncode}: {process.communicate()[1]}")
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                return url, process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("the server did not answer /health within 120 s")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("service")
    token_file = folder / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    db = folder / "records.sqlite"
    url, process = start("--workers", "2", "--record", str(db), "--token-file", str(token_file))
    yield Server(url, db, process)
    process.terminate()
    _, stderr = process.communicate(timeout=30)
    assert "Traceback" not in stderr, stderr


def as_json(document: Any) -> Any:
    """A facts document as a system sends it: JSON (dates as text)."""
    return json.loads(json.dumps(document, default=lambda d: d.isoformat(), ensure_ascii=False))


def example_facts() -> Any:
    import yaml

    return as_json(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))


def test_health_names_every_shipped_pack_and_needs_no_token(server: Server) -> None:
    response = httpx.get(f"{server.url}/health")
    assert response.status_code == 200
    assert response.json()["packs"] == shipped_pack_ids()


def test_openapi_describes_every_endpoint_and_the_docs_page_serves(server: Server) -> None:
    spec = httpx.get(f"{server.url}/openapi.json").json()
    assert {"/health", "/v1/packs", "/v1/packs/{pack_id}", "/v1/evaluate", "/v1/explain", "/v1/batch"} <= set(
        spec["paths"]
    )
    schemas = spec["components"]["schemas"]
    assert schemas["Enterprise"]["properties"]["uscc"]["title"] == "统一社会信用代码"
    assert "Result" in schemas and "EvaluateRequest" in schemas
    page = httpx.get(f"{server.url}/docs")
    assert page.status_code == 200 and "swagger" in page.text.lower()


def test_packs_are_the_library_summaries(server: Server) -> None:
    with server.client() as client:
        listed = client.get("/v1/packs").json()
        one = client.get("/v1/packs/chongqing").json()
    assert listed == [as_json(pack_summary(load_pack(p))) for p in shipped_pack_ids()]
    assert one["id"] == "chongqing" and one["extends"] == "mee_2021"
    assert {r["id"] for r in one["rules"]} == {r.id for r in load_pack("chongqing").definition.rules}
    assert set(one["decisions"]) == {"inclusion", "listing", "inspection", "penalty", "supervision"}


def test_an_unknown_pack_is_404_problem_json(server: Server) -> None:
    with server.client() as client:
        detail = client.get("/v1/packs/mee")
        evaluated = client.post("/v1/evaluate", json={"pack": "mee", "as_of": "2021-10-01", "facts": VALID})
    for response in (detail, evaluated):
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert "did you mean 'mee_2021'" in response.json()["problems"][0]["message"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=pack_cases())
def test_evaluate_over_http_is_the_library_result(server: Server, case: tuple[str, Any, date]) -> None:
    pack_id, facts, as_of = case
    expected = load_pack(pack_id).evaluate(facts, as_of=as_of, trace=False).to_json()
    with server.client() as client:
        response = client.post(
            "/v1/evaluate", json={"pack": pack_id, "as_of": as_of.isoformat(), "facts": as_json(facts)}
        )
    assert response.status_code == 200, response.text
    assert response.json() == as_json(expected)


def test_evaluate_with_trace_and_the_cli_json_are_the_same(server: Server) -> None:
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "policyrules",
            "evaluate",
            "--pack",
            "mee_2021",
            "--as-of",
            "2021-10-01",
            "--trace",
            str(EXAMPLE),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    body = {"pack": "mee_2021", "as_of": "2021-10-01", "facts": example_facts(), "trace": True}
    with server.client() as client:
        response = client.post("/v1/evaluate", json=body)
    assert response.json() == json.loads(cli.stdout)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_explain_gives_the_readable_trace_and_the_traced_result(server: Server, lang: str) -> None:
    facts = example_facts()
    result = load_pack("mee_2021").evaluate(facts, as_of=date(2021, 10, 1))
    ent = facts["enterprise"]
    body = {"pack": "mee_2021", "as_of": "2021-10-01", "facts": facts, "lang": lang}
    with server.client() as client:
        answer = client.post("/v1/explain", json=body).json()
    assert answer["text"] == render_result(result, lang, f"{ent['name']}（{ent['uscc']}）")  # type: ignore[arg-type]
    assert answer["result"] == result.to_json(trace=True)


def test_batch_streams_one_line_per_input_line_in_order_with_problem_lines(server: Server) -> None:
    good = {"pack": "mee_2021", "as_of": "2021-10-01", "facts": VALID}
    lines = [
        json.dumps(good),
        "not json",
        "",
        json.dumps({**good, "pack": "nope"}),
        json.dumps({**good, "facts": {"enterprise": {"name": "x", "uscc": "91350100M000100Y43", "low_risk": "on"}}}),
        json.dumps({**good, "as_of": "2022-03-01"}),
    ]
    with server.client() as client:
        response = client.post("/v1/batch", content="\n".join(lines).encode())
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    out = [json.loads(line) for line in response.text.splitlines()]
    assert [(o["line"], o["status"]) for o in out] == [(1, 200), (2, 400), (4, 404), (5, 422), (6, 200)]
    library = load_pack("mee_2021")
    assert out[0]["result"] == library.evaluate(VALID, as_of=date(2021, 10, 1), trace=False).to_json()
    assert out[4]["result"]["as_of"] == "2022-03-01"
    assert out[3]["problems"][0]["path"] == "facts.enterprise.low_risk"
    assert all(len(o["record_id"]) == 26 for o in out if o["status"] == 200)


def test_bad_facts_are_422_naming_the_field_with_the_cli_message(server: Server, tmp_path: Path) -> None:
    facts = {"enterprise": {"name": "x", "uscc": "91350100M000100Y44", "smal_micro": True}}
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts), encoding="utf-8")
    cli = subprocess.run(
        [sys.executable, "-m", "policyrules", "evaluate", "--pack", "mee_2021", "--as-of", "2021-10-01", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert cli.returncode == 2
    with server.client() as client:
        response = client.post("/v1/evaluate", json={"pack": "mee_2021", "as_of": "2021-10-01", "facts": facts})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problems = response.json()["problems"]
    assert {p["path"] for p in problems} == {"facts.enterprise.uscc", "facts.enterprise.smal_micro"}
    for p in problems:
        assert f"{p['path'].removeprefix('facts.')}: {p['message']}" in cli.stderr
    assert "did you mean 'small_micro'" in response.text


def test_a_bad_envelope_names_every_field(server: Server) -> None:
    with server.client() as client:
        response = client.post("/v1/evaluate", json={"pack": "mee_2021", "as_of": 1632960000, "fact": {}})
    paths = {p["path"] for p in response.json()["problems"]}
    assert response.status_code == 422
    assert paths == {"as_of", "fact", "facts"}
    assert "did you mean 'facts'" in response.text


def test_a_date_outside_the_force_window_is_422_on_as_of(server: Server) -> None:
    with server.client() as client:
        response = client.post("/v1/evaluate", json={"pack": "mee_2021", "as_of": "2020-01-01", "facts": VALID})
    assert response.status_code == 422
    assert response.json()["problems"][0]["path"] == "as_of"


@pytest.mark.parametrize("body", [b"not json", b'{"pack": ', b"{'pack': 1}"])
def test_a_body_that_is_not_json_is_400(server: Server, body: bytes) -> None:
    with server.client() as client:
        response = client.post("/v1/evaluate", content=body)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "Traceback" not in response.text


@pytest.mark.parametrize("token", [None, "wrong-token-0123456789"])
def test_without_the_token_every_v1_route_is_401(server: Server, token: str | None) -> None:
    with server.client(token) as client:
        answers = [
            client.get("/v1/packs"),
            client.get("/v1/packs/mee_2021"),
            client.post("/v1/evaluate", json={"pack": "mee_2021", "as_of": "2021-10-01", "facts": VALID}),
            client.post("/v1/explain", json={"pack": "mee_2021", "as_of": "2021-10-01", "facts": VALID}),
            client.post("/v1/batch", content=json.dumps({"pack": "mee_2021", "as_of": "2021-10-01", "facts": VALID})),
        ]
    for response in answers:
        assert response.status_code == 401, response.request.url
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.headers["content-type"] == "application/problem+json"
        assert "record_id" not in response.text


def test_a_recorded_decision_replays_from_the_cli(server: Server) -> None:
    with server.client() as client:
        response = client.post("/v1/evaluate", json={"pack": "chongqing", "as_of": "2022-03-01", "facts": VALID})
    record_id = response.headers["x-decision-id"]
    replayed = subprocess.run(
        [sys.executable, "-m", "policyrules", "replay", record_id, "--db", str(server.db), "--format", "json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert replayed.returncode == 0, replayed.stderr
    report = json.loads(replayed.stdout)
    assert report["record"]["id"] == record_id
    assert report["record"]["pack_id"] == "chongqing" and report["record"]["command"] == "evaluate"
    assert report["record"]["outcomes"] == {n: d["outcome"] for n, d in response.json()["decisions"].items()}
    assert report["stands"] is True and report["recorded_pack"]["same_as_recorded"] is True


def test_sixteen_concurrent_keep_alive_clients_get_no_error(server: Server) -> None:
    body = {"pack": "mee_2021", "as_of": "2021-10-01", "facts": VALID}
    expected = load_pack("mee_2021").evaluate(VALID, as_of=date(2021, 10, 1), trace=False).to_json()

    def one_client(_: int) -> list[Any]:
        with server.client() as client:
            return [client.post("/v1/evaluate", json=body) for _ in range(15)]

    with ThreadPoolExecutor(16) as pool:
        responses = [r for batch in pool.map(one_client, range(16)) for r in batch]
    assert len(responses) == 240
    assert all(r.status_code == 200 and r.json() == expected for r in responses)
    assert len({r.headers["x-decision-id"] for r in responses}) == 240


def test_serve_refuses_a_short_token_file_with_exit_2(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("short", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "policyrules", "serve", "--token-file", str(token)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert done.returncode == 2
    assert "at least 16 characters" in done.stderr and "Traceback" not in done.stderr


def test_hostile_bodies_get_problems_not_internal_errors(server: Server) -> None:
    with server.client() as client:
        deep = client.post("/v1/evaluate", content=b"[" * 100_000 + b"]" * 100_000)
        huge = client.post("/v1/evaluate", content=b'{"pack": "' + b"x" * (5 << 20) + b'"}')
        listed = client.post("/v1/evaluate", json=[1, 2])
        facts_list = client.post("/v1/evaluate", json={"pack": "mee_2021", "as_of": "2021-10-01", "facts": []})
    assert deep.status_code == 400
    assert huge.status_code == 413
    assert listed.status_code == 422 and "expected a JSON object" in listed.text
    assert facts_list.status_code == 422 and facts_list.json()["problems"][0]["path"] == "facts"


def test_a_pack_directory_named_by_the_operator_is_served_by_its_id() -> None:
    url, process = start("--pack", str(ROOT / "tests" / "fixtures" / "minimal"))
    try:
        packs = [p["id"] for p in httpx.get(f"{url}/v1/packs").json()]
        body = {"pack": "minimal", "as_of": "2021-06-01", "facts": VALID}
        answer = httpx.post(f"{url}/v1/evaluate", json=body)
        by_path = httpx.post(f"{url}/v1/evaluate", json={**body, "pack": str(ROOT / "policies" / "mee_2021")})
    finally:
        process.terminate()
        process.communicate(timeout=30)
    assert packs == [*shipped_pack_ids(), "minimal"]
    expected = load_pack(str(ROOT / "tests" / "fixtures" / "minimal")).evaluate(VALID, as_of=date(2021, 6, 1))
    assert answer.json() == expected.to_json()
    assert by_path.status_code == 404  # a request names a pack by id; the service never reads a path it is given


def test_serving_a_pack_id_twice_stops_the_service_with_exit_2() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "policyrules", "serve", "--pack", str(ROOT / "policies" / "mee_2021")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 2
    assert "'mee_2021' is already served" in done.stderr and "Traceback" not in done.stderr


def test_a_port_in_use_stops_serve_with_exit_2() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "policyrules", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "Traceback" not in done.stderr
