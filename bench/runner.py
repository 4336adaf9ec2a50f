"""Running a set of benchmarks on one database, with a description of the machine they ran on."""

import os
import platform
import sqlite3
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from bench import door, exports, instructions, pdf, phone, qr, reports, rush, scale_out
from bench.context import Context
from bench.database import Scratch

BENCHMARKS = {"door": door, "rush": rush, "reports": reports, "exports": exports, "qr": qr, "pdf": pdf,
              "phone": phone, "scaleout": scale_out, "instructions": instructions}
# Run only when asked for by name (`--only instructions`): valgrind takes minutes.
DEFAULT = [name for name in BENCHMARKS if name != "instructions"]
# The issue's absolute targets are for its machine, where this same hello-world under gunicorn answered
# ~5,300 requests/s (the door benchmark measures it here).
ISSUE_HELLO_WORLD_PER_SECOND = 5300


def run(chosen, sizes, database_url, *, quiet=False):
    """Run the chosen benchmarks; returns {"machine", "database", <name>: figures, "rows", "table"}."""
    with tempfile.TemporaryDirectory(prefix="eventreg-bench-") as workdir:
        scratch = Scratch(database_url, workdir)
        ctx = Context(scratch=scratch, workdir=Path(workdir), sizes=sizes, quiet=quiet)
        results = {"machine": machine(), "database": database_description(scratch), "started_at": time.time()}
        all_rows = []
        try:
            for name in chosen:
                ctx.log(f"{name}: starting")
                figures, rows = BENCHMARKS[name].run(ctx)
                results[name] = figures
                all_rows += rows
        finally:
            scratch.close()
        results["seconds"] = round(time.monotonic() - ctx.started, 1)
        # Other work on the machine slows every figure (the ratios least); say how busy it was.
        results["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    speed = machine_speed(results)
    if speed:
        results["machine"]["speed_against_the_issues_machine"] = round(speed, 2)
        add_estimates(all_rows, speed)
    results["rows"] = all_rows
    results["table"] = [row.as_dict() for row in all_rows]
    return results


def machine_speed(results):
    """This machine's speed as a fraction of the issue's, by the framework's hello-world; None without it."""
    hello = results.get("door", {}).get("hello_world", {}).get("per_second")
    return hello / ISSUE_HELLO_WORLD_PER_SECOND if hello else None


def add_estimates(rows, speed):
    """Beside each figure that moves with the machine, what it would be at the issue's machine speed: an
    estimate for reading the absolute targets on another machine, never a verdict (ok/MISS stay measured)."""
    for row in rows:
        if not isinstance(row.value, int | float) or not row.scales:
            continue
        estimate = row.value / speed if row.scales == "rate" else row.value * speed
        unit = " ms" if row.scales == "time" else ""
        note = f"≈ {estimate:,.0f}{unit} at the issue's machine speed (× {1 / speed:.1f})"
        row.peer = f"{row.peer}; {note}" if row.peer else note


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kb = next((int(line.split()[1]) for line in _read("/proc/meminfo").splitlines()
                      if line.startswith("MemTotal:")), 0)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }


def database_description(scratch):
    if scratch.kind == "sqlite":
        return {"kind": "sqlite", "version": sqlite3.sqlite_version}
    engine = create_engine(scratch.base_url)
    with engine.connect() as conn:
        version = conn.execute(text("SHOW server_version")).scalar()
    engine.dispose()
    return {"kind": "postgresql", "version": version}


def _read(path):
    try:
        return Path(path).read_text()
    except OSError:
        return ""
