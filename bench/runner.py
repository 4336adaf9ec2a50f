"""Running a set of benchmarks on one database, with a description of the machine they ran on."""

import os
import platform
import sqlite3
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from bench import door, exports, qr, reports, rush
from bench.context import Context
from bench.database import Scratch

BENCHMARKS = {"door": door, "rush": rush, "reports": reports, "exports": exports, "qr": qr}


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
    results["rows"] = all_rows
    results["table"] = [row.as_dict() for row in all_rows]
    return results


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
