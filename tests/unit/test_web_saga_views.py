"""The web view's pages for any saga definition, rendered by Flask's test client over a
stand-in for the Celery app: the listing shows definition, key and summary and searches
keys; a saga's page is titled "<definition>@<version> <key>", draws the version it runs
with the saga's position marked, and merges the records filed under its root key."""

from __future__ import annotations

import re
from typing import Any, cast

from celery.exceptions import TimeoutError as ResultTimeout
from flask.testing import FlaskClient

from console.web import create_app
from orchestrator.diagram import Position, mermaid
from saga_client.platform import SagaPlatform
from saga_client.tasks import TaskClient
from sagas.checkout.version_1 import CHECKOUT_V1 as CHECKOUT
from tests.unit.sagactl_stand_in import (
    SAGA_ID,
    FakeApp,
    dead_letter,
    dead_letters,
    entry,
    saga_summary,
    saga_view,
    services,
    stuck_saga,
)

STEPS = [
    {"name": "reserve_inventory", "status": "succeeded"},
    {"name": "charge_payment", "status": "running"},
    {"name": "create_shipment", "status": "pending"},
]
NO_TRAILS: dict[str, list[Any]] = {
    f"{service}.order_trail": [[]] for service in ("inventory", "payment", "shipping")
}


def _summary(**fields: Any) -> dict[str, Any]:
    return saga_summary(**{"current_step": "charge_payment", "attempt": 1, **fields})


def _saga(**fields: Any) -> dict[str, Any]:
    at = "2026-12-01T10:00:00+00:00"
    found = {"created_at": at, "current_step": "charge_payment", "steps": STEPS}
    return saga_view(**{**found, "history": [entry("started", at=at)], **fields})


def _web(**outcomes: Any) -> tuple[FlaskClient, FakeApp]:
    app = FakeApp(outcomes)
    platform = SagaPlatform(TaskClient(cast(Any, app), timeout=5.0))
    return create_app(platform).test_client(), app


COUNTS = {"running": 1}


def test_the_listing_shows_definition_key_and_summary() -> None:
    returned = _summary(
        saga_id="73adc3cb-518a-429d-a4e0-9d007bcb72ed",
        definition="returns",
        business_key="ret-1",
        parent_key="ord-1",
        summary={"refund": "12.50 EUR"},
    )
    web, app = _web(
        **{
            "orchestrator.saga_counts": [COUNTS],
            "orchestrator.list_sagas": [[_summary(), returned]],
        },
    )

    page = web.get("/").get_data(as_text=True)

    assert app.sent[1][1] == {"limit": 100}
    assert '<tr data-definition="checkout" data-version="1" data-key="ord-1">' in page
    assert '<tr data-definition="returns" data-version="1" data-key="ret-1">' in page
    assert '<span class="parent">for ord-1</span>' in page
    assert '<span class="label">customer</span> cus-1</span>, <span class="pair">' in page
    assert f'<a href="/sagas/{SAGA_ID}">ord-1</a>' in page
    assert (
        '<a href="/?definition=returns" class="definition">returns</a>'
        '<span class="definition-version">@1</span>'
    ) in page


def test_the_listing_of_one_definition_counts_and_lists_only_it() -> None:
    web, app = _web(
        **{"orchestrator.saga_counts": [COUNTS], "orchestrator.list_sagas": [[_summary()]]},
    )

    page = web.get("/?definition=checkout&state=running").get_data(as_text=True)

    assert [(name, kwargs) for name, kwargs, _ in app.sent] == [
        ("orchestrator.saga_counts", {"definition": "checkout"}),
        ("orchestrator.list_sagas", {"state": "running", "limit": 100, "definition": "checkout"}),
    ]
    assert "Only checkout sagas." in page


def test_the_search_matches_keys_and_saga_ids() -> None:
    listed = [
        _summary(),
        _summary(saga_id="s-2", business_key="ord-12"),
        _summary(saga_id="s-3", business_key="other"),
    ]
    web, _ = _web(
        **{
            "orchestrator.saga_counts": [COUNTS, COUNTS],
            "orchestrator.list_sagas": [listed, listed],
        },
    )

    by_key = web.get("/?q=ord-1").get_data(as_text=True)
    assert re.findall(r'data-key="([^"]+)"', by_key) == ["ord-1", "ord-12"]
    by_id = web.get(f"/?q={SAGA_ID}").get_data(as_text=True)
    assert re.findall(r'data-key="([^"]+)"', by_id) == ["ord-1"]


def test_a_search_for_an_older_key_asks_for_it() -> None:
    web, app = _web(
        **{
            "orchestrator.saga_counts": [COUNTS],
            "orchestrator.list_sagas": [[]],
            "orchestrator.get_saga": [_saga(business_key="ord-0")],
        },
    )

    page = web.get("/?q=ord-0").get_data(as_text=True)

    assert app.sent[-1][:2] == ("orchestrator.get_saga", {"key": "ord-0"})
    assert re.findall(r'data-key="([^"]+)"', page) == ["ord-0"]


def _drawn(saga: dict[str, Any]) -> dict[str, str]:
    """describe_definition's answer, as the orchestrator would give it."""
    return {"name": "checkout", "text": "", "mermaid": mermaid(CHECKOUT, Position.of(saga))}


def test_a_sagas_page_is_titled_by_definition_and_key_and_draws_where_it_is() -> None:
    saga = _saga()
    web, app = _web(
        **{
            "orchestrator.get_saga": [saga],
            "orchestrator.describe_definition": [_drawn(saga)],
            **services(),
            **NO_TRAILS,
        },
    )

    page = web.get(f"/sagas/{SAGA_ID}").get_data(as_text=True)

    assert "<title>checkout@1 ord-1 · saga web view</title>" in page
    assert (
        '<h1><span class="definition">checkout</span><span class="definition-version">@1</span>'
        ' <span class="key">ord-1</span>'
    ) in page
    assert '<dt>customer</dt><dd class="summary-value">cus-1</dd>' in page
    assert ("orchestrator.describe_definition", {
        "name": "checkout@1",  # the version the saga runs
        "state": "running",
        "steps": {s["name"]: s["status"] for s in STEPS},
    }) in [(name, kwargs) for name, kwargs, _ in app.sent]  # fmt: skip
    diagram = page.split('<pre class="mermaid">', 1)[1].split("</pre>", 1)[0]
    assert diagram.startswith("flowchart TD\n")
    assert "    class step_charge_payment current\n" in diagram
    assert "    step_reserve_inventory --&gt;|&#34;InventoryReserved&#34;|" in diagram  # escaped
    assert '<script src="/static/mermaid.min.js" defer></script>' in page
    assert '<script src="/static/diagram.js" defer></script>' in page


def test_a_return_merges_the_records_of_its_order() -> None:
    saga = _saga(definition="returns", business_key="ret-1", parent_key="ord-1", steps=[])
    web, app = _web(
        **{
            "orchestrator.get_saga": [saga],
            "orchestrator.describe_definition": [LookupError("unknown saga definition 'returns'")],
            **services(),
            **NO_TRAILS,
        },
    )

    page = web.get(f"/sagas/{SAGA_ID}").get_data(as_text=True)

    trails = [kwargs for name, kwargs, _ in app.sent if name.endswith(".order_trail")]
    assert trails == [{"order_id": "ord-1"}] * 3
    assert '<dt>For</dt><dd class="parent"><a href="/?q=ord-1">ord-1</a></dd>' in page
    # no diagram from the orchestrator: the page says why and still shows the rest
    assert "No diagram: orchestrator.describe_definition failed: unknown saga definition" in page
    assert "mermaid.min.js" not in page
    assert '<table class="timeline">' in page


def test_the_vendored_mermaid_build_is_served() -> None:
    web, _ = _web()

    script = web.get("/static/mermaid.min.js")
    assert script.status_code == 200
    assert b'"11.4.1"' in script.get_data()  # the version mermaid.README names
    script.close()
    starter = web.get("/static/diagram.js")
    assert b"mermaid.initialize" in starter.get_data()
    starter.close()


def test_the_dead_letters_page_has_a_section_per_service_of_the_platform() -> None:
    letters = {
        "orchestrator.dead_letters": [dead_letters("orchestrator")],
        "inventory.dead_letters": [dead_letters("inventory", dead_letter(7, "bad\nworse"))],
        "payment.dead_letters": [dead_letters("payment")],
        "shipping.dead_letters": [ResultTimeout("no answer")],
        "reactor.email.dead_letters": [dead_letters("reactor.email")],
    }
    web, _ = _web(**services("email"), **letters)

    page = web.get("/dead-letters").get_data(as_text=True)

    sections = re.findall(r'<section class="service" id="([^"]+)"', page)
    assert sections == ["orchestrator", "inventory", "payment", "shipping", "reactor.email"]
    assert '<tr data-letter-id="7" data-message-id="c4d8aa52-' in page
    assert "<summary>bad</summary>" in page
    assert "shipping: no answer (worker down?)" in page


def test_the_stuck_page_shows_what_each_saga_waits_on() -> None:
    web, _ = _web(**{"orchestrator.stuck_sagas": [[stuck_saga(attempt=3)]]})

    page = web.get("/stuck").get_data(as_text=True)

    assert '<tr data-definition="checkout" data-version="1" data-key="ord-1">' in page
    assert "<td>3</td>" in page
    assert '<td class="id">c4d8aa52</td>' in page
