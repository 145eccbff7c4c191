"""A periodic process runs retention at its first look, then every interval; a run cut
short by its time budget goes on at the next look; interval 0 never runs."""

from __future__ import annotations

from messaging.retention import Run, Schedule


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_due_at_first_then_every_interval() -> None:
    clock = Clock()
    schedule = Schedule(300, clock)
    assert schedule.due()
    clock.now += 299
    assert not schedule.due()
    clock.now += 1
    assert schedule.due()


def test_a_run_cut_short_goes_on_at_the_next_look() -> None:
    clock = Clock()
    schedule = Schedule(300, clock)
    assert schedule.due()
    schedule.soon()
    clock.now += 0.5
    assert schedule.due()


def test_interval_zero_never_runs() -> None:
    assert not Schedule(0, Clock()).due()


def test_a_run_is_out_of_time_at_its_deadline() -> None:
    clock = Clock()
    run = Run({}, until=clock.now + 0.5, clock=clock)
    assert not run.out_of_time()
    clock.now += 0.5
    assert run.out_of_time()
    assert run.cut_short
    assert not Run({}).out_of_time()
