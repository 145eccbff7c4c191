"""Stand-ins for a real provider's adapter, plugged in the way one would be: named in
``PAYMENT_CARD_NETWORK`` / ``SHIPPING_CARRIER`` / ``FRAUD_SCORER`` as
``tests.service.providers:<factory>``.
Each keeps what it was asked, so a test can see that the worker talks to it."""

from __future__ import annotations

from messaging.refusal import Refusal
from participants.fraud.rules import Assessment, Order
from participants.payment.rules import Approved, Refunded, Unknown
from participants.shipping.rules import Destination, Label, LabelRequest

BUILT: list[AcmeNetwork] = []  # every network built, for the tests to look at


class AcmeNetwork:
    """Approves every charge; refuses refunds."""

    def __init__(self) -> None:
        self.charged: list[tuple[str, int, str]] = []
        BUILT.append(self)

    def authorize(
        self, token: str, amount_cents: int, currency: str, reference: str = ""
    ) -> Approved | Refusal | Unknown:
        self.charged.append((token, amount_cents, reference))
        return Approved(f"acme-{reference}")

    def status(self, reference: str) -> Approved | Refusal | Unknown:
        return Approved(f"acme-{reference}")

    def refund(
        self, authorization: str, amount_cents: int, reference: str = ""
    ) -> Refunded | Refusal:
        return Refusal("acme_no_refunds", "acme refunds by cheque only")


class DownNetwork(AcmeNetwork):
    """Cannot be reached: every call raises, as a socket that times out would."""

    def authorize(
        self, token: str, amount_cents: int, currency: str, reference: str = ""
    ) -> Approved | Refusal | Unknown:
        raise ConnectionError("acme: connection refused")


class BuggyNetwork(AcmeNetwork):
    """A provider adapter with a bug: not an infrastructure failure."""

    def authorize(
        self, token: str, amount_cents: int, currency: str, reference: str = ""
    ) -> Approved | Refusal | Unknown:
        raise KeyError("status")


class ParcelCo:
    """An aggregator: makes a label with the carrier shipping chose, for anywhere (its
    tracking numbers name them both); return labels its own; voids anything."""

    name = "parcel-co"

    def create_label(self, request: LabelRequest) -> Label | Refusal:
        postal_code, parcels = request.destination.postal_code, request.parcels
        return Label(request.carrier, f"PC-{request.carrier}-{postal_code}-{parcels}")

    def create_return_label(self, origin: Destination, parcels: int) -> Label | Refusal:
        return Label(self.name, f"PCR-{origin.postal_code}-{parcels}")

    def void_label(self, tracking_number: str) -> None:
        pass


class RiskCorp:
    """Scores by the customer: ``cust-risky`` 85, anyone else 10; keeps what it was shown."""

    def __init__(self) -> None:
        self.shown: list[Order] = []

    def score(self, order: Order) -> Assessment:
        self.shown.append(order)
        if order.customer_id == "cust-risky":
            return Assessment(85, ("riskcorp: customer on the watch list",))
        return Assessment(10, ())


class DownRiskCorp(RiskCorp):
    """Cannot be reached: every call raises, as a socket that times out would."""

    def score(self, order: Order) -> Assessment:
        raise TimeoutError("riskcorp: no answer in 2 s")


def acme() -> AcmeNetwork:
    """A factory as a provider package would offer one: no arguments."""
    return AcmeNetwork()
