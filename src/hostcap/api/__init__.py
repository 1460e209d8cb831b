"""The HTTP API: FastAPI app factory, one router per resource, problem+json errors, uvicorn runner.

It answers from `hostcap.serving`'s in-memory read model; it never imports an engine.
"""

from hostcap.api.app import create_app

__all__ = ["create_app"]
