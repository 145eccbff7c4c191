"""A saga's definition version is shown wherever the saga is: ``sagactl list`` and
``stuck`` rows (``checkout@2``), ``sagactl status`` (``saga ID (checkout@2)``), and the
web view's listing and saga page, whose diagram is asked for that version. An answer from
an orchestrator without versions reads as version 1 (the readers are tolerant)."""

from __future__ import annotations

from typing import Any, cast

from flask.testing import FlaskClient

from console.tables import format_saga_table, format_stuck_table
from console.timeline import format_status
from console.web import create_app
from messaging.contracts.read_models import SagaSummary, SagaView, StuckSaga
from saga_client.platform import SagaPlatform
from saga_client.tasks import TaskClient
from tests.unit.sagactl_stand_in import (
    SAGA_ID,
    FakeApp,
    saga_summary,
    saga_view,
    services,
    stuck_saga,
    words,
)

NO_TRAILS: dict[str, list[Any]] = {
    f"{service}.order_trail": [[]] for service in ("inventory", "payment", "shipping")
}


def _web(**outcomes: Any) -> tuple[FlaskClient, FakeApp]:
    app = FakeApp(outcomes)
    platform = SagaPlatform(TaskClient(cast(Any, app), timeout=5.0))
    return create_app(platform).test_client(), app


def test_the_tables_and_the_status_name_the_version() -> None:
    listed = SagaSummary.model_validate(saga_summary(definition_version=2))
    stuck = StuckSaga.model_validate(stuck_saga(definition_version=2))
    viewed = SagaView.model_validate(saga_view(definition_version=2))

    assert words(format_saga_table([listed]).splitlines()[1]).startswith(
        f"{SAGA_ID} checkout@2 ord-1"
    )
    assert words(format_stuck_table([stuck]).splitlines()[1]).startswith(
        f"{SAGA_ID} checkout@2 ord-1"
    )
    assert format_status(viewed).splitlines()[0] == f"saga      {SAGA_ID} (checkout@2)"


def test_an_answer_without_a_version_reads_as_version_1() -> None:
    older = {k: v for k, v in saga_summary().items() if k != "definition_version"}

    assert SagaSummary.model_validate(older).definition_label == "checkout@1"


def test_the_web_view_shows_the_version_and_draws_it() -> None:
    web, app = _web(
        **{
            "orchestrator.saga_counts": [{"running": 1}],
            "orchestrator.list_sagas": [[saga_summary(definition_version=2)]],
            "orchestrator.get_saga": [saga_view(definition_version=2)],
            "orchestrator.describe_definition": [LookupError("an older orchestrator")],
            **services(),
            **NO_TRAILS,
        }
    )

    listing = web.get("/").get_data(as_text=True)
    page = web.get(f"/sagas/{SAGA_ID}").get_data(as_text=True)

    assert '<span class="definition-version">@2</span>' in listing
    assert 'data-definition="checkout" data-version="2"' in listing
    assert (
        '<span class="definition">checkout</span><span class="definition-version">@2</span>' in page
    )
    assert '<dd class="definition-version">checkout version 2</dd>' in page
    drawn = [kwargs["name"] for name, kwargs, _ in app.sent if name.endswith("describe_definition")]
    assert drawn == ["checkout@2"]
