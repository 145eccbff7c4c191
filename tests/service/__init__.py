"""The service tier: each participant's registry driven through messaging.consumer on a
real store (SQLite and PostgreSQL), with no broker and no worker (marker ``service``)."""
