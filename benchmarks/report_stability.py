"""The rows of the figures table after throughput and latency: worker memory over many
sagas, checkout latency while reactors are killed, and the CPU of a reactor's start."""

from __future__ import annotations

from typing import Any

from benchmarks.report_cells import Row, figure, meets, ratio_of


def later_rows(kind: str, run: dict[str, Any]) -> list[Row]:
    """Memory, then (where they ran) the crash loop and the reactor starts."""
    out = memory_rows(kind, run["memory"])
    if "crash_loop" in run:
        out.extend(crash_rows(kind, run["crash_loop"]))
    if "reactor_start" in run:
        out.extend(start_rows(kind, run["reactor_start"]))
    return out


def _pair(latency: dict[str, float]) -> str:
    return f"{figure(latency['p50_ms'])}/{figure(latency['p99_ms'])} ms"


def crash_rows(kind: str, crash: dict[str, Any]) -> list[Row]:
    """Checkout latency with one reactor killed -9 every 10 s against none killed, and the
    reactors' effects counted in their stores afterwards."""
    killed, none = crash["killed"], crash["none"]
    p50, p99 = crash["ratio_p50"], crash["ratio_p99"]
    ok = crash["within_1_5x"] and killed["not_completed"] == 0
    effects = crash["effects"]
    kills = len(killed["kills"])
    late = f", {killed['not_completed']} not done" if killed["not_completed"] else ""
    others = [_busy_elsewhere(none), _busy_elsewhere(killed)]
    # A verdict only when the rest of the machine left both windows alike
    noisy = any(o is not None and o > NOISY_CORES for o in others)
    verdict = None if p50 is None or p99 is None or noisy else bool(ok)
    return [
        (
            f"[{kind}] checkout p50/p99 at {crash['rate_per_s']:g}/s (half capacity), "
            f"{kills} reactor kills -9 in {crash['seconds']:g} s{late}",
            _pair(killed["latency"]),
            f"none killed {_pair(none['latency'])}",
            "-" if p50 is None or p99 is None else f"{p50:.2f}x/{p99:.2f}x",
            meets(verdict, "within 1.5x") + (" (machine busy elsewhere)" if noisy else ""),
        ),
        (
            f"[{kind}] cores busy outside the platform during the windows (other programs, "
            "Redis, PostgreSQL, the client): none / killed",
            " / ".join("-" if o is None else f"{o:.2f}" for o in others),
            f"a verdict above only if both <= {NOISY_CORES}",
            "",
            "",
        ),
        (
            f"[{kind}] orders whose effect is not exactly once in a reactor's store "
            f"({effects['completed']:,} orders x 3 reactors)",
            f"{effects['violations']}",
            f"SMTP resends {effects['smtp_resends']}",
            "",
            meets(effects["violations"] == 0, "0 violations"),
        ),
    ]


# More cores than this busy outside the platform (of 2) and a latency comparison is one of
# the machine's other users: Redis, PostgreSQL and the client took 0.1-0.25 in clean runs.
NOISY_CORES = 0.4


def _busy_elsewhere(phase: dict[str, Any]) -> float | None:
    """Cores the rest of the machine kept busy during a phase (None: results from before
    the figure existed)."""
    if "busy_cores" not in phase:
        return None
    busy: float = phase["busy_cores"] - phase["cpu_s"] / max(1e-9, phase["seconds"])
    return busy


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def start_rows(kind: str, start: dict[str, Any]) -> list[Row]:
    """CPU of one reactor start from exec to ready (and to caught up), and what the event
    dispatcher and the orchestrator worker used meanwhile above their idle rate."""
    name = start["reactor"]
    plain = start["nothing_lost"]["median"]
    mingle = start["mingle_gossip"]["median"]
    catch = start["catch_up"]["median"]
    done = start["catch_up"]["median_done"]

    def others(m: dict[str, Any]) -> str:
        return (
            f"events {m['events_above_idle_cpu_s']:+.2f} s, "
            f"orchestrator {m['orchestrator_above_idle_cpu_s']:+.2f} s"
        )

    n = start["repeats"]
    return [
        (
            f"[{kind}] CPU of one saga-reactor {name} start to ready, nothing lost (median of {n})",
            f"{_s(plain['reactor_cpu_s'])} in {_s(plain['seconds'])}",
            others(plain),
            "",
            "",
        ),
        (
            f"[{kind}] the same after losing {start['lost']} copies: to ready / to caught up",
            f"{_s(catch['reactor_cpu_s'])} / {_s(done['reactor_cpu_s'])} in {_s(done['seconds'])}",
            others(done),
            figure(ratio_of(done["reactor_cpu_s"], plain["reactor_cpu_s"]), "x"),
            "",
        ),
        (
            f"[{kind}] the same, nothing lost, with mingle and gossip on",
            f"{_s(mingle['reactor_cpu_s'])} in {_s(mingle['seconds'])}",
            f"without {_s(plain['reactor_cpu_s'])}; {others(mingle)}",
            figure(ratio_of(mingle["reactor_cpu_s"], plain["reactor_cpu_s"]), "x"),
            "",
        ),
    ]


def memory_rows(kind: str, memory: dict[str, Any]) -> list[Row]:
    """RSS growth of the worst process. With the long mode's rounds of 1,000 sagas, across
    the rounds (all alike, after the overload phases); else since saturation."""
    rounds = memory["rounds"]
    if "before_rounds" in memory and rounds:
        start, n = memory["before_rounds"], 1000 * len(rounds)
    elif rounds:  # results from before the snapshot existed: from the first round on
        start, n = rounds[0]["rss"], 1000 * (len(rounds) - 1)
    else:
        start, n = memory["after_saturation"], memory["sagas_between"]
    end = memory["end"]
    growths = {
        name: (sum(end.get(name, [])) - sum(mib), sum(mib)) for name, mib in start.items() if mib
    }
    worst = max(growths.items(), key=lambda item: item[1][0] / max(1.0, item[1][1]))
    name, (grown, was) = worst
    ok = grown <= max(5.0, 0.10 * was)
    text = "flat over 10,000 sagas" if n >= 10_000 else f"flat (only {n:,} sagas here)"
    return [
        (
            f"[{kind}] worker RSS growth over {n:,} sagas (worst: {name})",
            f"{grown:+.1f} MiB",
            f"of {was:.0f} MiB",
            figure(ratio_of(was + grown, was), "x"),
            meets(ok if n >= 10_000 else None, text)
            + ("" if n >= 10_000 else f" ({'flat' if ok else 'grew'})"),
        )
    ]
