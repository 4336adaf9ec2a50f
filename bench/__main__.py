"""`python -m bench [--quick] [--only door,rush,...]`: run the benchmarks, print one table, write results.json.

The database is PostgreSQL when DATABASE_URL points there (each benchmark works in a schema of its own
inside that database, dropped afterwards), else SQLite files in a temporary folder.
"""

import argparse
import json
import os
import sys
from pathlib import Path

from bench.results import render
from bench.runner import BENCHMARKS, DEFAULT, ISSUE_HELLO_WORLD_PER_SECOND, run
from bench.settings import FULL, QUICK

RESULTS = Path(__file__).resolve().parent / "results.json"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", default=bool(os.environ.get("BENCH_QUICK")),
                        help="shorter runs (also BENCH_QUICK=1)")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {', '.join(BENCHMARKS)} "
                        "(all but instructions, which needs valgrind, by default)")
    parser.add_argument("--output", default=str(RESULTS), help="where to write the JSON results")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a target is missed")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()] or list(DEFAULT)
    unknown = set(chosen) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    sizes = QUICK if args.quick else FULL
    results = run(chosen, sizes, os.environ.get("DATABASE_URL"))
    print(render(results.pop("rows")))
    m, d = results["machine"], results["database"]
    print(f"\n{d['kind']} {d['version']}; {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Python {m['python']}; "
          f"load average {m['load_average_before'][0]} before, {m['load_average_after'][0]} after; "
          f"{results['seconds']} s")
    if "speed_against_the_issues_machine" in m:
        print(f"this machine's speed by the hello-world: {m['speed_against_the_issues_machine']} × the issue's "
              f"(~{ISSUE_HELLO_WORLD_PER_SECOND:,} requests/s there)")
    results["mode"] = "quick" if args.quick else "full"
    Path(args.output).write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nresults written to {args.output}", file=sys.stderr)
    missed = [f"{row['benchmark']}: {row['measure']}" for row in results["table"] if row["ok"] is False]
    if missed:
        print(f"{len(missed)} target(s) missed", file=sys.stderr)
    return 1 if missed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
