"""The platform's client: call any task by name (``tasks.TaskClient``) and read its answer
as a typed model (``platform.SagaPlatform``). It depends on Celery and the shared contracts
only, so any process can use it without the services' code: sagactl, the web view, the
demo, the tests and the benchmarks all call the platform through it."""

from saga_client.platform import SagaPlatform
from saga_client.tasks import CommandError, NoAnswer, RemoteError, TaskClient, build_app

__all__ = ["CommandError", "NoAnswer", "RemoteError", "SagaPlatform", "TaskClient", "build_app"]
