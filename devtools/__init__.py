"""Tools for development and tests, never run in production: the demo (``saga-demo``),
the local SMTP sink that stands in for a mail server, and the launcher that starts the
Procfile's processes (honcho) and reaps them. Installed with the extra ``[dev]``."""
