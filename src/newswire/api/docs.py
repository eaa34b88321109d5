"""Interactive API documentation at /docs, with Swagger UI from its PyPI package.

FastAPI's default page loads Swagger UI from a CDN; newswire must work on a machine with no
way out, so the files come from the `swagger-ui-bundle-v2` package installed with newswire.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

STATIC = "/docs/static"


def install_docs(app: FastAPI) -> None:
    app.mount(STATIC, StaticFiles(directory=swagger_ui_path), name="swagger-ui")
    app.add_api_route("/docs", docs, include_in_schema=False)


async def docs(request: Request) -> HTMLResponse:
    # Module-level, not a closure over the app: FastAPI caches facts about endpoint functions
    # process-wide, and a closure would keep every app (and its caches) alive.
    app: FastAPI = request.app
    return get_swagger_ui_html(
        openapi_url=app.openapi_url or "/openapi.json",
        title="newswire API",
        swagger_js_url=f"{STATIC}/swagger-ui-bundle.js",
        swagger_css_url=f"{STATIC}/swagger-ui.css",
        swagger_favicon_url=f"{STATIC}/favicon-32x32.png",
    )
