"""Shared message contracts and messaging plumbing (outbox, inbox, relay, dead letters).

Every service depends on this package and on nothing else of ours.
"""
