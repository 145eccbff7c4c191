"""The rule of the web view and Flower: a process that can be reached beyond loopback needs
credentials of its own. The defaults (``admin:admin``, or none) are for 127.0.0.1 only.

Where it can be reached is the address it listens on, unless a publish variable says
otherwise: in a container the process listens on 0.0.0.0 and docker-compose.yml publishes
its port on ``$SAGA_WEB_PUBLISH_ADDRESS`` / ``$SAGA_FLOWER_PUBLISH_ADDRESS`` (127.0.0.1
unless set), which then is the address that counts."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

DEFAULT_CREDENTIALS = frozenset({"admin:admin"})
LOCAL_NAMES = frozenset({"localhost", "ip6-localhost"})


class DefaultCredentialsExposed(Exception):
    """Refused: default credentials (or none) on an address beyond loopback."""


def is_loopback(address: str) -> bool:
    """127.0.0.0/8, ::1 and ``localhost``; everything else (0.0.0.0, '', any other host
    name) counts as reachable from elsewhere."""
    host = address.strip().strip("[]").lower()
    if host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_default(credentials: Sequence[str]) -> bool:
    """No credentials at all, one of the defaults, or one without a user or password."""
    if not credentials:
        return True
    for pair in credentials:
        user, colon, password = pair.partition(":")
        if pair in DEFAULT_CREDENTIALS or not (colon and user and password):
            return True
    return False


def refuse_default_credentials(
    address: str, credentials: Sequence[str], *, variable: str, address_setting: str
) -> None:
    """Raise ``DefaultCredentialsExposed``, naming ``variable`` (the credentials) and
    ``address_setting`` (where the address came from), when ``address`` is beyond loopback
    and ``credentials`` are the defaults (or none)."""
    if is_loopback(address) or not is_default(credentials):
        return
    shown = address or "every interface"
    raise DefaultCredentialsExposed(
        f"refusing to listen on {shown} with the default credentials (admin:admin, or none): "
        f"set {variable}=user:password (a password of your own), or listen on 127.0.0.1 "
        f"only ({address_setting}); see docs/security.md"
    )
