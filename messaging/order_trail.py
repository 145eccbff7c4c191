"""The one read every service answers the same way: ``<service>.order_trail(order_id)``,
what this service did for an order, with times, as ``TrailEntry`` models (sagactl history
and the web view merge every service's into one timeline). A service gives the function
that reads its own store; this registers the task around it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from celery import Task
from sqlalchemy import Connection

from messaging.contracts.read_models import TrailEntry
from messaging.service_app import ServiceApp

# What a service did for one order, read from its own store.
ReadTrail = Callable[[Connection, str], Iterable[TrailEntry]]


def order_trail_task(service: str) -> str:
    return f"{service}.order_trail"


def register_order_trail(app: ServiceApp, read: ReadTrail) -> Task:
    @app.task(name=order_trail_task(app.service), ignore_result=False)
    def order_trail(order_id: str) -> list[dict[str, Any]]:
        """What this service did for an order, oldest first (TrailEntry as JSON)."""
        with app.engine.begin() as conn:
            entries = sorted(read(conn, order_id), key=lambda entry: entry.at)
        return [entry.model_dump(mode="json") for entry in entries]

    return order_trail
