"""gunicorn settings for production serving (`make serve`, docs/deploy.md):

    .venv/bin/gunicorn -c gunicorn.conf.py 'app:create_app()'

Each value can be set from the environment. The defaults suit a 2-core web node:
2 worker processes with 8 threads each (requests mostly wait on the database and the
disk; the camera check's analysis runs on the app's own worker threads). Request
bodies are limited by the app (MAX_CONTENT_LENGTH, PROCTOR_FRAME_MAX_BYTES); gunicorn
limits the request line and headers."""
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = _int("GUNICORN_WORKERS", 2)
threads = _int("GUNICORN_THREADS", 8)
worker_class = "gthread"
# A request that takes longer than this is killed with its worker (an analysis at the
# camera check takes well under a second; an export a few seconds).
timeout = _int("GUNICORN_TIMEOUT", 30)
# On SIGTERM (a deploy), requests in flight get this long to finish.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Idle keep-alive connections are closed after this many seconds. It must outlast the
# idle timeout of whatever holds connections open to us (the load balancer; a browser
# keeps one for about 60 s): otherwise the server closes a connection just as the
# client sends a request on it, and that request fails (the load benchmark lost 1 in
# 300 frame uploads that way with 5 s, with a client posting every 4-6 s).
keepalive = _int("GUNICORN_KEEPALIVE", 75)
# Connections one worker holds open at once (idle keep-alive ones included).
worker_connections = _int("GUNICORN_WORKER_CONNECTIONS", 1000)
# Recycle workers now and then (bounded memory growth), not all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 2000)
# Request line and headers: ample for this app's URLs and cookies, refused (400) above.
limit_request_line = _int("GUNICORN_LIMIT_REQUEST_LINE", 4094)
limit_request_fields = _int("GUNICORN_LIMIT_REQUEST_FIELDS", 50)
limit_request_field_size = _int("GUNICORN_LIMIT_REQUEST_FIELD_SIZE", 8190)
# Access log on stdout (the client address is the proxy's unless TRUSTED_PROXIES is set).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# Each worker builds its own app (no database connection shared across a fork).
preload_app = False
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
