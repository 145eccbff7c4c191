"""The Flask app factory of the saga web view."""

from __future__ import annotations

import secrets

from flask import Flask, Response

from console.dead_letters import pretty_body
from console.text import describe_failure, first_line, short_id, short_ids, stamp
from console.web.auth import Credentials, check_form_token, check_login, form_token
from console.web.headers import secure
from console.web.routes import PLATFORM, pages
from console.web.throttle import LoginThrottle
from saga_client.platform import SagaPlatform

# The templates' filters, by their own names.
FILTERS = (stamp, short_id, short_ids, first_line, pretty_body, describe_failure)


def duration(ms: int) -> str:
    """``+85 ms``, ``+1.250 s``, ``+2 min 05 s``."""
    if ms < 1000:
        return f"+{ms} ms"
    if ms < 60_000:
        return f"+{ms / 1000:.3f} s"
    minutes, rest = divmod(round(ms / 1000), 60)
    return f"+{minutes} min {rest:02d} s"


def create_app(
    platform: SagaPlatform,
    credentials: Credentials | None = None,
    secret_key: str | None = None,
    *,
    throttle: LoginThrottle | None = None,
) -> Flask:
    """The web view over ``platform`` (sagactl's client). Every page needs ``credentials``
    when given (``saga-web`` always gives them), failed logins counted by ``throttle``
    (5 a minute per address unless given). Every request that may change something needs
    its form's token; every response carries the security headers (console/web/headers.py).
    """
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_hex(32),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
    )
    app.extensions[PLATFORM] = platform
    app.register_blueprint(pages)
    app.jinja_env.filters.update({f.__name__: f for f in (*FILTERS, duration)})
    app.jinja_env.globals.update(form_token=form_token)

    if credentials is not None:
        logins = throttle or LoginThrottle()

        @app.before_request
        def require_login() -> Response | None:
            return check_login(credentials, logins)

    app.before_request(check_form_token)  # after the login: a stranger gets 401, not 400
    app.after_request(secure)
    return app
