"""gunicorn for production (`make serve-prod`). Every value can be overridden from the
environment (GUNICORN_BIND, GUNICORN_WORKERS, ...)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: gthread did not beat them here and had worse tail latency (ARCHITECTURE.md).
worker_class = "sync"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# A sync worker silent for this long is killed. Long enough for the longest request a
# staff member makes: the signatories export of a six-million-signature petition streams
# in about 35 s (docs/benchmarks.md, scale scenario).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
# Workers are forked from a master that has already imported Django and Wagtail: one killed
# (OOM, -9) or recycled after max_requests is replaced in milliseconds instead of a second
# of CPU taken from the others mid-spike (bench: faults). New code needs a restart of the
# service, not a HUP. Django opens no database connection at import, so none is shared.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"
# Recycle workers now and then as a guard against slow leaks; high enough that a busy
# worker is not restarting every few seconds.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# The access log never carries the client address or the query string (personal data):
# method, path, status, size and duration only.
# Confirmation-link tokens in paths are replaced by "[token]" (harbour.core.accesslog).
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
logger_class = "harbour.core.accesslog.RedactingLogger"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
