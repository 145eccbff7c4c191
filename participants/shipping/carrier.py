"""A fake carrier, for development and tests (we do not own the real one).

It creates a label for any destination except country ``ZZ``, which it refuses.
"""

from __future__ import annotations

import uuid

from participants.shipping.rules import Destination, Label, Refusal

REFUSED_COUNTRIES = frozenset({"ZZ"})


class FakeCarrier:
    name = "fake-post"

    def create_label(self, destination: Destination, parcels: int) -> Label | Refusal:
        if destination.country in REFUSED_COUNTRIES:
            return Refusal(
                "destination_refused", f"{self.name} does not deliver to {destination.country}"
            )
        return Label(carrier=self.name, tracking_number=f"FP{uuid.uuid4().hex[:12].upper()}")
