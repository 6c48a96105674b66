"""The decision service's application: routes, the bearer token, and every error as a problem document.

Handlers are `async` and evaluate in the event loop's own thread: an evaluation takes about half a millisecond of CPU,
threads would not make it faster under the GIL, and the records store's SQLite connection stays in the one thread
that opened it. Throughput comes from worker processes (`policyrules serve --workers N`)."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from .. import __version__
from ..errors import Problem
from .batch import stream_batch
from .config import ServiceConfig
from .decide import Answer, Decider
from .openapi import OPENAPI_TAGS, decision_body, evaluate_responses, explain_responses, install
from .problems import PROBLEM_JSON, RequestProblem, dumps, problem_body
from .requests import parse_body, read_request

MAX_BODY = 4 << 20  # bytes for one decision request; a register goes to /v1/batch, which streams


def create_app(config: ServiceConfig) -> FastAPI:
    """The service for `config`: packs loaded (and the records database opened) when it starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        decider = Decider.load(config.record, config.pack_dirs)
        app.state.decider = decider
        yield
        decider.close()

    app = FastAPI(
        title="policyrules",
        version=__version__,
        description="Decisions of China's environmental-enforcement positive-list policies (生态环境监督执法正面清单), "
        "with the clauses they rest on. The result of /v1/evaluate is exactly the JSON of `policyrules evaluate`.",
        openapi_tags=OPENAPI_TAGS,
        lifespan=lifespan,
    )
    _add_error_handlers(app)
    install(app)
    guard = Depends(_bearer(config.token))

    @app.get("/health", tags=["service"], summary="the service is up, and which packs it serves")
    async def health(request: Request) -> dict[str, Any]:
        return {"status": "ok", "version": __version__, "packs": list(_decider(request).packs)}

    @app.get("/v1/packs", tags=["packs"], dependencies=[guard], summary="the packs: documents and force windows")
    async def packs(request: Request) -> Response:
        return _json(_decider(request).summaries())

    @app.get("/v1/packs/{pack_id}", tags=["packs"], dependencies=[guard], summary="one pack and its rules")
    async def pack(pack_id: str, request: Request) -> Response:
        return _json(_decider(request).detail(pack_id))

    @app.post(
        "/v1/evaluate",
        tags=["decisions"],
        dependencies=[guard],
        summary="decisions for one enterprise (the JSON of policyrules evaluate)",
        openapi_extra=decision_body("evaluate"),
        responses=evaluate_responses(),
    )
    async def evaluate(request: Request) -> Response:
        decision = read_request(parse_body(await _body(request)), "evaluate")
        return _answer(_decider(request).evaluate(decision))

    @app.post(
        "/v1/explain",
        tags=["decisions"],
        dependencies=[guard],
        summary="the readable trace of one enterprise's decisions, and the traced result",
        openapi_extra=decision_body("explain"),
        responses=explain_responses(),
    )
    async def explain(request: Request) -> Response:
        decision = read_request(parse_body(await _body(request)), "explain")
        return _answer(_decider(request).explain(decision))

    app.router.routes.append(Route("/v1/batch", _BatchEndpoint(config.token), methods=["POST"]))
    return app


class _BatchEndpoint:
    """POST /v1/batch as a plain ASGI application, so that it streams in both directions (batch.py)."""

    def __init__(self, token: str | None) -> None:
        self.check = _bearer(token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            await self.check(request)
        except RequestProblem as exc:
            await _problem(exc.status, exc.problems)(scope, receive, send)
            return
        await stream_batch(_decider(request), receive, send)


def _decider(request: Request) -> Decider:
    decider: Decider = request.app.state.decider
    return decider


async def _body(request: Request) -> bytes:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise RequestProblem.of(413, "", f"the body is over {MAX_BODY} bytes; send registers to /v1/batch")
    return body


def _json(data: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(data), media_type="application/json", headers=headers)


def _answer(answer: Answer) -> Response:
    headers = {"X-Decision-Id": answer.record_id} if answer.record_id else None
    return _json(answer.body, headers)


def _bearer(token: str | None) -> Any:
    """The check of `Authorization: Bearer <token>` on every /v1 route when the service has a token."""

    async def check(request: Request) -> None:
        if token is None:
            return
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
            reason = "no bearer token" if not given else "the bearer token is not this service's"
            raise RequestProblem.of(401, "Authorization", f"{reason}: send 'Authorization: Bearer <token>'")

    return check


def _problem(status: int, problems: tuple[Problem, ...]) -> Response:
    headers = {"WWW-Authenticate": 'Bearer realm="policyrules"'} if status == 401 else None
    return Response(dumps(problem_body(status, problems)), status, headers=headers, media_type=PROBLEM_JSON)


def _add_error_handlers(app: FastAPI) -> None:
    """Every error is a problem document; none carries a traceback."""

    async def request_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestProblem)
        return _problem(exc.status, exc.problems)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return _problem(exc.status_code, (Problem(request.url.path, str(exc.detail)),))

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = tuple(Problem(".".join(str(p) for p in e["loc"]), str(e["msg"])) for e in exc.errors())
        return _problem(422, problems)

    async def internal_error(request: Request, exc: Exception) -> Response:
        # Starlette re-raises the exception after this answer is sent, so the server logs its traceback
        message = f"{type(exc).__name__}: a bug in policyrules; the service log has the details"
        return _problem(500, (Problem("", message),))

    app.add_exception_handler(RequestProblem, request_problem)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, internal_error)
