"""The operator's console: ``sagactl``, the saga web view and the formatting they share.

It reads the platform only through ``saga_client.SagaPlatform`` (the task API, each answer
parsed into a read model of messaging/contracts/read_models.py) and the shared contracts;
it imports no service. A worker image does not need it (extra ``[console]``).

Modules: ``text`` (times, columns, short ids, a saga's name), ``timeline`` (a saga's
timeline and status), ``tables`` (listings of sagas: all, stuck, awaiting review),
``dead_letters`` (dead letters and replays), ``order_trail`` (a saga's order across every
service), ``services`` (the services an operator may name), ``errors``, ``cli`` (sagactl),
``web`` (saga-web).
"""
