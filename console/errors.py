"""What the console reports: a ``CommandError`` (from the client: exit 1) or a
``UsageError``, arguments argparse could not check on its own (exit 2)."""

from saga_client.tasks import CommandError


class UsageError(Exception):
    """Arguments argparse could not check on its own; sagactl exits 2."""


__all__ = ["CommandError", "UsageError"]
