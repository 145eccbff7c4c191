"""Prometheus metrics, scraped over HTTP from the Procfile's saga-metrics process after a
few sagas: the counters move by exactly what happened."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tests.integration.test_reactor_effects import wait_for_every_reactor
from tests.platform import RunningPlatform, new_sku, order, wait_for

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def fetch_samples(platform: RunningPlatform) -> Samples | None:
    """One scrape of /metrics, or None while saga-metrics does not answer."""
    try:
        with urllib.request.urlopen(platform.metrics_url, timeout=10) as response:
            text: str = response.read().decode()
    except urllib.error.HTTPError as exc:
        exc.close()  # it holds the response's socket
        return None
    except (urllib.error.URLError, ConnectionError):
        return None
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def everyone_answered(got: Samples | None) -> bool:
    """A scrape in which every service answered for its figures (one that missed the 2 s
    limit under load would make the deltas below wrong, not the platform)."""
    return got is not None and all(
        value for (name, _), value in got.items() if name == "saga_service_up"
    )


def scrape(platform: RunningPlatform) -> Samples:
    found: Samples = wait_for(
        lambda: fetch_samples(platform), everyone_answered, timeout=60, interval=0.5
    )
    return found


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def of_checkout(samples: Samples, name: str) -> float:
    """The samples of ``name`` for checkout sagas, summed over the ``version`` label."""
    return sum(
        found
        for (sample, labels), found in samples.items()
        if sample == name and ("definition", "checkout") in labels
    )


def reactors_settled(platform: RunningPlatform) -> None:
    """Every copy of every event so far sent and held: earlier tests' events are in."""
    wait_for(
        lambda: platform.call("events.subscriptions"),
        lambda listed: all(s["behind"] == 0 for s in listed if s["active"]),
        timeout=60,
        interval=0.3,
    )


def test_metrics_count_sagas_steps_and_reactor_events(platform: RunningPlatform) -> None:
    reactors_settled(platform)
    before = scrape(platform)
    sku = new_sku()
    platform.set_stock(sku, 5)
    events: list[Any] = []
    for token in ("tok_visa", "tok_declined"):
        submitted = order(sku=sku, token=token)
        placed = platform.call("orchestrator.place_order", **submitted)
        saga = platform.wait_for_saga(placed["saga_id"])
        kind = "OrderConfirmed" if saga["state"] == "completed" else "OrderCancelled"
        events.append(platform.event_of(submitted["order_id"], kind))
    for event in events:
        wait_for_every_reactor(platform, event)

    after = scrape(platform)
    delta = {key: after.get(key, 0.0) - before.get(key, 0.0) for key in after}

    checkout = (("definition", "checkout"),)
    assert of_checkout(delta, "saga_started_total") == 2  # over its versions
    assert of_checkout(delta, "saga_completed_total") == 1
    assert of_checkout(delta, "saga_compensated_total") == 1
    assert any(
        name == "sagas_in_flight"
        and {("definition", "checkout"), ("state", "running")} <= set(labels)
        for name, labels in after
    )
    for service in ("orchestrator", "inventory", "payment", "shipping", "reactor.email"):
        assert value(after, "saga_service_up", service=service) == 1, service
    assert delta[("saga_duration_seconds_count", checkout)] == 2
    steps = ("saga_step_duration_seconds_count", (("saga", "checkout"), ("step", "charge_payment")))
    assert delta[steps] == 2  # one charge each; the release is not the charge step
    handled = ("reactor_events_total", (("outcome", "handled"), ("reactor", "email")))
    assert delta[handled] == 2
    assert ("dead_letters", (("store", "inventory"),)) in after
    # every reactor's subscription, from the dispatcher's table
    for reactor in ("email", "analytics", "crm"):
        assert ("reactor_events_behind", (("reactor", reactor),)) in after
        assert value(after, "reactor_last_seen_timestamp_seconds", reactor=reactor) > 0
        assert ("reactor_copies_resent_total", (("reactor", reactor),)) in after


def test_a_service_that_does_not_answer_is_down_and_the_others_are_counted(
    platform: RunningPlatform,
) -> None:
    platform.processes.stop_one("reactor-crm")
    try:
        samples: Samples = wait_for(
            lambda: fetch_samples(platform), lambda got: got is not None, timeout=30
        )
        assert value(samples, "saga_service_up", service="reactor.crm") == 0
        assert value(samples, "saga_service_up", service="orchestrator") == 1
        assert ("dead_letters", (("store", "reactor.crm"),)) not in samples
    finally:
        platform.restart("reactor-crm")
