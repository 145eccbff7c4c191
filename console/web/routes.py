"""The pages: sagas by state and definition (and the search by business key or saga id),
one saga's diagram and timeline, the stuck sagas, the dead letters and their replay."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from console.cli.dlq import replay_letters
from console.errors import UsageError
from console.services import services_of
from console.web import views
from messaging.logs import get_logger
from saga_client.platform import SagaPlatform, UnknownSaga
from saga_client.tasks import CommandError

PLATFORM = "saga_platform"
pages = Blueprint("web", __name__)
log = get_logger()


def _platform() -> SagaPlatform:
    return cast(SagaPlatform, current_app.extensions[PLATFORM])


@pages.errorhandler(CommandError)
def platform_error(exc: CommandError) -> tuple[str, int]:
    """The platform did not answer, or a task failed: say so, as sagactl would."""
    return render_template("error.html", message=str(exc)), 503


@pages.get("/")
def sagas() -> str:
    state = request.args.get("state") or None
    if state not in (None, *views.STATES):
        state = None
    query = " ".join(request.args.get("q", "").split())
    definition = request.args.get("definition") or None
    return render_template(
        "sagas.html",
        listing=views.saga_list(_platform(), state, query, definition),
        states=views.STATES,
    )


@pages.get("/sagas/<saga_id>")
def saga(saga_id: str) -> str | tuple[str, int]:
    try:
        found = views.timeline(_platform(), saga_id)
    except UnknownSaga as exc:
        return render_template("error.html", message=str(exc)), 404
    return render_template("saga.html", timeline=found)


@pages.get("/stuck")
def stuck() -> str:
    return render_template("stuck.html", sagas=views.stuck(_platform()))


@pages.get("/dead-letters")
def dead_letters() -> str:
    return render_template("dead_letters.html", found=views.dead_letters(_platform()))


@pages.post("/dead-letters/replay")
def replay() -> Response:
    # the form's token was checked before this runs (console/web/auth.py, check_form_token)
    back = url_for("web.dead_letters")
    try:
        service = services_of(_platform(), [request.form.get("service", "")])[0]
        letter_id = int(request.form.get("id", ""))
    except (UsageError, ValueError) as exc:
        flash(f"nothing replayed: {exc}", "error")
        return redirect(back, code=303)
    try:
        outcome = replay_letters(_platform(), service, [letter_id])
    except CommandError as exc:
        flash(f"{service}: replay of letter {letter_id} failed: {exc}", "error")
        return redirect(back, code=303)
    user = request.authorization.username if request.authorization else None
    log.info("web_replay", service=service, ids=outcome.replayed, refused=outcome.refused, by=user)
    if outcome.replayed:
        flash(outcome.summary, "ok")
    if outcome.refused:
        flash(outcome.refusal, "error")
    return redirect(f"{back}#{service}", code=303)
