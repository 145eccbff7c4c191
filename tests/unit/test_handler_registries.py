"""Each participant declares its handlers in one registry: every command its contracts
module declares has exactly one handler there, in no other registry, and nothing else is
handled. A type without a handler is ``NotHandled``, which the consumer parks at once.
Each reactor's handlers are a registry too, of the very events its declaration names."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest
from sqlalchemy import MetaData

from messaging.codec import MalformedMessage, Message
from messaging.contracts import Envelope, MessageKind, Payload
from messaging.contracts.payment import CheckPaymentStatus
from messaging.handlers import NotHandled, PerProcess, Registry
from messaging.reactors import EventHandlers, Reactor, load
from participants.fraud import handlers as fraud_handlers
from participants.fraud.scorer import FakeScorer
from participants.inventory import handlers as inventory_handlers
from participants.payment import handlers as payment_handlers
from participants.payment.card_network import FakeCardNetwork
from participants.shipping import handlers as shipping_handlers
from participants.shipping.carrier import FakeCarrier
from reactors.analytics import REACTOR as ANALYTICS
from reactors.crm import REACTOR as CRM
from reactors.email import REACTOR as EMAIL

REGISTRIES = {
    "inventory": inventory_handlers.registry(),
    "payment": payment_handlers.registry(FakeCardNetwork()),
    "shipping": shipping_handlers.registry(FakeCarrier()),
    "fraud": fraud_handlers.registry(FakeScorer()),
}


def contracts(service: str) -> ModuleType:
    return importlib.import_module(f"messaging.contracts.{service}")


def commands_of(service: str) -> frozenset[str]:
    declared = contracts(service).MESSAGES
    return frozenset(cls.message_type for cls in declared if cls.kind is MessageKind.COMMAND)


@pytest.mark.parametrize("service", sorted(REGISTRIES))
def test_every_command_of_a_participant_has_a_handler_and_nothing_else_has(service):
    registry = REGISTRIES[service]

    assert registry.service == service
    assert registry.message_types == commands_of(service)


def test_a_command_has_one_handler_in_all_the_participants():
    seen: dict[str, str] = {}
    for service, registry in REGISTRIES.items():
        for message_type in registry.message_types:
            assert message_type not in seen, f"{message_type}: {seen[message_type]}, {service}"
            seen[message_type] = service


def message(payload: Payload) -> Message[Payload]:
    return Message(Envelope.wrap(payload, saga_id="s", correlation_id="c"), payload)


def test_a_type_without_a_handler_is_not_handled_a_malformed_message():
    check = CheckPaymentStatus(order_id="ord-1", payment_id="pay-1")

    with pytest.raises(NotHandled) as refused:
        REGISTRIES["inventory"](None, message(check))  # type: ignore[arg-type]

    assert str(refused.value) == "inventory does not handle CheckPaymentStatus"
    assert isinstance(refused.value, MalformedMessage)  # what the consumer parks at once


def test_a_registry_takes_message_types_only_and_cannot_be_changed():
    with pytest.raises(TypeError, match="'CheckPaymentStatus' is not a message type"):
        Registry("payment", {"CheckPaymentStatus": lambda conn, m: []})  # type: ignore[dict-item]

    registry = REGISTRIES["payment"]
    with pytest.raises(TypeError):
        registry.handlers[CheckPaymentStatus] = lambda conn, m: []  # type: ignore[index]


def test_a_per_process_handler_is_built_once_per_process(monkeypatch):
    builds: list[int] = []

    def build() -> Registry:
        builds.append(1)
        return Registry("payment", {})

    handler = PerProcess(build)
    first = handler.built()
    assert handler.built() is first
    monkeypatch.setattr("messaging.handlers.os.getpid", lambda: -1)  # as in a forked child

    assert handler.built() is not first
    assert len(builds) == 2


REACTORS = {reactor.name: reactor for reactor in (ANALYTICS, CRM, EMAIL)}


def built(reactor: Reactor) -> EventHandlers:
    handlers = load(reactor.handler)()  # no connection is made at build
    assert isinstance(handlers, EventHandlers)
    return handlers


@pytest.mark.parametrize("name", sorted(REACTORS))
def test_a_reactor_handles_exactly_the_events_it_declares(name):
    reactor = REACTORS[name]

    assert built(reactor).registry.service == name
    assert built(reactor).event_types == reactor.events
    assert isinstance(load(reactor.tables or ""), MetaData)  # Reactor.in_package's paths
    assert callable(load(reactor.tasks or ""))


def test_an_event_a_reactor_has_no_handler_for_is_not_handled_a_malformed_message():
    check = CheckPaymentStatus(order_id="ord-1", payment_id="pay-1")

    with pytest.raises(NotHandled) as refused:
        built(CRM)(None, message(check))  # type: ignore[arg-type]

    assert str(refused.value) == "crm does not handle CheckPaymentStatus"
    assert isinstance(refused.value, MalformedMessage)  # parked at once, as undeclared types
