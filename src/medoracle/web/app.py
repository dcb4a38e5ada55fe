"""`medoracle serve`: the FastAPI application factory, and the server that runs it.

    request -> forwarded client and scheme (trusted proxies only) -> cached article pages
            -> size limit -> security headers, access log (route names, no question text)
            -> pages (server-rendered Jinja2) or /api/v1 (JSON, OpenAPI)

The routers (`pages`, `exports`, `review`, `signin`, `api`) reach the articles service
through `medoracle.web.deps`; errors become statuses in `medoracle.web.errors`; the
middleware is `medoracle.web.middleware`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import FastAPI
from fastapi.responses import Response
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from medoracle import __version__
from medoracle.articles.related import related_encoder
from medoracle.articles.service import Site
from medoracle.errors import ConfigError, NotFound
from medoracle.settings import Settings, get_settings
from medoracle.web import api, auth, composing, errors, exports, pages, review, signin
from medoracle.web.deps import PageCache, RateLimiter, WebState, state_of_app, templates
from medoracle.web.middleware import BodyLimit, FrontPages, headers_and_log

__all__ = ["create_app", "proxy_options", "serve", "serve_app"]

_STATIC = {
    "answer.css": ("medoracle.answer", "templates/answer.css", "text/css"),
    "site.css": ("medoracle.web", "static/site.css", "text/css"),
    "medoracle.js": ("medoracle.web", "static/medoracle.js", "text/javascript"),
}


def create_app(settings: Settings, site: Site) -> FastAPI:
    """The application over `site`; it starts the site's composer on startup and closes the
    site on shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        site.start()
        try:
            yield
        finally:
            site.close()

    app = FastAPI(
        title="medoracle",
        version=__version__,
        description="Evidence-first clinical answers: ask, read articles in three audiences, "
        "search evidence, and move articles along the review track.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.web = WebState(
        settings=settings,
        site=site,
        secret=auth.load_secret_key(settings),
        templates=templates(),
        ask_limiter=RateLimiter(settings.web.ask_per_minute),
        login_limiter=RateLimiter(10),  # failed sign-ins per client and minute
        pages=PageCache(settings.web.page_cache),
    )
    routers = (pages.router, composing.router, exports.router, review.router, signin.router)
    for router in (*routers, api.router):
        app.include_router(router)
    headers_and_log(app, settings.web.log_questions)
    app.add_middleware(BodyLimit, limit=settings.web.max_body_bytes)
    app.add_middleware(FrontPages, web=lambda: state_of_app(app))
    if settings.web.trusted_proxies:
        # Outermost, so limits, logs and cookies see the forwarded client and scheme. Under
        # `medoracle serve` uvicorn has done the same with the same list; doing it here too
        # keeps the app right under any server, and twice is the same as once.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.web.trusted_proxies)
    errors.install(app)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name not in _STATIC:
            raise NotFound(f"no file {name!r}")
        package, path, media = _STATIC[name]
        body = resources.files(package).joinpath(path).read_bytes()
        return Response(body, media_type=media, headers={"Cache-Control": "max-age=3600"})

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def serve_app() -> FastAPI:
    """The app `medoracle serve` runs (uvicorn's factory): the library in MEDORACLE_HOME,
    the question encoder `web.related_encoder` names for related questions."""
    from medoracle.answer.service import open_answerer

    settings = get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    site = Site(
        settings,
        answerer=lambda: open_answerer(settings),
        encoder=related_encoder(settings),
    )
    return create_app(settings, site)


def proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's forwarded-header options: trust X-Forwarded-* only from the configured
    proxies. uvicorn's own default trusts 127.0.0.1 (or $FORWARDED_ALLOW_IPS), which lets
    any local client claim any address and escape the per-client limits."""
    proxies = settings.web.trusted_proxies
    return {"proxy_headers": bool(proxies), "forwarded_allow_ips": proxies}


def serve(settings: Settings, *, host: str, port: int, workers: int) -> None:
    """Run `serve_app` under uvicorn on HOST:PORT with `workers` processes (each reads its
    settings again, from the same environment)."""
    import uvicorn

    if not settings.library_path.exists():
        raise ConfigError(
            f"no library at {settings.library_path}; build one with `medoracle library build`"
        )
    if workers > 1:  # one OpenMP thread per process: the processes share the cores
        os.environ.setdefault("OMP_NUM_THREADS", "1")
    uvicorn.run(
        "medoracle.web.app:serve_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # our own log names routes, never question text
        log_level="info",
        server_header=False,
        **proxy_options(settings),
    )
