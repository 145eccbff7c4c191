"""A shipment shipping refuses as ``too_heavy`` reaches the checkout saga as
``ShipmentFailed`` and is undone like a refused destination: refund, then release, then
compensated, the order cancelled with the code and reason. The pure engine, no Celery."""

from __future__ import annotations

from messaging.contracts.inventory import InventoryReleased
from messaging.contracts.payment import PaymentRefunded
from messaging.contracts.saga_status import SagaStatus
from messaging.contracts.shipping import ShipmentFailed
from sagas.checkout.events import OrderCancelled
from tests.unit.checkout_saga import STOCK_LINES, after_charge, apply
from tests.unit.saga_builders import S, assert_at_rest

REASON = "a shipment of 32,000 g to FR is over the 30,000 g that any carrier takes at home"


def test_too_heavy_refunds_then_releases_then_cancels_the_order(order, new_id):
    too_heavy = ShipmentFailed(order_id="ord-1", code="too_heavy", reason=REASON)

    t1 = apply(after_charge(order, new_id).state, too_heavy, "cmd-3", new_id)
    refunded = PaymentRefunded(
        order_id="ord-1", payment_id="pay-1", refund_id="re-1", amount_cents=3000
    )
    t2 = apply(t1.state, refunded, "cmd-4", new_id)
    released = InventoryReleased(order_id="ord-1", reservation_id="res-1", items=STOCK_LINES)
    t3 = apply(t2.state, released, "cmd-5", new_id)

    assert [c.payload.message_type for t in (t1, t2) for c in t.commands] == [
        "RefundPayment",
        "ReleaseInventory",
    ]
    assert_at_rest(t3, SagaStatus.COMPENSATED, (S.COMPENSATED, S.COMPENSATED, S.FAILED))
    assert t3.state.failure == {"step": "create_shipment", "code": "too_heavy", "reason": REASON}
    assert [(e.code, e.reason) for e in t3.events if isinstance(e, OrderCancelled)] == [
        ("too_heavy", REASON)
    ]
