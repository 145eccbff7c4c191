"""Two versions of one small test saga, ``parcel``, with different steps (never the
checkout: its versions are its own folder's), and the orchestrator's reply path over a
registry of the versions a test deploys.

- v1: reserve_stock (inventory) -> charge_card (payment)
- v2: reserve_stock (inventory) -> ship_parcel (shipping)

A v1 saga that moves past reserve_stock sends ChargePayment, a v2 saga CreateShipment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, select

from messaging.contracts import Envelope
from messaging.contracts.inventory import InventoryReserved, ReserveInventory, StockLine
from messaging.contracts.orders import ShippingAddress
from messaging.contracts.payment import ChargePayment
from messaging.contracts.shipping import CreateShipment
from orchestrator.definition import SagaDefinition, Step, record_nothing
from orchestrator.saga_registry import Registry
from orchestrator.saga_store import actions
from orchestrator.saga_store.tables import sagas
from orchestrator.worker import REPLIES
from tests.service.harness import Participant

LINES = [StockLine(sku="MUG", quantity=1)]
ADDRESS = ShippingAddress(
    name="Ada Lovelace", line1="1 Main St", city="London", postal_code="N1 9GU", country="GB"
)


def _reserve(data: Mapping[str, Any]) -> ReserveInventory:
    return ReserveInventory(order_id=data["order_id"], items=LINES)


def _charge(data: Mapping[str, Any]) -> ChargePayment:
    return ChargePayment(
        order_id=data["order_id"], amount_cents=100, currency="EUR", payment_token="tok"
    )


def _ship(data: Mapping[str, Any]) -> CreateShipment:
    return CreateShipment(order_id=data["order_id"], address=ADDRESS, items=LINES)


RESERVE = Step(
    name="reserve_stock",
    service="inventory",
    command=_reserve,
    success_on={"InventoryReserved": record_nothing},
)
V1 = SagaDefinition(
    name="parcel",
    version=1,
    steps=(
        RESERVE,
        Step("charge_card", "payment", _charge, {"PaymentCharged": record_nothing}),
    ),
)
V2 = SagaDefinition(
    name="parcel",
    version=2,
    steps=(
        RESERVE,
        Step("ship_parcel", "shipping", _ship, {"ShipmentCreated": record_nothing}),
    ),
)


def begin(engine: Engine, registry: Registry, key: str) -> str:
    """A parcel saga started as the orchestrator starts one: on the start version."""
    with engine.begin() as conn:
        return actions.begin(conn, registry["parcel"], key, {"order_id": key}, "c").saga_id


def orchestrator(engine: Engine, registry: Registry) -> Participant:
    """The orchestrator's reply path on ``engine``, running the versions of ``registry``."""

    def apply(conn: Any, message: Any) -> Any:
        return actions.apply_reply(conn, registry, message)

    return Participant.on("orchestrator", engine, apply, REPLIES)


def row(engine: Engine, saga_id: str) -> Any:
    with engine.begin() as conn:
        return conn.execute(select(sagas).where(sagas.c.saga_id == saga_id)).one()


def reserved(engine: Engine, saga_id: str) -> dict[str, Any]:
    """The inventory's reply to the saga's reserve_stock command."""
    payload = InventoryReserved(order_id="o", reservation_id="res-1", items=LINES)
    awaiting = row(engine, saga_id).awaiting
    envelope = Envelope.wrap(payload, saga_id=saga_id, correlation_id="c", causation_id=awaiting)
    return envelope.to_json_dict()
