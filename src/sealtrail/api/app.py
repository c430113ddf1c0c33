"""The FastAPI application factory."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema

import sealtrail
from sealtrail.api.docs import install_docs
from sealtrail.api.errors import install_error_handlers
from sealtrail.api.guard import RequestGuard
from sealtrail.api.headers import ResponseHeaders
from sealtrail.api.methods import AllowedMethods
from sealtrail.api.middleware import RequestContext
from sealtrail.api.paths import RouteTable
from sealtrail.compliance import routes as compliance_routes
from sealtrail.events import routes as events_routes
from sealtrail.identity import auth_routes, oidc_routes, user_routes
from sealtrail.identity import routes as identity_routes
from sealtrail.ledger import routes as ledger_routes
from sealtrail.observability import routes as ops_routes
from sealtrail.queue import routes as dlq_routes
from sealtrail.runtime import Runtime
from sealtrail.selfaudit.middleware import AuditMiddleware
from sealtrail.selfaudit.sink import SOURCE_APP, QueueSink, principal
from sealtrail.webui.static import WebUI


def create_app(runtime: Runtime, *, run_worker: bool = False) -> FastAPI:
    """Build the API over `runtime`; with `run_worker`, a trail worker runs in a thread."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        threads: list[threading.Thread] = []
        if run_worker:
            threads = [
                threading.Thread(
                    target=runtime.worker().run, args=(stop,), name="trail-worker", daemon=True
                ),
                threading.Thread(
                    target=runtime.scan_worker().run, args=(stop,), name="scan-worker", daemon=True
                ),
            ]
            for thread in threads:
                thread.start()
        try:
            yield
        finally:
            stop.set()
            runtime.wake_scans()
            for thread in threads:
                thread.join(timeout=30)

    app = FastAPI(
        title="Sealtrail",
        version=sealtrail.__version__,
        description="Tamper-evident audit trail and compliance platform.",
        lifespan=lifespan,
        # FastAPI's own pages load from a CDN: install_docs serves them from here.
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    install_docs(app)
    app.include_router(ops_routes.router)
    app.include_router(events_routes.router)
    app.include_router(auth_routes.router)
    app.include_router(oidc_routes.router)
    app.include_router(identity_routes.router)
    app.include_router(user_routes.router)
    app.include_router(user_routes.tenants_router)
    app.include_router(dlq_routes.router)
    app.include_router(ledger_routes.router)
    app.include_router(compliance_routes.router)
    app.router.default = WebUI(runtime.settings.resolved_web_dir, otherwise=app.router.default)

    # Outermost last: the audit record and the request log see every answer, the edge's too.
    routes = RouteTable(app.router)
    app.add_middleware(
        RequestGuard,
        routes=routes,
        max_body_bytes=runtime.settings.max_body_bytes,
        # Ingest reads its raw body itself, with its own limit and its own NUL answer.
        own_bodies={app.url_path_for("trail.ingest"): runtime.settings.ingest_max_body_bytes},
    )
    app.add_middleware(AllowedMethods, routes=routes)
    app.add_middleware(ResponseHeaders)
    app.add_middleware(RequestContext)
    app.add_middleware(
        AuditMiddleware,
        sink=QueueSink(lambda: runtime.registry),
        principal=principal,
        app_name=SOURCE_APP,
    )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            _, extra = models_json_schema(
                [(m, "validation") for m in events_routes.schema_models()],
                ref_template="#/components/schemas/{model}",
            )
            schema.setdefault("components", {}).setdefault("schemas", {}).update(
                extra.get("$defs", {})
            )
            schema["components"]["securitySchemes"] = {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key (st_...) or an access token from /api/v1/auth/login",
                }
            }
            schema["security"] = [{"bearer": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
