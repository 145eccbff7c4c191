"""Payment participant: charges and refunds against a card network."""
