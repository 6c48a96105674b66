"""The service's API description: request and response bodies described by the published JSON Schemas (the facts
and the result, `policyrules schema`), since the handlers read their bodies themselves to report problems with
the command line's messages rather than FastAPI's."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from ..schema import facts_schema, result_schema
from .problems import PROBLEM_JSON

OPENAPI_TAGS = [
    {"name": "decisions", "description": "Decisions with the clauses they rest on."},
    {"name": "packs", "description": "The policy packs the service decides with."},
    {"name": "service", "description": "The service itself."},
]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def decision_body(kind: str) -> dict[str, Any]:
    name = "EvaluateRequest" if kind == "evaluate" else "ExplainRequest"
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": _ref(name)}}}}


def batch_operation() -> dict[str, Any]:
    """POST /v1/batch, which is a plain ASGI route that FastAPI does not describe by itself."""
    return {
        "tags": ["decisions"],
        "summary": "JSON Lines of evaluate requests in, JSON Lines of results out, streamed in order",
        "operationId": "batch",
        "requestBody": {
            "required": True,
            "description": "One EvaluateRequest per line (JSON Lines).",
            "content": {"application/x-ndjson": {"schema": _ref("EvaluateRequest")}},
        },
        "responses": {
            "200": {
                "description": "One line per non-blank input line, in order: {line, status: 200, result, "
                "record_id?} or {line, status, problems}.",
                "content": {"application/x-ndjson": {"schema": _ref("BatchLine")}},
            }
        },
    }


def _problems() -> dict[int | str, dict[str, Any]]:
    content = {"content": {PROBLEM_JSON: {"schema": _ref("Problem")}}}
    return {
        400: {"description": "The body is not JSON.", **content},
        401: {"description": "The bearer token is missing or wrong (when the service has one).", **content},
        404: {"description": "No such pack.", **content},
        422: {"description": "The request does not follow the contract: every problem with its field path.", **content},
    }


def evaluate_responses() -> dict[int | str, dict[str, Any]]:
    ok = {
        "description": "The JSON of `policyrules evaluate`.",
        "content": {"application/json": {"schema": _ref("Result")}},
    }
    return {200: ok, **_problems()}


def explain_responses() -> dict[int | str, dict[str, Any]]:
    ok = {
        "description": "The readable trace and the traced result.",
        "content": {"application/json": {"schema": _ref("Explanation")}},
    }
    return {200: ok, **_problems()}


def _components() -> dict[str, Any]:
    """The schemas the operations refer to, with the JSON Schemas' $defs lifted into components."""
    schemas: dict[str, Any] = {}
    for name, generated in (("Facts", facts_schema()), ("Result", result_schema())):
        defs = generated.pop("$defs", {})
        for key in ("$schema", "$id"):
            generated.pop(key, None)
        schemas |= defs
        schemas[name] = generated
    envelope = {
        "pack": {"type": "string", "title": "规则包", "description": "A pack id (GET /v1/packs)."},
        "as_of": {"type": "string", "format": "date", "title": "评估日期", "description": "The evaluation date."},
        "facts": _ref("Facts"),
        "engine": {"enum": ["compiled", "durable"], "default": "compiled", "title": "引擎"},
    }
    schemas["EvaluateRequest"] = _closed(envelope | {"trace": {"type": "boolean", "default": False}})
    schemas["ExplainRequest"] = _closed(envelope | {"lang": {"enum": ["zh", "en"], "default": "zh"}})
    schemas["Explanation"] = _closed({"text": {"type": "string"}, "result": _ref("Result")}, ("text", "result"))
    located = _closed({"path": {"type": "string"}, "message": {"type": "string"}}, ("path", "message"))
    schemas["Problem"] = {
        "type": "object",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "problems": {"type": "array", "items": located},
        },
    }
    schemas["BatchLine"] = {
        "type": "object",
        "properties": {
            "line": {"type": "integer"},
            "status": {"type": "integer"},
            "result": _ref("Result"),
            "record_id": {"type": "string"},
            "problems": {"type": "array", "items": located},
        },
        "required": ["line", "status"],
    }
    rewritten: dict[str, Any] = _rewrite_refs(schemas)
    return rewritten


def _closed(properties: dict[str, Any], required: tuple[str, ...] = ("pack", "as_of", "facts")) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: (v.replace("#/$defs/", "#/components/schemas/") if k == "$ref" else _rewrite_refs(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


def install(app: FastAPI) -> None:
    """Make `app.openapi()` include the schemas (generated once, on the first request for /openapi.json)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            spec.setdefault("components", {}).setdefault("schemas", {}).update(_components())
            spec.setdefault("paths", {})["/v1/batch"] = {"post": batch_operation()}
            app.openapi_schema = spec
            return spec
        cached: dict[str, Any] = app.openapi_schema
        return cached

    app.openapi = openapi  # type: ignore[method-assign]
