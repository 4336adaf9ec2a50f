"""Several eventreg servers behind Debian's nginx, as an operator runs them (deploy/), on loopback ports.

`with Cluster(database_url, workdir, servers=2) as cluster:` starts each server with deploy/gunicorn.conf.py and
one nginx whose proxy settings are deploy/nginx/eventreg-proxy.conf, the file the production site includes.
`cluster.url` balances over every server; `cluster.pinned[i]` goes through nginx to server i only (to send a
request to a chosen server, as a load balancer's round robin sometimes does). Used by tests/test_scale_out.py
and by the scale-out benchmark.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROXY_SNIPPET = ROOT / "deploy" / "nginx" / "eventreg-proxy.conf"
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
SECRET_KEY = "cluster-secret-key-not-for-production"  # noqa: S105


def nginx_binary():
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_answers(url, process, log_path, limit=60):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited; its log:\n{_tail(log_path)}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310  (loopback, our own URL)
                return
        except urllib.error.HTTPError:
            return  # it answers (a 503 from /healthz is an answer: the schema may still be on its way)
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in {limit} s; log:\n{_tail(log_path)}")


def _tail(path):
    try:
        return Path(path).read_text()[-3000:]
    except OSError:
        return ""


class Server:
    """One application server: gunicorn with the deployment's settings on its own port."""

    def __init__(self, name, env, workdir, workers):
        self.name = name
        self.port = free_port()
        self.env = env
        self.workers = workers
        self.log_path = Path(workdir) / f"{name}.log"
        self.process = None

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def start(self):
        command = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG), "--bind", self.address,
                   "--workers", str(self.workers), "wsgi:app"]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=log)  # noqa: S603
        _wait_until_answers(f"http://{self.address}/healthz", self.process, self.log_path)

    def stop(self, timeout=45):
        """SIGTERM, as systemd stops a server: gunicorn finishes the requests in flight. Returns the exit code."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def log(self):
        return self.log_path.read_text(errors="replace")


class Cluster:
    def __init__(self, database_url, workdir, *, servers=2, workers=2, env=None):
        self.workdir = Path(workdir)
        self.env = server_environment(database_url, env)
        self.servers = [Server(f"server{i + 1}", self.env, workdir, workers) for i in range(servers)]
        self.port = free_port()
        self.pinned_ports = [free_port() for _ in self.servers]
        self.nginx = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def pinned(self):
        return [f"http://127.0.0.1:{port}" for port in self.pinned_ports]

    @property
    def access_log(self):
        return self.workdir / "nginx-access.log"

    @staticmethod
    def final_upstream(access_log_line):
        """The server that answered a request in the access log (after any retry: `a, b` means b answered)."""
        upstreams = access_log_line.split(" upstream=", 1)[1].split(" sent=", 1)[0]
        return upstreams.split(", ")[-1]

    def __enter__(self):
        try:
            for server in self.servers:
                server.start()
            self._start_nginx()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start_nginx(self):
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed (apt-get install nginx)")
        config = self.workdir / "nginx.conf"
        config.write_text(self._nginx_config())
        log_path = self.workdir / "nginx-error.log"
        with open(log_path, "ab") as log:
            self.nginx = subprocess.Popen(  # noqa: S603  (Debian's nginx, our own generated configuration)
                [binary, "-p", str(self.workdir), "-c", str(config), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL, stderr=log,
            )
        _wait_until_answers(f"{self.url}/healthz", self.nginx, log_path)

    def _nginx_config(self):
        temp = self.workdir / "nginx-temp"
        temp.mkdir(exist_ok=True)
        upstream = "\n".join(f"        server {s.address} max_fails=3 fail_timeout=10s;" for s in self.servers)
        pinned = "\n".join(
            f"    upstream only_{i} {{ server {s.address}; }}\n"
            f"    server {{ listen 127.0.0.1:{port}; {self._location(f'only_{i}')} }}"
            for i, (s, port) in enumerate(zip(self.servers, self.pinned_ports, strict=True))
        )
        # As root, nginx would hand its workers to `nobody`, who cannot write in this test's private folder.
        user = "user root;" if os.geteuid() == 0 else ""
        return f"""
{user}
worker_processes 2;
pid {self.workdir}/nginx.pid;
error_log {self.workdir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format cluster '$request_method $uri $status upstream=$upstream_addr sent=$upstream_bytes_sent';
    access_log {self.access_log} cluster;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    client_max_body_size 6m;
    add_header X-Upstream $upstream_addr always;
    upstream eventreg {{
{upstream}
    }}
    server {{ listen 127.0.0.1:{self.port}; {self._location('eventreg')} }}
{pinned}
}}
"""

    @staticmethod
    def _location(upstream):
        return f"location / {{ include {PROXY_SNIPPET}; proxy_pass http://{upstream}; }}"

    def __exit__(self, *exc):
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)
            try:
                self.nginx.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
                self.nginx.wait()
        for server in self.servers:
            server.stop()
        return False


def server_environment(database_url, extra=None):
    """What every server of the cluster shares, as deploy/eventreg.env.example sets it, for plain HTTP on
    loopback (a browser would not send a Secure cookie back over HTTP either)."""
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_DEBUG", "FLASK_APP")}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET_KEY,
        EVENTREG_TRUSTED_PROXIES="1",
        EVENTREG_SESSION_COOKIE_SECURE="false",
        EVENTREG_REMEMBER_COOKIE_SECURE="false",
        EVENTREG_MAIL_SEND_AFTER_REQUEST="false",
        EVENTREG_LOG_FORMAT="json",
        PYTHONDONTWRITEBYTECODE="1",
        **(extra or {}),
    )
    return env


def flask_command(env, *args, stdin=None, timeout=300):
    """`flask --app eventreg <args>` with the cluster's environment, as cron or an operator runs it."""
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "flask", "--app", "eventreg", *args], cwd=ROOT, env=env, input=stdin,
        capture_output=True, text=True, timeout=timeout, check=True,
    )
