"""Fraud participant: screens an order with a scorer and answers with a verdict."""
