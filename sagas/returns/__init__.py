"""The returns saga: a customer sends back some lines of a completed order and gets a
partial refund; the goods are restocked."""
