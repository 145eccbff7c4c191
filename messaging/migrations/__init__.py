"""Alembic's environment (env.py) and the shared tables' revisions (messaging/schema.py)."""
