"""``saga-flower ARGS...``: ``celery ARGS...`` (a Flower command line), once the rule of
console/exposure.py holds: Flower on an address beyond loopback needs basic-auth
credentials of its own (or an OAuth provider), never admin:admin or none.

    saga-flower -A orchestrator.worker flower --address=127.0.0.1 --basic-auth=ops:pw

Flower reads its options from ``FLOWER_<NAME>`` variables, then from the command line
(which wins): the check reads both, as Flower will. Its default address is every interface.
In a container, ``SAGA_FLOWER_PUBLISH_ADDRESS`` names the address its port is published on
(not a ``FLOWER_`` name: Flower refuses variables that are not its options).

Workers send Celery's task events only while a monitor asks (SAGA_TASK_EVENTS=watched,
docs/monitoring.md#flower). Flower asks every 5 s, the first time 5 s after it starts;
so before Flower starts, this asks every running worker once (``celery ... control
enable_events``, with the same app and broker options), and Flower shows the tasks of
the workers already running from its first moment."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from console.exposure import DefaultCredentialsExposed, refuse_default_credentials

PUBLISH_ADDRESS = "SAGA_FLOWER_PUBLISH_ADDRESS"
ENABLE_EVENTS_TIMEOUT = 15.0  # seconds; a broker that does not answer: Flower asks anyway


@dataclass(frozen=True)
class FlowerExposure:
    address: str  # '' is every interface, as Flower's default
    basic_auth: list[str]
    oauth: bool  # --auth / --auth_provider: a login of its own

    @classmethod
    def read(cls, argv: Sequence[str], env: Mapping[str, str]) -> FlowerExposure:
        options = {
            "address": env.get("FLOWER_ADDRESS", ""),
            "basic_auth": env.get("FLOWER_BASIC_AUTH", ""),
            "auth": env.get("FLOWER_AUTH", ""),
            "auth_provider": env.get("FLOWER_AUTH_PROVIDER", ""),
        }
        after = list(argv[argv.index("flower") + 1 :]) if "flower" in argv else list(argv)
        for arg in after:  # tornado options: --name=value, '-' and '_' alike
            name, equals, value = arg.lstrip("-").partition("=")
            name = name.replace("-", "_")
            if arg.startswith("--") and equals and name in options:
                options[name] = value
        published = env.get(PUBLISH_ADDRESS) or None
        return cls(
            address=published if published is not None else options["address"],
            basic_auth=[pair for pair in options["basic_auth"].split(",") if pair],
            oauth=bool(options["auth"] or options["auth_provider"]),
        )

    def check(self) -> None:
        """Raise DefaultCredentialsExposed: default or no credentials beyond loopback."""
        if self.oauth:
            return  # a login of its own (Google, GitHub, ... through Flower's OAuth)
        refuse_default_credentials(
            self.address,
            self.basic_auth,
            variable="FLOWER_BASIC_AUTH",
            address_setting=f"--address, FLOWER_ADDRESS, {PUBLISH_ADDRESS}",
        )


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        FlowerExposure.read(args, os.environ).check()
    except DefaultCredentialsExposed as exc:
        raise SystemExit(f"saga-flower: {exc}") from None
    enable_task_events(args)
    # the process becomes Celery's: signals (a warm stop) go straight to Flower
    os.execv(sys.executable, [sys.executable, "-m", "celery", *args])


def enable_task_events(args: Sequence[str]) -> None:
    """Ask the running workers for task events, with the Celery options given before
    ``flower`` (``-A``, ``-b``, ...). Never fatal: Flower's own timer asks again."""
    if "flower" not in args:
        return
    options = list(args[: list(args).index("flower")])
    argv = [sys.executable, "-m", "celery", *options, "control", "enable_events"]
    try:
        subprocess.run(argv, check=False, capture_output=True, timeout=ENABLE_EVENTS_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"saga-flower: could not ask the workers for task events: {exc}", file=sys.stderr)


if __name__ == "__main__":
    main()
