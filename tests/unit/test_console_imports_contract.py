"""The console reads the platform through saga_client and the shared contracts: the
import-linter contract that says so forbids every other module of messaging, and this
test keeps that list whole when a module is added to messaging."""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path

import messaging

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = "The console reads the platform through the task API and the shared contracts only"
# What the console may read of messaging: contracts, the default broker, its log lines.
ALLOWED = {"messaging.contracts", "messaging.settings", "messaging.logs"}


def test_the_console_contract_forbids_every_other_messaging_module() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    forbidden = set(next(c for c in contracts if c["name"] == CONTRACT)["forbidden_modules"])
    modules = {f"messaging.{m.name}" for m in pkgutil.iter_modules(messaging.__path__)}

    assert modules - ALLOWED - forbidden == set()
    assert ALLOWED & forbidden == set()
