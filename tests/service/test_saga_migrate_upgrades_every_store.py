"""saga-migrate brings every service's store up to date at the URL its processes use, or
the stores it is named, and prints one line per store; --check changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from messaging.database import build_engine
from messaging.migrate import main
from tests.stores import throwaway_store


def test_every_store_by_the_usual_settings(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SAGA_DATA_DIR", str(tmp_path / "data"))
    for service in ("ORCHESTRATOR", "INVENTORY", "PAYMENT", "SHIPPING", "FRAUD"):
        monkeypatch.delenv(f"{service}_DATABASE_URL", raising=False)
    assert main([]) == 0
    lines = capsys.readouterr().out.splitlines()
    by_service = {line.split(" ", 1)[0]: line for line in lines}
    for service in ("orchestrator", "inventory", "fraud", "reactor.email", "reactor.crm"):
        assert f"data/{service}.db: upgraded (empty) -> " in by_service[service]
    assert "orchestrator_0004" in by_service["orchestrator"]
    assert main(["orchestrator", "email"]) == 0
    again = capsys.readouterr().out.splitlines()
    assert [line.split(" ", 1)[0] for line in again] == ["orchestrator", "reactor.email"]
    assert all(": up to date at " in line for line in again)


def test_one_store_at_a_given_url(kind, tmp_path, capsys):
    with throwaway_store(kind, tmp_path) as engine:
        url = engine.url.render_as_string(hide_password=False)
        assert main(["payment", "--url", url, "--check"]) == 1
        assert "behind (missing messaging_0002, payment_0002)" in capsys.readouterr().err
        assert inspect(engine).get_table_names() == []
        assert main(["payment", "--url", url]) == 0
        assert "-> messaging_0002, payment_0002" in capsys.readouterr().out
        assert main(["payment", "--url", url, "--check"]) == 0
        checked = build_engine(url)
        assert "payments" in inspect(checked).get_table_names()
        checked.dispose()


def test_saga_migrate_fraud_makes_the_fraud_store(kind, tmp_path, capsys):
    with throwaway_store(kind, tmp_path) as engine:
        url = engine.url.render_as_string(hide_password=False)
        assert main(["fraud", "--url", url, "--check"]) == 1
        assert "behind (missing fraud_0001, messaging_0002)" in capsys.readouterr().err
        assert main(["fraud", "--url", url]) == 0
        assert "upgraded (empty) -> fraud_0001, messaging_0002" in capsys.readouterr().out
        assert main(["fraud", "--url", url, "--check"]) == 0
        checked = build_engine(url)
        assert {"screenings", "inbox", "outbox", "dead_letters"} <= set(
            inspect(checked).get_table_names()
        )
        checked.dispose()


def test_a_url_for_two_services_or_an_unknown_service_is_refused():
    with pytest.raises(SystemExit):
        main(["payment", "shipping", "--url", "sqlite://"])
    with pytest.raises(SystemExit):
        main(["warehouse"])
