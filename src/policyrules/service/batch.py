"""POST /v1/batch: a JSON Lines body of decision requests → a JSON Lines response streamed as the lines arrive,
one line per non-blank input line and in the same order. A line that cannot be decided gives a line with its
problems (status and problems as in a problem document), never a failed response:

    {"line": 1, "status": 200, "result": {...the JSON of policyrules evaluate...}, "record_id": "01J…"}
    {"line": 2, "status": 422, "problems": [{"path": "facts.enterprise.uscc", "message": "…"}]}

(`record_id` only when the service records.)"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.types import Receive, Send

from .decide import Decider
from .problems import RequestProblem, dumps, problem_body
from .requests import parse_body, read_request

logger = logging.getLogger("policyrules.service")
MAX_LINE = 1 << 20  # bytes: one facts document is a few kilobytes; a longer line is refused, not buffered
JSONL = "application/x-ndjson"


async def stream_batch(decider: Decider, receive: Receive, send: Send) -> None:
    """Answer a batch request at the ASGI level: each result line is sent as soon as its request line has been
    read, while the rest of the body is still arriving (a framework response would read the whole body first, or
    compete with the body for the connection's messages)."""
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", JSONL.encode())]})
    async for line in batch_lines(decider, _body_chunks(receive)):
        await send({"type": "http.response.body", "body": line, "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _body_chunks(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


async def batch_lines(decider: Decider, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The response lines for the request lines read from `chunks`, each as soon as its input line is complete."""
    async for number, line in _lines(chunks):
        if line is None:
            yield _problem_line(number, RequestProblem.of(413, "", f"the line is longer than {MAX_LINE} bytes"))
        elif line.strip():
            yield _answer_line(decider, number, line)


async def _lines(chunks: AsyncIterator[bytes]) -> AsyncIterator[tuple[int, bytes | None]]:
    """(line number, line) for every line of the body; None for a line over MAX_LINE, which is skipped unread."""
    number = 0
    pending = b""
    skipping = False
    async for chunk in chunks:
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            number += 1
            yield number, None if skipping else line
            skipping = False
        if len(pending) > MAX_LINE:
            skipping, pending = True, b""
    if pending or skipping:
        yield number + 1, None if skipping else pending


def _answer_line(decider: Decider, number: int, line: bytes) -> bytes:
    try:
        request = read_request(parse_body(line), "evaluate")
        answer = decider.evaluate(request, command="batch", row=number)
    except RequestProblem as problem:
        return _problem_line(number, problem)
    except Exception as exc:  # a bug in policyrules: this line fails, the stream and the other lines go on
        logger.exception("internal error on batch line %d", number)
        message = f"{type(exc).__name__}: a bug in policyrules; the service log has the details"
        return _problem_line(number, RequestProblem.of(500, "", message))
    out: dict[str, Any] = {"line": number, "status": 200, "result": answer.body}
    if answer.record_id is not None:
        out["record_id"] = answer.record_id
    return dumps(out) + b"\n"


def _problem_line(number: int, problem: RequestProblem) -> bytes:
    body = problem_body(problem.status, problem.problems)
    return dumps({"line": number, "status": problem.status, "problems": body["problems"]}) + b"\n"
