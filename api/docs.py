"""The interactive API docs (Swagger UI at ``/docs``), served offline.

FastAPI's own pages load their scripts and styles from a CDN, so behind a firewall or on a
laptop without network they are blank. Here the assets come from the pinned package
``fastapi-offline`` (Swagger UI 5's bundle, shipped as package data) and are served under
``/docs/assets``; the page references nothing outside the server. Swagger UI's online
validator badge (which would send the spec's URL to an outside service) is turned off.

ReDoc (FastAPI's ``/redoc``) is not served: ReDoc 2.5 always loads its vendor's logo from
cdn.redoc.ly, a request to a third party on every page view that no option turns off.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/docs"
ASSETS_URL = "/docs/assets"
ASSETS_PACKAGE = ("fastapi_offline", "static")
"""Where the assets are: the ``static`` folder of the ``fastapi_offline`` package."""
SWAGGER_JS, SWAGGER_CSS = "swagger-ui-bundle.js", "swagger-ui.css"
FAVICON = "favicon.png"
SWAGGER_UI_PARAMETERS = {"validatorUrl": None}


def add_docs(app: FastAPI) -> None:
    """Serve ``/docs`` with local assets (make ``app`` with ``docs_url=None`` and
    ``redoc_url=None``)."""
    assert app.docs_url is None and app.redoc_url is None, "FastAPI's CDN pages are on"
    openapi_url = app.openapi_url or "/openapi.json"
    app.mount(ASSETS_URL, StaticFiles(packages=[ASSETS_PACKAGE]), name="docs-assets")

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{ASSETS_URL}/{SWAGGER_JS}",
            swagger_css_url=f"{root}{ASSETS_URL}/{SWAGGER_CSS}",
            swagger_favicon_url=f"{root}{ASSETS_URL}/{FAVICON}",
            oauth2_redirect_url=None,  # the API's keys are bearer tokens, no OAuth2 flow
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )
