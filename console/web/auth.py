"""HTTP basic auth for every page (``SAGA_WEB_BASIC_AUTH=user:password``, as Flower's
``FLOWER_BASIC_AUTH``), and a per-session token on the forms that change something, so
that another site cannot make a logged-in browser replay letters.

Werkzeug parses the ``Authorization`` header and builds the ``WWW-Authenticate`` one."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import Response, abort, request, session
from werkzeug.datastructures import Authorization, WWWAuthenticate

REALM = "saga web view"
FORM_TOKEN = "form_token"


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


def form_token() -> str:
    """The token the forms of this session carry (made on first use)."""
    token = session.get(FORM_TOKEN)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[FORM_TOKEN] = token
    return token


def check_form_token() -> None:
    """Refuse (400) a form post whose token is not this session's."""
    expected = session.get(FORM_TOKEN)
    given = request.form.get(FORM_TOKEN, "")
    if not isinstance(expected, str) or not _same(given, expected):
        abort(400, description="the form has expired: reload the page and try again")
