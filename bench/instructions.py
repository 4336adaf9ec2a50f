"""Instructions per check-in, counted by valgrind's callgrind: the same figure on any machine, however fast
or busy it is (the door's rates moved by 3 × between the machines of one day).

Opt-in, `python -m bench --only instructions` (valgrind must be installed): it takes minutes, so `make bench`
leaves it out. eventreg's WSGI app, and then the ceiling's, is called in-process with real scan requests
(`POST .../checkins` with a bearer token, as the door benchmark sends them) in a child process under
`valgrind --tool=callgrind`: once with `few` scans and once with `many`, after the same warm-up on the same
database, reset in between. (instructions(many) - instructions(few)) / (many - few) is what one scan costs,
without the interpreter's start, the imports and the warm-up. gunicorn and the database server are not
counted: the client side of a scan only, where eventreg and the ceiling differ.

The child is this module: `python -m bench.instructions eventreg|ceiling <database URL> <token> <warm-up>
<scans>`; it exits non-zero unless every scan answered "checked in".
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from sqlalchemy import text

from bench.database import engine_for
from bench.door import SLUG, reset_check_ins, seed
from bench.results import Row
from bench.server import ROOT, SECRET_KEY
from eventreg.tickets import qr_payload

TARGETS = {"eventreg": f"/api/v1/seminars/{SLUG}/checkins", "ceiling": "/checkins"}
_COLLECTED = re.compile(r"Collected : (\d+)")


def run(ctx):
    sizes = ctx.sizes
    few, many = sizes.instruction_scans
    if shutil.which("valgrind") is None:
        return {"skipped": "valgrind is not installed"}, [
            Row("instructions", "instructions per check-in", "valgrind is not installed")]
    url, _, staff_token = seed(ctx.scratch, "instructions", sizes.instruction_warm_up + many)
    engine = engine_for(url)
    figures = {"scans": [few, many], "warm_up": sizes.instruction_warm_up}
    for target in TARGETS:
        totals = []
        for scans in (few, many):
            reset_check_ins(engine)
            totals.append(_counted(ctx, target, url, staff_token, sizes.instruction_warm_up, scans))
        figures[target] = {"instructions": totals, "per_check_in": round((totals[1] - totals[0]) / (many - few))}
        ctx.log(f"instructions: {target}: {figures[target]['per_check_in']:,} a check-in")
    reset_check_ins(engine)
    engine.dispose()
    return figures, rows(figures)


def _counted(ctx, target, url, staff_token, warm_up, scans):
    """The instructions callgrind counted in one child process."""
    with tempfile.TemporaryDirectory(dir=ctx.workdir) as out:
        command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}/callgrind.out",
                   sys.executable, "-m", "bench.instructions", target, url, staff_token, str(warm_up), str(scans)]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"the {target} scans under callgrind failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    return collected(done.stderr)


def collected(valgrind_output):
    """The total callgrind prints when the program ends ("==123== Collected : 4567")."""
    found = _COLLECTED.search(valgrind_output)
    if found is None:
        raise RuntimeError(f"callgrind printed no total:\n{valgrind_output[-2000:]}")
    return int(found.group(1))


def rows(figures):
    ours, ceiling = figures["eventreg"]["per_check_in"], figures["ceiling"]["per_check_in"]
    how = f"callgrind, in-process, {figures['scans'][1]} scans minus {figures['scans'][0]}"
    return [
        Row("instructions", "instructions per check-in (client side)", ours, peer=how),
        Row("instructions", "ceiling instructions per check-in", ceiling, peer="the bare UPDATE, the same harness"),
        Row("instructions", "ceiling ÷ eventreg instructions", round(ceiling / ours, 2),
            peer="the door's ratio without the database server and gunicorn"),
    ]


def scan_in_process(target, url, staff_token, warm_up, scans):
    """Call the target's WSGI app with `warm_up` and then `scans` scan requests, each a distinct ticket of the
    database's registrations (in id order); every answer must say "checked in"."""
    from werkzeug.test import EnvironBuilder

    if target == "ceiling":
        os.environ["DATABASE_URL"] = url
        from bench.ceiling import app
    else:
        from eventreg import create_app

        instance = tempfile.mkdtemp(prefix="eventreg-instructions-")
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "RATELIMIT_ENABLED": False},
                         instance_path=instance)
    engine = engine_for(url)
    with engine.connect() as conn:
        tokens = conn.execute(text("SELECT token FROM registration ORDER BY id")).scalars().all()
    engine.dispose()
    if len(tokens) < warm_up + scans:
        raise SystemExit(f"{len(tokens)} registrations; {warm_up + scans} are needed")
    headers = {"Content-Type": "application/json", "Host": "127.0.0.1"}
    if target == "eventreg":
        headers["Authorization"] = f"Bearer {staff_token}"
    # Every request is built before the first is sent, the same number in every run, so that only the scans
    # themselves differ between a run of `few` and one of `many`.
    environs = []
    for token in tokens:
        body = json.dumps({"code": qr_payload(token), "gate": "Door 1", "method": "api"}).encode()
        builder = EnvironBuilder(path=TARGETS[target], method="POST", data=body, headers=headers)
        environs.append(builder.get_environ())
        builder.close()
    for environ in environs[:warm_up + scans]:
        _scan(app, environ)


def _scan(app, environ):
    statuses = []
    answer = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    body = b"".join(answer)
    getattr(answer, "close", lambda: None)()
    if statuses[0][:3] not in ("200", "201") or b"checked_in" not in body:
        raise SystemExit(f"a scan answered {statuses[0]}: {body[:300]!r}")


if __name__ == "__main__":
    target, url, staff_token, warm_up, scans = sys.argv[1:6]
    scan_in_process(target, url, staff_token, int(warm_up), int(scans))
