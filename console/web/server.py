"""``saga-web``: the saga web view on waitress, on 127.0.0.1:$SAGA_WEB_PORT (default 8088),
with the broker and result backend sagactl uses ($SAGA_BROKER_URL, $SAGA_RESULT_BACKEND).

It refuses to start on an address beyond loopback ($SAGA_WEB_ADDRESS, or in a container
$SAGA_WEB_PUBLISH_ADDRESS, where its port is published) with the default credentials
admin:admin: $SAGA_WEB_BASIC_AUTH must then be set (console/exposure.py)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from waitress import serve

from console.exposure import DefaultCredentialsExposed, refuse_default_credentials
from console.web.app import create_app
from console.web.auth import Credentials
from messaging.logs import configure_logging, get_logger
from messaging.settings import DEFAULT_BROKER_URL
from saga_client.platform import SagaPlatform
from saga_client.tasks import TaskClient, build_app

DEFAULT_PORT = 8088
DEFAULT_AUTH = "admin:admin"  # as Flower's default in the Procfile: set your own
DEFAULT_TIMEOUT = 10.0  # seconds to wait for each service's answer


@dataclass(frozen=True)
class WebSettings:
    broker_url: str
    result_backend: str
    address: str
    publish_address: str | None  # where a container's port is published, if it is
    port: int
    credentials: Credentials
    default_credentials: bool
    timeout: float
    log_format: str
    log_level: str
    # Signs sessions and form tokens. Unset: a random one per process, so a form served
    # by one replica is refused by another (400) and a restart signs everyone out.
    secret_key: str | None = None

    @classmethod
    def from_env(cls) -> WebSettings:
        env = os.environ
        broker = env.get("SAGA_BROKER_URL", DEFAULT_BROKER_URL)
        auth = env.get("SAGA_WEB_BASIC_AUTH") or DEFAULT_AUTH
        return cls(
            broker_url=broker,
            result_backend=env.get("SAGA_RESULT_BACKEND") or broker,
            address=env.get("SAGA_WEB_ADDRESS", "127.0.0.1"),
            publish_address=env.get("SAGA_WEB_PUBLISH_ADDRESS") or None,
            port=int(env.get("SAGA_WEB_PORT", str(DEFAULT_PORT))),
            credentials=Credentials.parse(auth),
            default_credentials=auth == DEFAULT_AUTH,
            timeout=float(env.get("SAGA_WEB_TIMEOUT", str(DEFAULT_TIMEOUT))),
            log_format=env.get("SAGA_LOG_FORMAT", "console"),
            log_level=env.get("SAGA_LOG_LEVEL", "INFO"),
            secret_key=env.get("SAGA_WEB_SECRET_KEY") or None,
        )

    @property
    def reachable_on(self) -> str:
        """The address others reach it on: the published one, else the one it listens on."""
        return self.publish_address or self.address

    def check_exposure(self) -> None:
        """Raise DefaultCredentialsExposed: admin:admin beyond loopback."""
        given = self.credentials
        refuse_default_credentials(
            self.reachable_on,
            [f"{given.username}:{given.password}"],
            variable="SAGA_WEB_BASIC_AUTH",
            address_setting="SAGA_WEB_ADDRESS, SAGA_WEB_PUBLISH_ADDRESS",
        )


def main() -> None:
    settings = WebSettings.from_env()
    configure_logging("web", settings.log_format, settings.log_level)
    log = get_logger()
    try:
        settings.check_exposure()
    except DefaultCredentialsExposed as exc:
        log.error("web_refused", reason=str(exc))
        raise SystemExit(f"saga-web: {exc}") from None
    if settings.default_credentials:
        log.warning("web_default_credentials", hint="set SAGA_WEB_BASIC_AUTH=user:password")
    if settings.secret_key is None:
        log.info("web_secret_key_per_process", hint="set SAGA_WEB_SECRET_KEY to run replicas")
    celery = build_app(settings.broker_url, settings.result_backend)
    try:
        platform = SagaPlatform(TaskClient(celery, settings.timeout))
        web = create_app(platform, settings.credentials, settings.secret_key)
        log.info("web_serving", url=f"http://{settings.address}:{settings.port}/")
        serve(web, host=settings.address, port=settings.port, threads=4, ident="saga-web")
    finally:
        celery.close()


if __name__ == "__main__":
    main()
