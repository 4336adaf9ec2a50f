"""gunicorn settings for one eventreg application server (`gunicorn -c deploy/gunicorn.conf.py --bind ... wsgi:app`).

Every server of a cluster runs the same file; what differs (the port) is given on the command line.
"""

import os

# Sync workers: a request is short (a scan, a signup) and the database does the waiting.
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1) + 1))
timeout = 60
# On SIGTERM gunicorn stops accepting at once (the proxy then sends new requests to the other servers) and
# gives the requests in flight this long to finish.
graceful_timeout = 30
# eventreg logs one line per request itself (with the request id); gunicorn's own log keeps start/stop/errors.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The proxy on the same machine; eventreg reads X-Forwarded-* itself (EVENTREG_TRUSTED_PROXIES).
forwarded_allow_ips = "127.0.0.1"
# gunicorn ≥ 27 opens a control socket at one path per user: two servers on a machine would share it.
control_socket_disable = True
