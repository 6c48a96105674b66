"""Problems as HTTP answers (RFC 9457 `application/problem+json`): the status, a title, and the located problems
with the same messages the command line prints, their paths naming the field of the request body."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..errors import Problem

PROBLEM_JSON = "application/problem+json"

TITLES = {
    400: "The request body is not JSON",
    401: "A bearer token is required",
    404: "Not found",
    413: "The request is too large",
    422: "The request does not follow the contract",
    500: "Internal error",
}
TYPES = {
    400: "not-json",
    401: "unauthorized",
    404: "not-found",
    413: "too-large",
    422: "invalid-input",
    500: "internal-error",
}


class RequestProblem(Exception):
    """A request the service cannot answer as asked: the HTTP status and what is wrong, located."""

    def __init__(self, status: int, problems: tuple[Problem, ...]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.status = status
        self.problems = problems

    @classmethod
    def of(cls, status: int, path: str, message: str) -> RequestProblem:
        return cls(status, (Problem(path, message),))

    def to_json(self) -> dict[str, Any]:
        return problem_body(self.status, self.problems)


def problem_body(status: int, problems: Sequence[Problem]) -> dict[str, Any]:
    """The problem document: `type`, `title`, `status`, `detail` (every problem as the CLI prints it) and
    `problems` ([{path, message}]) for a program to act on."""
    return {
        "type": f"urn:policyrules:problem:{TYPES.get(status, 'error')}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": "; ".join(str(p) for p in problems),
        "problems": [{"path": p.path, "message": p.message} for p in problems],
    }


def prefixed(problems: Sequence[Problem], prefix: str) -> tuple[Problem, ...]:
    """The problems of a part of the request (e.g. the facts), their paths made paths in the request body."""
    return tuple(Problem(f"{prefix}.{p.path}" if p.path else prefix, p.message) for p in problems)


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
