"""Settings from environment variables, with the documented defaults (docs/configuration.md)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/0"
MIGRATE_MODES = ("auto", "check")
# "watched": workers send Celery's task events only once a monitor (Flower) asks for them,
# and no sent events; "always": every worker sends task events and every publish a sent
# event, whoever listens (docs/monitoring.md#flower).
TASK_EVENT_MODES = ("watched", "always")
FAKE = "fake"  # the adapter every port gets unless told otherwise: development and tests


def env_prefix(service: str) -> str:
    """``reactor.email`` -> ``REACTOR_EMAIL``: the prefix of a service's own variables."""
    return re.sub(r"\W", "_", service).upper()


@dataclass(frozen=True)
class Settings:
    service: str
    broker_url: str
    result_backend: str
    database_url: str
    log_format: str  # "json" or "console"
    log_level: str
    visibility_timeout: int
    restore_interval: int
    relay_interval: float
    relay_grace: float
    # "auto": a process brings its store up to date at start; "check": it refuses a store
    # that is behind, naming `saga-migrate`. Auto by default on the default SQLite file,
    # check when the service's database URL is given (docs/configuration.md).
    migrate: str
    task_events: str = "watched"  # one of TASK_EVENT_MODES

    @classmethod
    def from_env(cls, service: str) -> Settings:
        env = os.environ
        broker = env.get("SAGA_BROKER_URL", DEFAULT_BROKER_URL)
        data_dir = Path(env.get("SAGA_DATA_DIR", "var"))
        default_db = f"sqlite:///{(data_dir / f'{service}.db').as_posix()}"
        url_variable = f"{env_prefix(service)}_DATABASE_URL"
        migrate = env.get("SAGA_MIGRATE", "check" if url_variable in env else "auto")
        if migrate not in MIGRATE_MODES:
            raise ValueError(f"SAGA_MIGRATE={migrate!r}: expected one of {MIGRATE_MODES}")
        task_events = env.get("SAGA_TASK_EVENTS", "watched")
        if task_events not in TASK_EVENT_MODES:
            expected = f"expected one of {TASK_EVENT_MODES}"
            raise ValueError(f"SAGA_TASK_EVENTS={task_events!r}: {expected}")
        return cls(
            service=service,
            broker_url=broker,
            result_backend=env.get("SAGA_RESULT_BACKEND", broker),
            database_url=env.get(url_variable, default_db),
            log_format=env.get("SAGA_LOG_FORMAT", "console"),
            log_level=env.get("SAGA_LOG_LEVEL", "INFO"),
            visibility_timeout=int(env.get("SAGA_VISIBILITY_TIMEOUT", "600")),
            restore_interval=int(env.get("SAGA_UNACKED_RESTORE_INTERVAL", "10")),
            relay_interval=float(env.get("SAGA_RELAY_INTERVAL", "0.5")),
            relay_grace=float(env.get("SAGA_RELAY_GRACE", "2.0")),
            migrate=migrate,
            task_events=task_events,
        )


@dataclass(frozen=True)
class AdapterSetting:
    """Which adapter fills one port of a service (payment's card network, shipping's
    carrier): the variable ``<SERVICE>_<PORT>`` (``PAYMENT_CARD_NETWORK``), holding
    ``fake`` (the default) or ``module:factory`` (messaging/adapters.py builds it)."""

    variable: str
    value: str

    @classmethod
    def from_env(
        cls, service: str, port: str, env: Mapping[str, str] | None = None
    ) -> AdapterSetting:
        variable = f"{env_prefix(service)}_{env_prefix(port)}"
        return cls(variable, (os.environ if env is None else env).get(variable, FAKE))

    def __str__(self) -> str:
        return f"{self.variable}={self.value!r}"
