"""The web view against another site and a password guesser, through Flask's test client
over the stand-in for the Celery app: a replay posted without this session's form token
(or with another) gets 400 and sends nothing; every response carries the security headers;
failed logins are logged without the password and, past five a minute from one address,
answered 429 with Retry-After, the right password included, until the minute is over."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any, cast

import pytest
import structlog
from flask.testing import FlaskClient

import console.web
from console.web import create_app
from console.web.auth import Credentials
from console.web.headers import HEADERS
from console.web.throttle import LoginThrottle
from messaging.contracts.read_models import ReplayResult
from saga_client.platform import SagaPlatform
from saga_client.tasks import TaskClient
from tests.unit.sagactl_stand_in import FakeApp, answer, dead_letter, dead_letters, services

OPERATOR = Credentials("ops", "s3cret-pw")
LETTERS = {  # each answered three times: pages read them again
    **{name: answers * 3 for name, answers in services().items()},
    **{
        f"{service}.dead_letters": [dead_letters(service)] * 3
        for service in ("orchestrator", "payment", "shipping")
    },
    "inventory.dead_letters": [dead_letters("inventory", dead_letter(7, "bad"))] * 3,
}
REPLAYED = answer(ReplayResult, {"service": "inventory", "replayed": [7], "not_replayable": []})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _web(
    outcomes: dict[str, list[Any]] | None = None,
    *,
    credentials: Credentials | None = None,
    throttle: LoginThrottle | None = None,
) -> tuple[FlaskClient, FakeApp]:
    app = FakeApp(outcomes or {})
    platform = SagaPlatform(TaskClient(cast(Any, app), timeout=5.0))
    web = create_app(platform, credentials, throttle=throttle)
    return web.test_client(), app


def _auth(username: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


LOGIN = _auth(OPERATOR.username, OPERATOR.password)
PAGE = "/static/diagram.js"  # behind the login too, and needs no answer of the platform


def _form_token(web: FlaskClient) -> str:
    page = web.get("/dead-letters").get_data(as_text=True)
    tokens: set[str] = set(re.findall(r'name="form_token" value="([^"]+)"', page))
    assert len(tokens) == 1, tokens
    return tokens.pop()


def _replays(app: FakeApp) -> list[str]:
    return [name for name, _, _ in app.sent if name.endswith(".replay_dead_letters")]


@pytest.mark.parametrize("token", [None, "", "forged-by-another-site"])
def test_a_replay_without_this_sessions_token_is_refused_and_sends_nothing(
    token: str | None,
) -> None:
    web, app = _web({**LETTERS, "inventory.replay_dead_letters": [REPLAYED]})
    _form_token(web)  # the session has a token: the post does not carry it
    form = {"service": "inventory", "id": "7"}
    if token is not None:
        form["form_token"] = token

    refused = web.post("/dead-letters/replay", data=form)

    assert refused.status_code == 400
    assert "the form has expired" in refused.get_data(as_text=True)
    assert _replays(app) == []


def test_a_post_from_a_browser_that_never_loaded_a_form_is_refused() -> None:
    web, app = _web({"inventory.replay_dead_letters": [REPLAYED]})

    refused = web.post("/dead-letters/replay", data={"service": "inventory", "id": "7"})

    assert refused.status_code == 400
    assert app.sent == []


def test_a_replay_with_the_token_of_its_page_is_sent() -> None:
    web, app = _web({**LETTERS, "inventory.replay_dead_letters": [REPLAYED]})
    token = _form_token(web)

    replayed = web.post(
        "/dead-letters/replay", data={"service": "inventory", "id": "7", "form_token": token}
    )

    assert replayed.status_code == 303
    assert _replays(app) == ["inventory.replay_dead_letters"]
    assert [kwargs for name, kwargs, _ in app.sent if name in _replays(app)] == [{"ids": [7]}]


def test_a_token_of_another_session_is_refused() -> None:
    other, _ = _web(LETTERS)
    stolen = _form_token(other)
    web, app = _web({**LETTERS, "inventory.replay_dead_letters": [REPLAYED]})
    _form_token(web)

    refused = web.post(
        "/dead-letters/replay", data={"service": "inventory", "id": "7", "form_token": stolen}
    )

    assert refused.status_code == 400
    assert _replays(app) == []


def test_every_response_carries_the_security_headers() -> None:
    web, _ = _web(LETTERS, credentials=OPERATOR)
    responses = {
        "page": web.get("/dead-letters", headers=LOGIN),
        "login prompt": web.get("/"),
        "refused post": web.post("/dead-letters/replay", headers=LOGIN),
        "not found": web.get("/nowhere", headers=LOGIN),
        "static": web.get("/static/diagram.js", headers=LOGIN),
    }

    for what, response in responses.items():
        for name, value in HEADERS.items():
            assert response.headers.get(name) == value, (what, name)
        response.close()
    assert [r.status_code for r in responses.values()] == [200, 401, 400, 404, 200]


def test_the_policy_allows_the_vendored_mermaid_and_nothing_inline_but_its_styles() -> None:
    policy = dict(
        directive.split(" ", 1) for directive in HEADERS["Content-Security-Policy"].split("; ")
    )

    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"  # mermaid.min.js and diagram.js from /static
    assert policy["style-src"] == "'self' 'unsafe-inline'"  # the SVG Mermaid draws
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"


def test_the_pages_have_no_inline_script_and_no_other_origin() -> None:
    templates = Path(console.web.__file__).parent / "templates"
    for template in templates.glob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert not re.search(r"\son[a-z]+=", text), template.name  # no onclick= handlers
        assert "http://" not in text and "https://" not in text, template.name


def _login(web: FlaskClient, headers: dict[str, str], address: str = "127.0.0.1") -> Any:
    """A request for a page behind the login that needs no answer of the platform."""
    response = web.get(PAGE, headers=headers, environ_base={"REMOTE_ADDR": address})
    response.close()
    return response


def test_failed_logins_are_limited_per_address_and_logged_without_the_password() -> None:
    clock = Clock()
    web, _ = _web(credentials=OPERATOR, throttle=LoginThrottle(limit=5, window=60.0, clock=clock))
    wrong = _auth("ops", "guess-number-n")

    with structlog.testing.capture_logs() as logged:
        statuses = [_login(web, wrong).status_code for _ in range(5)]
        refused = _login(web, LOGIN)
        other_address = _login(web, LOGIN, "10.0.0.9")

    assert statuses == [401] * 5
    assert refused.status_code == 429  # the right password too, while the address waits
    assert refused.headers["Retry-After"] == "60"
    assert other_address.status_code == 200
    failures = [line for line in logged if line["event"] == "web_login_failed"]
    assert [line["failures"] for line in failures] == [1, 2, 3, 4, 5]
    assert failures[-1]["throttled"] is True
    assert all(line["client"] == "127.0.0.1" and line["known_user"] for line in failures)
    assert "guess-number-n" not in repr(logged)

    clock.now += 30
    assert _login(web, wrong).headers["Retry-After"] == "30"
    clock.now += 30.5  # the first failure is more than a minute old
    assert _login(web, LOGIN).status_code == 200


def test_a_browser_asking_for_the_login_prompt_is_never_limited() -> None:
    web, _ = _web(credentials=OPERATOR, throttle=LoginThrottle(limit=2, window=60.0, clock=Clock()))

    prompts = [_login(web, {}).status_code for _ in range(5)]

    assert prompts == [401] * 5
    assert _login(web, LOGIN).status_code == 200
