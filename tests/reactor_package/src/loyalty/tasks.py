"""Read tasks of the loyalty reactor, on its own queue."""

from typing import Any

from sqlalchemy import func, select

from loyalty.store import points


def register(app: Any) -> None:
    prefix = app.service  # "reactor.loyalty"

    @app.task(name=f"{prefix}.balance", ignore_result=False)
    def balance(customer_id: str) -> dict[str, Any]:
        with app.engine.begin() as conn:
            total = conn.execute(
                select(func.coalesce(func.sum(points.c.points), 0)).where(
                    points.c.customer_id == customer_id
                )
            ).scalar_one()
        return {"customer_id": customer_id, "points": int(total)}

    @app.task(name=f"{prefix}.entries", ignore_result=False)
    def entries() -> list[dict[str, Any]]:
        """Every row: the tests count them per event."""
        with app.engine.begin() as conn:
            rows = conn.execute(select(points.c.event_id, points.c.order_id)).all()
        return [{"event_id": r.event_id, "order_id": r.order_id} for r in rows]
