"""Message types and saga definitions are registered where they are defined, gathered at
start, and a name claimed twice is an error that names both places."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import pytest

from messaging.contracts import MessageKind, Payload, catalog
from messaging.contracts.catalog import Catalog, DuplicateMessageType, declared_in, saga_folders
from messaging.contracts.payment import ChargePayment
from orchestrator import saga_registry
from orchestrator.definition import SagaDefinition
from sagas.checkout.version_1 import CHECKOUT_V1 as CHECKOUT
from sagas.checkout.version_2 import CHECKOUT_V2


class ChargePaymentAgain(Payload):  # a second schema under a name payment already uses
    message_type = "ChargePayment"
    kind = MessageKind.COMMAND

    order_id: str


def test_two_schemas_with_one_name_are_refused_naming_both_places():
    with pytest.raises(DuplicateMessageType) as refused:
        Catalog([ChargePayment, ChargePaymentAgain])
    message = str(refused.value)
    assert "'ChargePayment' is defined twice" in message
    assert "messaging.contracts.payment.ChargePayment" in message
    assert f"{__name__}.ChargePaymentAgain" in message


def test_the_same_class_listed_twice_is_one_type():
    assert len(Catalog([ChargePayment, ChargePayment])) == 1


def test_the_catalog_is_gathered_from_the_modules_that_define_the_types():
    import sagas.checkout.events as checkout_events
    from messaging.contracts import inventory

    types = catalog().types
    for module in (inventory, checkout_events):
        for cls in declared_in(module):
            assert types[cls.message_type] is cls
    assert {"checkout", "returns"} <= set(saga_folders())


def test_a_module_that_lists_something_else_is_an_error():
    module = ModuleType("somewhere")
    module.MESSAGES = (dict,)  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match=r"somewhere\.MESSAGES holds"):
        declared_in(module)


def test_the_saga_definitions_are_found_in_their_folders():
    found = saga_registry.gather_versions()
    assert found["checkout", 1] is CHECKOUT
    assert found["checkout", 2] is CHECKOUT_V2
    assert list(found) == sorted(found)


def test_two_definitions_with_one_name_are_refused_naming_both_places(
    monkeypatch: pytest.MonkeyPatch,
):
    impostor = SagaDefinition(name="checkout", steps=CHECKOUT.steps[:1])

    def found() -> Iterator[tuple[str, SagaDefinition]]:
        yield "sagas.checkout.definition:DEFINITION", CHECKOUT
        yield "elsewhere.sagas:CHECKOUT", impostor

    monkeypatch.setattr(saga_registry, "_found", found)
    with pytest.raises(saga_registry.DuplicateDefinition) as refused:
        saga_registry.gather()
    assert str(refused.value) == (
        "saga definition checkout@1 is defined twice: in "
        "sagas.checkout.definition:DEFINITION and in elsewhere.sagas:CHECKOUT"
    )


def test_an_unknown_definition_names_the_known_ones():
    with pytest.raises(saga_registry.UnknownDefinition, match=r"'trip' \(known: checkout"):
        saga_registry.definition("trip")
