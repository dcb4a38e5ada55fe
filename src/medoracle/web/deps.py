"""What every router and middleware shares: the per-app `WebState` (settings, the articles
service, the secret, templates, rate limits, the page cache), how a request finds it, its
client and its signed-in user, and the cookie names."""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException

from medoracle.answer.render import AUDIENCE_LABELS, html_environment
from medoracle.articles import accounts, workflow
from medoracle.articles.jobs import Jobs
from medoracle.articles.records import User
from medoracle.articles.service import Site
from medoracle.settings import Settings

__all__ = [
    "AUDIENCE_COOKIE",
    "CSRF_COOKIE",
    "SESSION_COOKIE",
    "PageCache",
    "RateLimiter",
    "WebState",
    "client_of",
    "state_of",
    "state_of_app",
    "templates",
]

SESSION_COOKIE = "medoracle_session"
CSRF_COOKIE = "medoracle_csrf"
AUDIENCE_COOKIE = "medoracle_audience"


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
    jobs: Jobs = field(default_factory=Jobs)
    placeholder: str = field(default_factory=lambda: f"csrf-{secrets.token_hex(16)}")

    def user(self, request: Request) -> User | None:
        return accounts.session_user(self.site.store, request.cookies.get(SESSION_COOKIE))

    def sign_in(self, client: str, username: str, password: str) -> User | None:
        """The account if the password is right; None, counted against the client and the
        account name, if not. A client over its limit, or an account name locked after
        repeated failures (`accounts.lockout_seconds`), gets 429 with Retry-After, and its
        password is not even checked."""
        if self.login_limiter.blocked(client):
            wait = self.login_limiter.retry_after(client)
            raise HTTPException(
                429,
                f"too many failed sign-ins from this address: try again in {wait} seconds",
                {"Retry-After": str(wait)},
            )
        locked = accounts.locked_for(self.site.store, username)
        if locked is not None:
            raise HTTPException(
                429,
                f"too many failed sign-ins for this account: try again in {locked} seconds",
                {"Retry-After": str(locked)},
            )
        user = accounts.sign_in(self.site.store, username, password)
        if user is None:
            self.login_limiter.hit(client)
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
