"""A fake carrier, for development and tests (we do not own the real one): an aggregator
that makes labels with whichever carrier shipping chose (choice.py).

Shipments: it creates a label with the chosen carrier for any destination except country
``ZZ``, which it refuses (``destination_refused``, naming the carrier). Tracking numbers:
``FP`` and 12 hex digits, whatever the carrier.

Return labels (not chosen by weight: all by ``fake-post``): it creates one for any origin
except country ``ZZ`` (``origin_refused``) and postal code ``00000``, its test trigger
for a refused return label (``return_refused``). Tracking numbers: ``FPR`` and 12 hex
digits. Voiding a label always succeeds, whether or not the label exists or was voided
before.
"""

from __future__ import annotations

import uuid

from messaging.refusal import Refusal
from participants.shipping.rules import Destination, Label, LabelRequest

REFUSED_COUNTRIES = frozenset({"ZZ"})
REFUSED_RETURN_POSTAL_CODES = frozenset({"00000"})


class FakeCarrier:
    name = "fake-post"

    def create_label(self, request: LabelRequest) -> Label | Refusal:
        country = request.destination.country
        if country in REFUSED_COUNTRIES:
            return Refusal(
                "destination_refused", f"{request.carrier} does not deliver to {country}"
            )
        tracking_number = f"FP{uuid.uuid4().hex[:12].upper()}"
        return Label(carrier=request.carrier, tracking_number=tracking_number)

    def create_return_label(self, origin: Destination, parcels: int) -> Label | Refusal:
        if origin.country in REFUSED_COUNTRIES:
            return Refusal("origin_refused", f"{self.name} does not collect from {origin.country}")
        if origin.postal_code in REFUSED_RETURN_POSTAL_CODES:
            return Refusal(
                "return_refused",
                f"{self.name} refuses return labels from postal code {origin.postal_code}",
            )
        return Label(carrier=self.name, tracking_number=f"FPR{uuid.uuid4().hex[:12].upper()}")

    def void_label(self, tracking_number: str) -> None:
        """Nothing is kept: voiding any label, any number of times, succeeds."""
