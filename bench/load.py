"""The load generator: N concurrent clients on asyncio, bounded in count and in time.

Each client takes the next work item (a ticket code, a person to sign up...) and sends it, until the
items run out or the duration is over; a request in flight then finishes, and nothing new starts.

The HTTP client is a small HTTP/1.1 one written on asyncio streams rather than httpx: measured here,
httpx.AsyncClient spends about 1.0 ms of CPU per request and the minimal client 0.13 ms. On a 2-core
machine shared by the server and the generator, httpx capped a hello-world at ~740 requests/s against
~3,300 with this client, so it would have measured the generator instead of the server (and flattered
eventreg's ratio to the ceiling). gunicorn's sync workers close every connection after one response, so
each request opens its own connection, as a scanner behind a proxy without keep-alive would.
"""

import asyncio
import json
import math
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

REQUEST_TIMEOUT = 60.0


class HttpError(Exception):
    """No usable answer: connection refused or reset, a timeout, or a malformed response."""


@dataclass
class Response:
    status: int
    headers: list
    body: bytes

    def header(self, name):
        name = name.lower()
        return next((value for key, value in self.headers if key == name), None)

    def cookies(self):
        """name → value of every Set-Cookie (attributes such as Secure are ignored: this is loopback)."""
        found = {}
        for key, value in self.headers:
            if key == "set-cookie":
                pair = value.split(";", 1)[0]
                name, _, content = pair.partition("=")
                found[name.strip()] = content.strip()
        return found

    def json(self):
        return json.loads(self.body)

    @property
    def text(self):
        return self.body.decode()


class Client:
    """Requests to one server: `await client.request("POST", "/path", json={...}, headers={...})`."""

    def __init__(self, base_url, headers=None, local_address=None):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.headers = dict(headers or {})
        # A loopback source address of its own (127.0.x.y) makes this client another visitor to the server.
        self.local_addr = (local_address, 0) if local_address else None

    async def request(self, method, path, *, headers=None, json=None, form=None, cookies=None):
        body = b""
        all_headers = {"Host": f"{self.host}:{self.port}", "Connection": "close", "User-Agent": "eventreg-bench",
                       **self.headers, **(headers or {})}
        if json is not None:
            body = _json_bytes(json)
            all_headers["Content-Type"] = "application/json"
        elif form is not None:
            body = urlencode(form).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        if body or method in ("POST", "PUT", "PATCH"):
            all_headers["Content-Length"] = str(len(body))
        if cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in all_headers.items()) + "\r\n"
        try:
            return await asyncio.wait_for(self._exchange(head.encode() + body), REQUEST_TIMEOUT)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as error:
            raise HttpError(type(error).__name__) from error

    async def _exchange(self, request):
        reader, writer = await asyncio.open_connection(self.host, self.port, local_addr=self.local_addr)
        try:
            writer.write(request)
            raw = await reader.read()
        finally:
            writer.close()
        return _parse(raw)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)


def _json_bytes(value):
    return json.dumps(value, separators=(",", ":")).encode()


def _parse(raw):
    head, separator, body = raw.partition(b"\r\n\r\n")
    if not separator:
        raise ValueError("incomplete response")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = []
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers.append((key.strip().lower(), value.strip()))
    if any(k == "transfer-encoding" and "chunked" in v.lower() for k, v in headers):
        body = _dechunk(body)
    return Response(status, headers, body)


def _dechunk(data):
    out, position = bytearray(), 0
    while True:
        line_end = data.index(b"\r\n", position)
        size = int(data[position:line_end].split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += data[line_end + 2:line_end + 2 + size]
        position = line_end + 2 + size + 2


def call(coroutine):
    """Run one request (or any coroutine) from synchronous code."""
    return asyncio.run(coroutine)


@dataclass
class LoadResult:
    clients: int
    requests: int = 0
    seconds: float = 0.0
    latencies: list = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)

    @property
    def ok(self):
        return self.requests - sum(self.errors.values())

    @property
    def rate(self):
        """Successful requests per second."""
        return self.ok / self.seconds if self.seconds else 0.0

    def as_dict(self):
        return {
            "clients": self.clients,
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "per_second": round(self.rate, 1),
            "median_ms": ms(percentile(self.latencies, 50)),
            "p99_ms": ms(percentile(self.latencies, 99)),
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
        }


def percentile(values, p):
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


def ms(seconds):
    return None if seconds is None else round(seconds * 1000, 2)


def run_load(base_url, send, items, *, clients, duration, headers=None):
    """Drive `send(client, item)` from `clients` concurrent tasks for at most `duration` seconds.

    `send` is an async function returning None for success, an error label, or (error or None, seconds)
    when only part of its work is the latency to report (the form GET before a signup POST is not).
    """
    return asyncio.run(_run(Client(base_url, headers), send, iter(items), clients, duration))


async def _run(client, send, items, clients, duration):
    result = LoadResult(clients=clients)
    started = time.perf_counter()
    deadline = started + duration
    finished = started

    async def one_client():
        nonlocal finished
        while time.perf_counter() < deadline:
            item = next(items, None)
            if item is None:
                return
            begun = time.perf_counter()
            try:
                outcome = await send(client, item)
            except HttpError as error:
                outcome = f"connection: {error}"
            now = time.perf_counter()
            error, latency = outcome if isinstance(outcome, tuple) else (outcome, now - begun)
            result.requests += 1
            result.latencies.append(latency)
            if error:
                result.errors[error] += 1
            finished = max(finished, now)

    await asyncio.gather(*(one_client() for _ in range(clients)))
    result.seconds = finished - started
    return result
