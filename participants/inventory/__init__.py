"""Inventory participant: stock per SKU and reservations, all items or none, or what is in
stock of each line when the order allows a partial reservation."""
