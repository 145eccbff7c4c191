"""The checkout saga: reserve inventory -> charge payment -> create shipment -> confirm."""
