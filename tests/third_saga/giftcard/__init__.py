"""A gift card sold for money: charge the card, then issue the card's code."""
