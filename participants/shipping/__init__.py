"""Shipping participant: creates shipment labels with a carrier."""
