"""The web view (``saga-web``) and Flower (``saga-flower``) refuse to start beyond loopback
with the default credentials (admin:admin, or none), naming the variable to set; on
127.0.0.1, or published on 127.0.0.1 from a container, the defaults still do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from console import flower
from console.exposure import DefaultCredentialsExposed, is_loopback
from console.flower import FlowerExposure
from console.web import server
from console.web.server import WebSettings
from devtools.launcher import expand, read_procfile

ROOT = Path(__file__).resolve().parents[2]
WEB_VARIABLES = ("SAGA_WEB_ADDRESS", "SAGA_WEB_PUBLISH_ADDRESS", "SAGA_WEB_BASIC_AUTH")


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.1.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("", False),
        ("::", False),
        ("192.168.1.20", False),
        ("saga.example.com", False),
    ],
)
def test_loopback_is_127_and_localhost_only(address: str, loopback: bool) -> None:
    assert is_loopback(address) is loopback


def _web_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> WebSettings:
    for name in WEB_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return WebSettings.from_env()


@pytest.mark.parametrize(
    "env",
    [
        {"SAGA_WEB_ADDRESS": "0.0.0.0"},
        {"SAGA_WEB_ADDRESS": "0.0.0.0", "SAGA_WEB_BASIC_AUTH": "admin:admin"},
        {"SAGA_WEB_ADDRESS": "0.0.0.0", "SAGA_WEB_PUBLISH_ADDRESS": "0.0.0.0"},
        {"SAGA_WEB_ADDRESS": "127.0.0.1", "SAGA_WEB_PUBLISH_ADDRESS": "192.168.1.20"},
    ],
)
def test_the_web_view_refuses_the_defaults_beyond_loopback(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    settings = _web_settings(monkeypatch, **env)

    with pytest.raises(DefaultCredentialsExposed, match="set SAGA_WEB_BASIC_AUTH=user:password"):
        settings.check_exposure()


@pytest.mark.parametrize(
    "env",
    [
        {},  # 127.0.0.1
        {"SAGA_WEB_ADDRESS": "0.0.0.0", "SAGA_WEB_PUBLISH_ADDRESS": "127.0.0.1"},  # compose
        {"SAGA_WEB_ADDRESS": "0.0.0.0", "SAGA_WEB_BASIC_AUTH": "ops:a-password-of-ours"},
    ],
)
def test_the_web_view_starts_on_loopback_or_with_credentials_of_its_own(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    _web_settings(monkeypatch, **env).check_exposure()


def test_saga_web_stops_with_the_variable_to_set_before_serving(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _web_settings(monkeypatch, SAGA_WEB_ADDRESS="0.0.0.0")
    monkeypatch.setattr(server, "configure_logging", lambda *_: None)

    def serve(*_: Any, **__: Any) -> None:
        raise AssertionError("served")

    monkeypatch.setattr(server, "serve", serve)

    with pytest.raises(SystemExit) as stopped:
        server.main()

    assert "saga-web: refusing to listen on 0.0.0.0" in str(stopped.value.code)
    assert "SAGA_WEB_BASIC_AUTH" in str(stopped.value.code)


FLOWER = ["-A", "orchestrator.worker", "flower", "--port=5555"]


@pytest.mark.parametrize(
    ("argv", "env"),
    [
        ([], {}),  # Flower's default address: every interface
        (["--address=0.0.0.0"], {}),
        (["--address=0.0.0.0", "--basic-auth=admin:admin"], {}),
        (["--address=0.0.0.0", "--basic_auth=ops:pw,admin:admin"], {}),
        (["--address=0.0.0.0"], {"FLOWER_BASIC_AUTH": "ops:"}),
        (
            ["--address=127.0.0.1"],
            {"FLOWER_ADDRESS": "x", "SAGA_FLOWER_PUBLISH_ADDRESS": "0.0.0.0"},
        ),
        ([], {"FLOWER_ADDRESS": "10.0.0.5", "FLOWER_BASIC_AUTH": "admin:admin"}),
        (["--address=0.0.0.0"], {"FLOWER_ADDRESS": "127.0.0.1"}),  # the command line wins
    ],
)
def test_flower_refuses_the_defaults_beyond_loopback(argv: list[str], env: dict[str, str]) -> None:
    with pytest.raises(DefaultCredentialsExposed, match="set FLOWER_BASIC_AUTH=user:password"):
        FlowerExposure.read([*FLOWER, *argv], env).check()


@pytest.mark.parametrize(
    ("argv", "env"),
    [
        (["--address=127.0.0.1", "--basic-auth=admin:admin"], {}),
        (["--address=0.0.0.0"], {"SAGA_FLOWER_PUBLISH_ADDRESS": "127.0.0.1"}),  # compose
        (["--address=0.0.0.0", "--basic-auth=ops:pw"], {}),
        (["--address=0.0.0.0"], {"FLOWER_BASIC_AUTH": "ops:pw,dev:pw2"}),
        (["--address=0.0.0.0", "--auth=.*@example\\.com"], {}),  # Flower's OAuth
    ],
)
def test_flower_starts_on_loopback_or_with_credentials_of_its_own(
    argv: list[str], env: dict[str, str]
) -> None:
    FlowerExposure.read([*FLOWER, *argv], env).check()


def test_saga_flower_runs_celery_with_the_same_arguments_or_stops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr("console.flower.os.execv", lambda _path, argv: started.append(argv))
    for name in ("FLOWER_ADDRESS", "FLOWER_BASIC_AUTH", "SAGA_FLOWER_PUBLISH_ADDRESS"):
        monkeypatch.delenv(name, raising=False)

    with pytest.raises(SystemExit) as stopped:
        flower.main([*FLOWER, "--address=0.0.0.0"])
    assert str(stopped.value.code).startswith("saga-flower: refusing to listen on 0.0.0.0")
    assert started == []

    procfile = read_procfile(ROOT / "Procfile")["flower"]
    argv = expand(procfile, {"FLOWER_PORT": "5555"}).split()
    assert argv[0] == "saga-flower"
    flower.main(argv[1:])  # the Procfile's line with no variable set: 127.0.0.1, admin:admin
    assert started[0][1:] == ["-m", "celery", *argv[1:]]
