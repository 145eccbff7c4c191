"""Two saga-web replicas behind one address must accept each other's forms: given
SAGA_WEB_SECRET_KEY, a form token made by one is valid on the other; without it each
process signs with a random key of its own."""

from __future__ import annotations

from typing import Any, cast

import pytest
from flask.testing import FlaskClient

from console.web import create_app
from console.web.server import WebSettings
from saga_client.platform import SagaPlatform
from saga_client.tasks import TaskClient
from tests.unit.sagactl_stand_in import FakeApp
from tests.unit.test_web_view_defends_its_operators import LETTERS, REPLAYED, _form_token, _replays


def test_the_secret_key_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAGA_WEB_SECRET_KEY", "s3cret-shared-by-replicas")

    assert WebSettings.from_env().secret_key == "s3cret-shared-by-replicas"


def test_unset_it_is_left_to_each_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SAGA_WEB_SECRET_KEY", raising=False)

    assert WebSettings.from_env().secret_key is None


def _replica(secret_key: str | None, outcomes: dict[str, list[Any]]) -> tuple[FlaskClient, FakeApp]:
    app = FakeApp(outcomes)
    platform = SagaPlatform(TaskClient(cast(Any, app), timeout=5.0))
    return create_app(platform, None, secret_key).test_client(), app


@pytest.mark.parametrize(("key_a", "key_b", "status"), [("k", "k", 303), (None, None, 400)])
def test_a_form_from_one_replica_is_accepted_by_another_only_with_one_key(
    key_a: str | None, key_b: str | None, status: int
) -> None:
    one, _ = _replica(key_a, LETTERS)
    other, other_app = _replica(key_b, {**LETTERS, "inventory.replay_dead_letters": [REPLAYED]})
    token = _form_token(one)
    cookie = one.get_cookie("session")
    assert cookie is not None
    other.set_cookie("session", cookie.value)  # the load balancer sent the post elsewhere

    posted = other.post(
        "/dead-letters/replay", data={"service": "inventory", "id": "7", "form_token": token}
    )

    assert posted.status_code == status
    assert bool(_replays(other_app)) is (status == 303)
