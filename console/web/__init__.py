"""The saga web view: a small server-rendered site for operators, served by ``saga-web``.

It reads everything through the platform's task API, exactly as ``sagactl`` does (the
same ``saga_client.SagaPlatform`` and the same functions of ``console``): sagas by state and
definition and a search by business key, one saga's diagram (its definition drawn, where it
is marked; Mermaid renders it in the browser from ``static/mermaid.min.js``) and timeline
across every service, the stuck sagas, and the dead letters of every service of the running
platform, with their replay.

Modules: ``views`` (the data of each page), ``auth`` (HTTP basic auth), ``routes`` (the
pages), ``app`` (the Flask app factory), ``server`` (``saga-web``: settings and waitress).
"""

from __future__ import annotations

from console.web.app import create_app
from console.web.server import main

__all__ = ["create_app", "main"]
