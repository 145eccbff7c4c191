"""HTTP basic auth for every page (``SAGA_WEB_BASIC_AUTH=user:password``, as Flower's
``FLOWER_BASIC_AUTH``), failed logins limited per client address (``throttle``) and logged
(never the password, nor the user name given), and a per-session token on every request
that may change something (any method but GET, HEAD, OPTIONS), so that another site cannot
make a logged-in browser replay letters: the browser sends the basic credentials to any
page that posts to us, but only our own pages know the token.

Werkzeug parses the ``Authorization`` header and builds the ``WWW-Authenticate`` one."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import Response, abort, request, session
from werkzeug.datastructures import Authorization, WWWAuthenticate

from console.web.throttle import LoginThrottle
from messaging.logs import get_logger

REALM = "saga web view"
FORM_TOKEN = "form_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
log = get_logger()


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str

    @classmethod
    def parse(cls, text: str) -> Credentials:
        """``user:password`` (the password may contain ``:``)."""
        username, colon, password = text.partition(":")
        if not (colon and username and password):
            raise ValueError("SAGA_WEB_BASIC_AUTH must be user:password, both non-empty")
        return cls(username, password)

    def accept(self, given: Authorization | None) -> bool:
        if given is None or given.type != "basic":
            return False
        user_ok = _same(given.username or "", self.username)
        password_ok = _same(given.password or "", self.password)
        return user_ok and password_ok


def _same(given: str, expected: str) -> bool:
    return secrets.compare_digest(given.encode(), expected.encode())


def challenge() -> Response:
    """401, asking the browser for the user and password."""
    response = Response("login required\n", status=401, mimetype="text/plain")
    response.www_authenticate = WWWAuthenticate("basic", {"realm": REALM})
    return response


def too_many(retry_after: int) -> Response:
    """429: this address failed to log in too often; try again in ``retry_after`` s."""
    response = Response(
        "too many failed logins: try again later\n", status=429, mimetype="text/plain"
    )
    response.headers["Retry-After"] = str(retry_after)
    return response


def check_login(credentials: Credentials, throttle: LoginThrottle) -> Response | None:
    """None when the request carries ``credentials``; else the login prompt (401), or 429
    while its address has failed too often. A request without credentials (a browser's
    first) gets the prompt and counts for nothing."""
    given = request.authorization
    if given is None:
        return challenge()
    client = request.remote_addr or "unknown"
    wait = throttle.retry_after(client)
    if wait is not None:
        return too_many(wait)
    if credentials.accept(given):
        return None
    failures = throttle.failed(client)
    log.warning(
        "web_login_failed",
        client=client,
        known_user=_same(given.username or "", credentials.username),
        failures=failures,
        window_seconds=throttle.window,
        throttled=failures >= throttle.limit,
    )
    return challenge()


def form_token() -> str:
    """The token the forms of this session carry (made on first use)."""
    token = session.get(FORM_TOKEN)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[FORM_TOKEN] = token
    return token


def check_form_token() -> None:
    """Refuse (400) a request that may change something (any method but GET, HEAD and
    OPTIONS) unless it carries this session's token: before any view runs."""
    if request.method in SAFE_METHODS:
        return
    expected = session.get(FORM_TOKEN)
    given = request.form.get(FORM_TOKEN, "")
    if not isinstance(expected, str) or not _same(given, expected):
        log.warning("web_form_token_refused", path=request.path, client=request.remote_addr)
        abort(400, description="the form has expired: reload the page and try again")
