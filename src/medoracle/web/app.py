"""`medoracle serve`: the FastAPI application, its middleware and its error pages.

    request -> forwarded client and scheme (trusted proxies only) -> cached article pages
            -> size limit -> security headers, access log (route names, no question text)
            -> pages (server-rendered Jinja2) or /api/v1 (JSON, OpenAPI)

The routes live in `medoracle.web.pages` and `medoracle.web.api`; both reach the `Site`
through `request.app.state.web`.
"""

from __future__ import annotations

import logging
import math
import os
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from medoracle import __version__
from medoracle.answer.render import AUDIENCE_LABELS, html_environment
from medoracle.articles import workflow
from medoracle.articles.records import User
from medoracle.articles.related import related_encoder
from medoracle.articles.service import Site
from medoracle.articles.store import seconds_between
from medoracle.corpus.schema import utc_now
from medoracle.errors import (
    ConfigError,
    Conflict,
    MedoracleError,
    NotFound,
    Refused,
    TransitionError,
)
from medoracle.settings import Settings, get_settings
from medoracle.web import auth

__all__ = ["WebState", "create_app", "serve_app"]

log = logging.getLogger("medoracle.web")

SESSION_COOKIE = "medoracle_session"
CSRF_COOKIE = "medoracle_csrf"
AUDIENCE_COOKIE = "medoracle_audience"
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
_HEADERS = {
    "Content-Security-Policy": _CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
_STATIC = {
    "answer.css": ("medoracle.answer", "templates/answer.css", "text/css"),
    "site.css": ("medoracle.web", "static/site.css", "text/css"),
    "medoracle.js": ("medoracle.web", "static/medoracle.js", "text/javascript"),
}


class RateLimiter:
    """At most `per_minute` events per client in any sliding minute."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        """Count one event for `client`, unless the limit is reached (then False)."""
        return self._check(client, count=True)

    def blocked(self, client: str) -> bool:
        """Whether `client` is at the limit, counting nothing (see `hit`)."""
        return not self._check(client, count=False)

    def hit(self, client: str) -> None:
        """Count one event (a failed sign-in, say) whatever the limit."""
        with self._lock:
            self._events.setdefault(client, deque()).append(time.monotonic())

    def retry_after(self, client: str) -> int:
        """Seconds until `client` may act again: when its oldest event leaves the minute."""
        now = time.monotonic()
        with self._lock:
            events = self._events.get(client)
            oldest = events[0] if events else now - 60
        return max(1, math.ceil(oldest + 60 - now))

    def _check(self, client: str, *, count: bool) -> bool:
        now = time.monotonic()
        with self._lock:
            if len(self._events) > 10_000:  # forget idle clients
                self._events = {k: v for k, v in self._events.items() if v and v[-1] > now - 60}
            events = self._events.setdefault(client, deque())
            while events and events[0] <= now - 60:
                events.popleft()
            if len(events) >= self.per_minute:
                return False
            if count:
                events.append(now)
            return True


class PageCache:
    """Rendered anonymous pages with the site generation they were rendered at, least
    recently used out first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._pages: OrderedDict[tuple[Any, ...], tuple[int, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> tuple[int, str] | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple[Any, ...], page: tuple[int, str]) -> None:
        if self.size == 0:
            return
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


@dataclass
class WebState:
    """What every request handler shares."""

    settings: Settings
    site: Site
    secret: bytes
    templates: jinja2.Environment
    ask_limiter: RateLimiter
    login_limiter: RateLimiter
    pages: PageCache
    placeholder: str = field(default_factory=lambda: f"csrf-{secrets.token_hex(16)}")

    def user(self, request: Request) -> User | None:
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        return self.site.store.session_user(auth.hash_token(token), utc_now())

    def sign_in(self, client: str, username: str, password: str) -> User | None:
        """The account if the password is right; None, counted against the client and the
        account name, if not. A client over its limit, or an account name locked after
        repeated failures (`auth.lockout_seconds`), gets 429 with Retry-After, and its
        password is not even checked."""
        store = self.site.store
        if self.login_limiter.blocked(client):
            wait = self.login_limiter.retry_after(client)
            raise HTTPException(
                429,
                f"too many failed sign-ins from this address: try again in {wait} seconds",
                {"Retry-After": str(wait)},
            )
        now = utc_now()
        until = store.locked_until(username, now)
        if until is not None:
            wait = max(1, seconds_between(now, until))
            raise HTTPException(
                429,
                f"too many failed sign-ins for this account: try again in {wait} seconds",
                {"Retry-After": str(wait)},
            )
        user = store.user(username)
        valid = auth.verify_password(user.password_hash if user else None, password)
        if user is None or not valid or user.disabled:
            self.login_limiter.hit(client)
            store.record_failure(username, now, auth.lockout_seconds)
            return None
        store.clear_failures(username)
        return user

    def render(self, name: str, **context: Any) -> str:
        return self.templates.get_template(name).render(**context)


def state_of(request: Request) -> WebState:
    web: WebState = request.app.state.web
    return web


def state_of_app(app: FastAPI) -> WebState:
    web: WebState = app.state.web
    return web


def client_of(request: Request) -> str:
    """The client's address for rate limits: the connection's peer, or, when that peer is a
    trusted proxy (`web.trusted_proxies`), the address it forwarded for."""
    return request.client.host if request.client else "unknown"


def templates() -> jinja2.Environment:
    env = html_environment().overlay()  # the answer renderer's own stays as it is
    env.globals = dict(env.globals)
    env.loader = jinja2.ChoiceLoader(
        [jinja2.PackageLoader("medoracle.web", "templates"), env.loader or jinja2.DictLoader({})]
    )
    env.globals.update(
        stylesheets=["/static/answer.css", "/static/site.css"],
        labels=workflow.LABELS,
        actions=workflow.ACTIONS,
        states=workflow.ReviewState,
        audiences=[(a.value, label) for a, label in AUDIENCE_LABELS.items()],
    )
    return env


# ---------------------------------------------------------------------- middleware

ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]


class BodyLimit:
    """Refuse bodies over `limit` bytes with 413, by header or while streaming."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(self.limit)(scope, receive, send)
            return
        seen = 0
        exceeded = started = False

        async def limited() -> Any:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded(message: Any) -> None:
            # The form parser turns any error while reading into its own 400: drop that
            # reply, the 413 below says what happened.
            nonlocal started
            if exceeded:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        with suppress(_BodyTooLarge):
            await self.app(scope, limited, guarded)
        if exceeded and not started:
            await _too_large(self.limit)(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


def _too_large(limit: int) -> Response:
    return JSONResponse(
        {"error": f"request body over {limit} bytes"}, status_code=413, headers=_HEADERS
    )


class FrontPages:
    """Anonymous reads of an article page, served from the page cache before routing.

    Only the plain address (`/questions/{slug}`, no query) of a browser that already holds
    its CSRF cookie and no session qualifies, and only while the site generation is the one
    the page was rendered at; everything else goes to the app, which fills the cache.
    """

    def __init__(self, app: ASGIApp, web: Callable[[], WebState]) -> None:
        self.app = app
        self.web = web

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        slug = path[len("/questions/") :] if path.startswith("/questions/") else ""
        if not slug or "/" in slug or scope["method"] != "GET" or scope.get("query_string"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        cookies = _cookies(scope)
        binding = cookies.get(CSRF_COOKIE, "")
        web = self.web()
        cached = None
        if SESSION_COOKIE not in cookies and 20 <= len(binding) <= 100:
            audience = cookies.get(AUDIENCE_COOKIE, "clinician")
            cached = web.pages.get((slug, audience, None))
        if cached is None or cached[0] != web.site.generation():
            await self.app(scope, receive, send)
            return
        body = cached[1].replace(web.placeholder, auth.csrf_token(web.secret, binding)).encode()
        headers = [
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            *((name.lower().encode(), value.encode()) for name, value in _HEADERS.items()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        shown = path if web.settings.web.log_questions else "/questions/{slug}"
        log.info("GET %s 200 %.1fms", shown, (time.perf_counter() - started) * 1000)


def _cookies(scope: MutableMapping[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, item = part.strip().partition("=")
                found.setdefault(key, item)
    return found


def _route_name(request: Request) -> str:
    route = request.scope.get("route")
    return str(getattr(route, "path", "unmatched"))


def create_app(settings: Settings, site: Site) -> FastAPI:
    """The application over `site`; it starts the site's composer on startup and closes the
    site on shutdown."""
    from medoracle.web import api, pages

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
        secret=auth.load_secret_key(settings.home),
        templates=templates(),
        ask_limiter=RateLimiter(settings.web.ask_per_minute),
        login_limiter=RateLimiter(10),  # failed sign-ins per client and minute
        pages=PageCache(settings.web.page_cache),
    )
    app.include_router(pages.router)
    app.include_router(api.router)

    @app.middleware("http")
    async def headers_and_log(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception as exc:
            response = _internal_error(request, exc)
        for name, value in _HEADERS.items():
            response.headers.setdefault(name, value)
        path = request.url.path if settings.web.log_questions else _route_name(request)
        log.info(
            "%s %s %d %.1fms",
            request.method,
            path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response

    app.add_middleware(BodyLimit, limit=settings.web.max_body_bytes)
    app.add_middleware(FrontPages, web=lambda: state_of_app(app))
    if settings.web.trusted_proxies:
        # Outermost, so limits, logs and cookies see the forwarded client and scheme. Under
        # `medoracle serve` uvicorn has done the same with the same list; doing it here too
        # keeps the app right under any server, and twice is the same as once.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.web.trusted_proxies)
    _errors(app)

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


_ERROR_TITLES = {
    400: "That request could not be used",
    401: "Sign in first",
    403: "Not allowed",
    404: "Not found",
    409: "Changed meanwhile",
    413: "Too large",
    422: "Not a question medoracle answers",
    429: "Too many questions",
}


def _reply(request: Request, status: int, message: str) -> Response:
    """A one-line error: JSON under /api, a page elsewhere; with the security headers, since
    a 500 never passes the middleware that adds them."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status, headers=_HEADERS)
    title = _ERROR_TITLES.get(status, "Something went wrong")
    body = state_of(request).render(
        "error.html.j2", title=title, message=message, user=None, csrf=""
    )
    return HTMLResponse(body, status_code=status, headers=_HEADERS)


def _internal_error(request: Request, exc: Exception) -> Response:
    """A bug, answered as a one-line 500. The log names the route and the exception's type;
    the traceback, which may quote question text, only under MEDORACLE_DEBUG."""
    log.error(
        "%s %s failed: %s",
        request.method,
        _route_name(request),
        type(exc).__name__,
        exc_info=exc if os.environ.get("MEDORACLE_DEBUG") else None,
    )
    return _reply(request, 500, "internal error: this request could not be answered")


def _errors(app: FastAPI) -> None:
    """One-line errors: JSON under /api, a page elsewhere. Never a traceback."""
    reply = _reply

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return reply(request, 404, str(exc))

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        return reply(request, 422, str(exc))

    @app.exception_handler(TransitionError)
    async def transition(request: Request, exc: TransitionError) -> Response:
        return reply(request, 403, str(exc))

    @app.exception_handler(Conflict)
    async def conflict(request: Request, exc: Conflict) -> Response:
        return reply(request, 409, str(exc))

    @app.exception_handler(MedoracleError)
    async def medoracle_error(request: Request, exc: MedoracleError) -> Response:
        status = 400 if isinstance(exc, ConfigError) else 503
        return reply(request, status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
        return reply(request, 422, f"{where or 'request'}: {first.get('msg', 'invalid')}")

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Response:
        # Only what escapes the middleware stack itself gets here; the app's own failures
        # are answered by `headers_and_log`.
        return _internal_error(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        response = reply(request, exc.status_code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response


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
