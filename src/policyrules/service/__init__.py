"""The decision service (`policyrules serve`, `pip install "policyrules[serve]"`): the library over HTTP for
systems that are not Python, on FastAPI and uvicorn.

    GET  /health                      the service is up
    GET  /openapi.json, /docs         the API description and its interactive page
    GET  /v1/packs, /v1/packs/{id}    the packs, their documents and force windows, their rules
    POST /v1/evaluate                 {"pack", "as_of", "facts", "trace"?} → the JSON of `policyrules evaluate`
    POST /v1/explain                  {"pack", "as_of", "facts", "lang"?} → {"text", "result"}
    POST /v1/batch                    JSON Lines of evaluate requests → JSON Lines of results, streamed, in order

requests (the envelope) → decide (packs, evaluation, records) → batch (streaming) → app (routes, token, problems).
Bad input is a 422 `application/problem+json` naming the field path with the command line's message.
"""

from .app import create_app
from .config import ServiceConfig
from .decide import load_packs


def app_from_environment() -> object:
    """The application for a uvicorn worker process, configured by `policyrules serve` through the environment."""
    return create_app(ServiceConfig.from_environment())


__all__ = ["ServiceConfig", "app_from_environment", "create_app", "load_packs"]
