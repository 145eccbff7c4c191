"""The loyalty reactor's own tables."""

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table

metadata = MetaData()

points = Table(
    "loyalty_points",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("customer_id", String(64), nullable=False, index=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("event_type", String(100), nullable=False),
    Column("points", Integer, nullable=False),
    Column("earned_at", DateTime(timezone=True), nullable=False),
)
