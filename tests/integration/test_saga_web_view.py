"""The saga web view (``saga-web``, the Procfile's ``web``) in real headless Chromium:
find a completed and a compensated saga, open their timelines and the diagram of their
definition with their position marked (drawn by the vendored Mermaid, no network), follow
a saga awaiting review on it, replay a parked letter.

Playwright drives Debian's chromium (``make browser``); it never downloads a browser."""

from __future__ import annotations

import base64
import re
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from messaging.contracts import Envelope
from messaging.contracts.inventory import ReserveInventory, StockLine
from tests.integration.test_reactor_effects import wait_for_every_reactor
from tests.platform import WEB_AUTH, RunningPlatform, new_sku, order, wait_for

BIG = 600_000  # cents, above the platform's SAGA_REVIEW_THRESHOLD_CENTS of 500,000
CHECKOUT_STEPS = ("reserve_inventory", "screen_fraud", "charge_payment", "create_shipment")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DURATION = re.compile(r"^\+(\d+ ms|\d+\.\d{3} s|\d+ min \d{2} s)$")
WAIT_MS = 20_000


def _status(url: str, *, auth: tuple[str, str] | None = None, data: bytes | None = None) -> int:
    """The HTTP status of a GET (or a POST of ``data``), the response closed."""
    request = urllib.request.Request(url, data=data)
    if auth is not None:
        token = base64.b64encode(":".join(auth).encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code
    except OSError:  # not listening yet
        return 0


def _wait_for_web(platform: RunningPlatform) -> None:
    wait_for(
        lambda: _status(platform.web_url + "/stuck", auth=WEB_AUTH),
        lambda status: status == 200,
        60,
        0.2,
    )


@pytest.fixture
def browser(platform: RunningPlatform) -> Iterator[Browser]:
    _wait_for_web(platform)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(platform: RunningPlatform, browser: Browser) -> Iterator[Page]:
    username, password = WEB_AUTH
    context = browser.new_context(
        base_url=platform.web_url, http_credentials={"username": username, "password": password}
    )
    context.set_default_timeout(WAIT_MS)
    expect.set_options(timeout=WAIT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def _place(platform: RunningPlatform, token: str) -> dict[str, Any]:
    sku = new_sku()
    platform.set_stock(sku, 5)
    submitted = order(sku=sku, quantity=2, token=token)
    placed = platform.call("orchestrator.place_order", **submitted)
    saga = platform.wait_for_saga(placed["saga_id"])
    event = "OrderConfirmed" if saga["state"] == "completed" else "OrderCancelled"
    wait_for_every_reactor(platform, platform.event_of(submitted["order_id"], event))
    return saga


def _park_malformed_reserve(platform: RunningPlatform) -> dict[str, Any]:
    """A ReserveInventory with a quantity of 0, sent to inventory's inbound task: parked."""
    marker = f"ord-web-{uuid.uuid4().hex[:10]}"
    command = ReserveInventory(order_id=marker, items=[StockLine(sku="SKU-X", quantity=1)])
    message = Envelope.wrap(command, saga_id="s", correlation_id="c").to_json_dict()
    message["payload"]["items"][0]["quantity"] = 0
    platform.send("inventory.handle_message", message=message)
    found = wait_for(
        lambda: platform.call("inventory.dead_letters", limit=1000)["dead_letters"],
        lambda letters: any(marker in letter["body"] for letter in letters),
        timeout=20,
    )
    letter: dict[str, Any] = next(d for d in found if marker in d["body"])
    return letter


def _find_saga(page: Page, saga: dict[str, Any]) -> None:
    """Search the business key (the order id) on the front page; its row shows the
    definition and the state; open its page, titled "<definition> <key>"."""
    page.goto("/")
    counts = page.locator(f'.count[data-state="{saga["state"]}"] .number')
    expect(counts).to_have_text(re.compile(r"^[1-9]\d*$"))
    page.get_by_role("searchbox", name="key or saga id").fill(saga["business_key"])
    page.get_by_role("button", name="Search").click()
    row = page.locator(f'table.sagas tr[data-key="{saga["business_key"]}"]')
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-definition", "checkout")
    expect(row.locator(".badge")).to_have_text(saga["state"])
    expect(row.locator(".summary")).to_contain_text("total")  # the definition's summary
    row.get_by_role("link", name=saga["business_key"]).click()
    expect(page.locator("h1 .definition")).to_have_text("checkout")
    expect(page.locator("h1 .key")).to_have_text(saga["business_key"])
    expect(page.locator("h1 .badge")).to_have_text(saga["state"])


def _node(page: Page, node_id: str, mark: str = "") -> Locator:
    """A node of the saga's diagram as Mermaid rendered it: an SVG ``g.node`` whose id is
    ``flowchart-<node id>-<n>``, with the position's mark (``current``, ``done``,
    ``failed``, ``compensated``) among its classes."""
    classes = f".{mark}" if mark else ""
    return page.locator(f'#saga-diagram svg g.node{classes}[id^="flowchart-{node_id}-"]')


def _diagram_marks(page: Page, current: str, **marked: tuple[str, ...]) -> None:
    """The definition's diagram is drawn (every step), exactly one node is where the
    saga is, and the nodes of ``marked`` carry their marks (done=("step_x", ...))."""
    svg = page.locator("#saga-diagram svg")
    expect(svg).to_have_count(1)  # rendered: the <pre class="mermaid"> source became SVG
    for step in CHECKOUT_STEPS:
        expect(_node(page, f"step_{step}")).to_have_count(1)
    expect(svg.locator("g.node.current")).to_have_count(1)
    expect(_node(page, current, "current")).to_have_count(1)
    for mark, nodes in marked.items():
        for node in nodes:
            expect(_node(page, node, mark)).to_have_count(1)


def _timeline(page: Page) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = page.locator("table.timeline tbody tr").evaluate_all(
        """rows => rows.map(r => ({
            source: r.dataset.source, service: r.dataset.service,
            since_start: r.querySelector('.since-start').textContent.trim(),
            since_previous: r.querySelector('.since-previous').textContent.trim(),
            what: r.querySelector('.what').textContent.trim(),
            step: r.querySelector('.step').textContent.trim(),
            message_type: r.querySelector('.message-type').textContent.trim()}))"""
    )
    assert rows
    for row in rows:
        assert DURATION.match(row["since_start"]), row
        assert DURATION.match(row["since_previous"]), row
    return rows


def _has(rows: list[dict[str, str]], **fields: str) -> bool:
    return any(all(row[k] == v for k, v in fields.items()) for row in rows)


def test_the_web_view_needs_a_login(platform: RunningPlatform) -> None:
    _wait_for_web(platform)
    assert _status(platform.web_url + "/") == 401
    assert _status(platform.web_url + "/", auth=(WEB_AUTH[0], "wrong")) == 401
    assert _status(platform.web_url + "/dead-letters/replay", data=b"service=inventory&id=1") == 401
    # Logged in, but without the form's token (another site's form): refused.
    replay = platform.web_url + "/dead-letters/replay"
    assert _status(replay, auth=WEB_AUTH, data=b"service=inventory&id=1") == 400


def test_completed_and_compensated_sagas_and_their_timelines(
    platform: RunningPlatform, page: Page
) -> None:
    completed = _place(platform, "tok_visa")
    compensated = _place(platform, "tok_declined")
    assert (completed["state"], compensated["state"]) == ("completed", "compensated")

    _find_saga(page, completed)
    _diagram_marks(page, "saga_completed", done=tuple(f"step_{step}" for step in CHECKOUT_STEPS))
    rows = _timeline(page)
    for step in ("reserve_inventory", "charge_payment", "create_shipment"):
        assert _has(rows, source="orchestrator", what="command_sent", step=step), rows
    assert _has(rows, source="reply", step="charge_payment", message_type="PaymentCharged")
    assert _has(rows, source="participant", service="inventory", what="reserved")
    assert _has(rows, source="participant", service="shipping", what="shipment created")
    assert _has(rows, source="reactor", service="reactor.email", what="confirmation email sent")
    assert _has(
        rows, source="reactor", service="reactor.analytics", what="fact recorded: confirmed"
    )

    _find_saga(page, compensated)
    _diagram_marks(
        page,
        "saga_compensated",
        compensated=("step_reserve_inventory",),
        failed=("step_charge_payment",),
        done=("undo_reserve_inventory",),
    )
    rows = _timeline(page)
    assert _has(rows, source="reply", step="charge_payment", message_type="PaymentDeclined")
    assert _has(rows, source="orchestrator", what="compensation_sent", step="reserve_inventory")
    assert _has(rows, source="participant", service="inventory", what="released")
    assert _has(rows, source="reactor", service="reactor.email", what="cancellation email sent")
    expect(page.locator(".facts .failure").first).to_contain_text("card_declined")
    whats = [row["what"] for row in rows if row["source"] != "reactor"]
    assert whats.index("reserved") < whats.index("released")  # in time order

    page.goto("/stuck")
    expect(page.locator("h1")).to_have_text("Stuck sagas")
    expect(page.locator(f'tr[data-key="{compensated["business_key"]}"]')).to_have_count(0)


def test_the_diagram_follows_a_saga_awaiting_review(platform: RunningPlatform, page: Page) -> None:
    sku = new_sku()
    platform.set_stock(sku, 1)
    submitted = order(sku=sku, quantity=1, unit_price_cents=BIG)
    placed = platform.call("orchestrator.place_order", **submitted)
    waiting = wait_for(
        lambda: platform.saga(placed["saga_id"]),
        lambda s: s["state"] == "awaiting_approval",
        timeout=20,
    )

    _find_saga(page, waiting)
    _diagram_marks(
        page, "review_charge_payment", done=("step_reserve_inventory", "step_screen_fraud")
    )
    # no step of the chart is current but the review: the charge waits for a decision
    expect(_node(page, "step_charge_payment", "current")).to_have_count(0)

    platform.call("orchestrator.reject_saga", saga_id=placed["saga_id"], reason="web view test")
    assert platform.wait_for_saga(placed["saga_id"])["state"] == "compensated"
    page.reload()
    _diagram_marks(
        page,
        "saga_compensated",
        failed=("step_charge_payment",),
        compensated=("step_reserve_inventory",),
    )


def test_a_parked_letter_is_replayed_from_the_page(platform: RunningPlatform, page: Page) -> None:
    letter = _park_malformed_reserve(platform)
    section = page.locator('section[data-service="inventory"]')
    row = section.locator(f'tr[data-letter-id="{letter["id"]}"]')

    page.goto("/dead-letters")
    expect(row).to_have_count(1)
    expect(row.locator(".reason summary")).to_contain_text("payload.items.0.quantity")
    row.get_by_role("button", name="Replay").click()

    expect(page.locator(".flash-ok")).to_have_text(
        f"inventory: replayed 1 letter ({letter['id']}), sent again to inventory.handle_message"
    )
    expect(row).to_have_count(0)  # no longer parked
    # Still malformed: inventory parks it again, as a new letter with the same message id.
    again = section.locator(f'tr[data-message-id="{letter["message_id"]}"]')
    deadline = time.monotonic() + 20
    while again.count() == 0 and time.monotonic() < deadline:
        page.wait_for_timeout(200)
        page.reload()
    expect(again).to_have_count(1)
    assert int(again.get_attribute("data-letter-id") or 0) > letter["id"]
