"""The app (or the ceiling app) under gunicorn, on a free loopback port, for the length of a `with`."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.load import Client, HttpError, call

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-secret-key-not-for-production"  # noqa: S105


def default_workers():
    """gunicorn's own advice for sync workers, and what the peer figures were measured with."""
    return 2 * (os.cpu_count() or 1)


def server_environment(database_url):
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_DEBUG", "FLASK_APP")}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET_KEY,
        # Every request of the load comes from 127.0.0.1: the per-address limits would refuse them.
        EVENTREG_RATELIMIT_ENABLED="false",
        # Plain HTTP on loopback: a browser would not send a Secure cookie back here either.
        EVENTREG_SESSION_COOKIE_SECURE="false",
        EVENTREG_MAIL_SEND_AFTER_REQUEST="false",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


class Gunicorn:
    """`with Gunicorn("wsgi:app", url, workers=4, logdir=...) as server: server.base_url ...`

    The listening socket is made here and handed to gunicorn (`--bind fd://N`), so the port is known
    before gunicorn starts and no other process can take it in between.
    """

    def __init__(self, app_spec, database_url, *, workers, logdir, timeout=300):
        self.app_spec = app_spec
        self.env = server_environment(database_url)
        self.workers = workers
        self.log_path = Path(logdir) / f"gunicorn-{app_spec.replace(':', '-').replace('.', '-')}.log"
        self.timeout = timeout
        self.process = None
        self.sock = None

    def __enter__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1024)
        port = self.sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        command = [
            sys.executable, "-m", "gunicorn",
            "--workers", str(self.workers),
            "--bind", f"fd://{self.sock.fileno()}",
            "--timeout", str(self.timeout),
            "--log-level", "warning",
            "--error-logfile", str(self.log_path),
            self.app_spec,
        ]
        self.process = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
            command, cwd=ROOT, env=self.env, pass_fds=(self.sock.fileno(),),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self._wait_for_workers()
        return self

    def _wait_for_workers(self, limit=60):
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.app_spec} exited; see {self.log_path}:\n{self._log_tail()}")
            if len(self.worker_pids()) == self.workers:
                try:
                    call(Client(self.base_url).get("/"))
                    return
                except HttpError:
                    pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn {self.app_spec} did not start in {limit} s; see {self.log_path}")

    def _log_tail(self):
        try:
            return self.log_path.read_text()[-3000:]
        except OSError:
            return ""

    def worker_pids(self):
        """The worker processes: the children of gunicorn's master."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.sock:
            self.sock.close()
        return False


def cpu_seconds(pids):
    """User + system CPU time used so far by these processes (from /proc/<pid>/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / ticks


def memory_status(pid):
    """VmRSS and VmHWM of a process, in kB, from /proc/<pid>/status."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def reset_peak(pid):
    """Make VmHWM start again from the current RSS (Linux ≥ 4.0); False where that is not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False
