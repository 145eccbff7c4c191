"""Inventory participant: stock per SKU and reservations, all items or none."""
