"""The production stack of the drill, on this machine and without containers.

``Stack.start()`` does what docs/operations.md tells an operator to do on a
first deployment: the two database roles (deploy/postgres/init-roles.sh, run
with psql against the machine's PostgreSQL), the secrets as files (``*_FILE``
variables, mode 0600), ``migrate`` as the owner, ``grant_app_privileges``,
``collectstatic``, the application role's system check, the home
organisation, a team and a caseworker; then gunicorn on production settings,
one Celery worker and one beat, on a Redis server of the drill's own (so a
fault drill can stop it). Everything the service runs connects as the
application role.

Nothing here is a mock: the same settings module, WSGI application and
commands as production, with only names, ports and paths chosen for the
drill.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import requests
from django_otp.oath import TOTP

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
PG = os.environ.get("NGO_DRILL_PG", "postgres://postgres@127.0.0.1:5432/postgres")
DB = "ngo_cases_drill"
RESTORED = "ngo_cases_drill_restored"
OWNER = "ngo_drill_owner"
APP = "ngo_drill_app"
HOST = "cases.drill.test"
PASSWORD = "drill-" + secrets.token_urlsafe(12)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(check: Callable[[], object], what: str, timeout: float = 60.0) -> float:
    """Poll ``check()`` until it is true; the seconds it took."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if check():
                return time.monotonic() - start
        except (OSError, requests.RequestException, psycopg.Error):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{what}: not ready after {timeout:.0f} s")


@dataclass
class Stack:
    work: Path
    web_port: int = field(default_factory=free_port)
    redis_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    owner_password: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    app_password: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    extra_env: dict[str, str] = field(default_factory=dict)  # e.g. the load bench's rate limit

    # --- addresses -----------------------------------------------------------------

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def dsn(self, role: str, database: str = DB) -> str:
        password = self.owner_password if role == OWNER else self.app_password
        return f"postgres://{role}:{password}@127.0.0.1:5432/{database}"

    def connect(self, role: str) -> psycopg.Connection:
        return psycopg.connect(self.dsn(role), autocommit=True)

    # --- set-up ------------------------------------------------------------------------

    def _secret(self, name: str, value: str) -> str:
        path = self.work / "secrets" / name
        path.write_text(value, encoding="utf-8")
        path.chmod(0o600)
        return str(path)

    def run(
        self, *command: str, role: str = APP, database: str = DB, stdin: str | None = None, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        """A command with the service's environment, connected as ``role`` to ``database``."""
        env = {**self.env, **extra}
        if role == OWNER:
            env["NGO_DATABASE_ROLE"] = "owner"
        env["DATABASE_URL_FILE"] = self._secret(f"url-{role}-{database}", self.dsn(role, database))
        return subprocess.run(
            command, cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=600, check=False
        )

    def manage(self, *args: str, role: str = APP, database: str = DB, stdin: str | None = None, **extra: str) -> str:
        done = self.run(PYTHON, "manage.py", *args, role=role, database=database, stdin=stdin, **extra)
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done.stdout

    def drop(self) -> None:
        with psycopg.connect(PG, autocommit=True) as admin:
            for database in (DB, RESTORED):
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            for role in (APP, OWNER):
                admin.execute(f'DROP ROLE IF EXISTS "{role}"')

    def create_roles(self) -> None:
        """deploy/postgres/init-roles.sh, as an operator runs it with psql."""
        self.drop()
        env = {
            **os.environ,
            "PGHOST": "127.0.0.1",
            "PGPORT": "5432",
            "POSTGRES_USER": "postgres",
            "NGO_DB_NAME": DB,
            "NGO_DB_OWNER": OWNER,
            "NGO_DB_APP": APP,
            "OWNER_PASSWORD_FILE": self._secret("postgres_owner_password", self.owner_password),
            "APP_PASSWORD_FILE": self._secret("postgres_app_password", self.app_password),
        }
        subprocess.run(
            ["bash", str(ROOT / "deploy" / "postgres" / "init-roles.sh")],
            env=env,
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        (self.work / "secrets").mkdir(mode=0o700, parents=True)
        (self.work / "var").mkdir()
        self.create_roles()
        self.start_redis()
        master_key = base64.b64encode(secrets.token_bytes(32)).decode()
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(self.work),
            "LANG": "C.UTF-8",
            "DJANGO_SETTINGS_MODULE": "ngo_cases.settings.production",
            "DJANGO_ALLOWED_HOSTS": f"{HOST},127.0.0.1",
            "DJANGO_SECRET_KEY_FILE": self._secret("django_secret_key", secrets.token_urlsafe(50)),
            "DATABASE_URL_FILE": self._secret("database_url", self.dsn(APP)),
            "NGO_MASTER_KEYS_FILE": self._secret("master_keys", f"1:{master_key}"),
            "NGO_BLIND_INDEX_KEY_FILE": self._secret(
                "blind_index_key", base64.b64encode(secrets.token_bytes(32)).decode()
            ),
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/1",
            "NGO_VAR_DIR": str(self.work / "var"),
            "LOG_LEVEL": "WARNING",
            # reminders on a drill's clock: planned and dispatched every few seconds, date reminders at
            # midnight (so that today's fall due now), an unsent delivery enqueued again after 20 s
            "NGO_REMINDER_PLAN_SECONDS": "3",
            "NGO_REMINDER_DISPATCH_SECONDS": "3",
            "NGO_REMINDER_HOUR": "0",
            "NGO_REMINDER_REDELIVER_SECONDS": "20",
            # the erasure ledger, outside the database, written by beat every few seconds
            "NGO_ERASURE_LEDGER_PATH": str(self.work / "ledger" / "erasures.txt"),
            "NGO_ERASURE_LEDGER_SECONDS": "3",
            **self.extra_env,
        }
        self.manage("migrate", "--noinput", role=OWNER)
        self.manage("grant_app_privileges", "--role", APP, role=OWNER)
        self.manage("collectstatic", "--noinput")
        # the production system check: refuses a role that could change the audit trail
        self.manage("check", "--database", "default", "--fail-level", "ERROR")
        self.manage("create_organisation", "--name", "Drill NGO", "--slug", "drill", "--type", "NGO", "--home")
        self.manage(
            "shell",
            "-c",
            "from accounts.models import Organisation, Team; "
            "Team.objects.create(organisation=Organisation.objects.get(slug='drill'), name='Drill casework')",
        )
        self.manage(
            "create_staff", "--username", "dana", "--org", "drill", "--role", "caseworker",
            "--team", "Drill casework", stdin=PASSWORD + "\n",
        )  # fmt: skip
        self.start_web()
        self.spawn("worker", BIN / "celery", "-A", "ngo_cases", "worker", "--loglevel", "WARNING", "--concurrency", "1")
        self.spawn("beat", BIN / "celery", "-A", "ngo_cases", "beat", "--loglevel", "WARNING",
                   "--schedule", str(self.work / "beat-schedule"))  # fmt: skip

    def spawn(self, name: str, *command: object) -> subprocess.Popen[bytes]:
        log = (self.work / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [str(part) for part in command], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes[name] = process
        return process

    def stop_redis(self) -> None:
        """The broker and cache gone, as when its server dies (SIGKILL: no goodbye to the clients)."""
        redis = self.processes.pop("redis")
        redis.kill()
        redis.wait(timeout=10)

    def start_redis(self) -> None:
        self.spawn(
            "redis", shutil.which("redis-server") or "redis-server", "--port", self.redis_port, "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", self.work,
        )  # fmt: skip
        import redis

        wait_for(lambda: redis.Redis(port=self.redis_port).ping(), "redis")

    def start_web(self) -> float:
        self.spawn(
            "web", BIN / "gunicorn", "ngo_cases.wsgi:application", "--bind", f"127.0.0.1:{self.web_port}",
            "--workers", "2", "--access-logfile", self.work / "access.log",
        )  # fmt: skip
        return wait_for(lambda: requests.get(f"{self.origin}/healthz", timeout=2).status_code == 200, "gunicorn")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.drop()

    def log(self, name: str, tail: int = 4000) -> str:
        path = self.work / f"{name}.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""


class Client(requests.Session):
    """Requests as the TLS-terminating proxy forwards them: the public host name and X-Forwarded-Proto."""

    def __init__(self, origin: str) -> None:
        super().__init__()
        self.origin = origin
        self.headers.update({"Host": HOST, "X-Forwarded-Proto": "https", "Accept": "application/json"})

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        kwargs.setdefault("allow_redirects", False)
        verb = method.decode() if isinstance(method, bytes) else method
        return super().request(verb, f"{self.origin}{url!s}", *args, **kwargs)


def code_for(secret: str, *, step_offset: int = 0) -> str:
    """What an authenticator app shows for ``secret`` now (or ``step_offset`` 30-second steps later)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    totp.time = time.time() + 30 * step_offset
    return f"{totp.token():06d}"


def _expect(response: requests.Response, status: int, what: str) -> dict[str, Any]:
    if response.status_code != status:
        raise RuntimeError(f"{what}: {response.status_code} {response.text[:500]}")
    body: dict[str, Any] = response.json()
    return body


def sign_in_with_mfa(stack: Stack, username: str = "dana") -> Client:
    """The first sign-in where MFA is required: an enrolment-only token, an authenticator enrolled with a code
    from its key, a refusal without a code, then a full token with password and code."""
    client = Client(stack.origin)
    first = _expect(client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD}), 200, "login")
    if first["scope"] != "mfa_enrolment":
        raise RuntimeError(f"first sign-in gave a {first['scope']} token, not an enrolment-only one")
    enrolling = {"Authorization": f"Bearer {first['token']}"}
    secret = _expect(client.post("/api/v1/auth/mfa/totp/begin", headers=enrolling), 200, "begin")["secret"]
    _expect(
        client.post("/api/v1/auth/mfa/totp/confirm", json={"otp": code_for(secret)}, headers=enrolling), 200, "confirm"
    )
    refused = _expect(
        client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD}), 401, "no code"
    )
    if not refused["type"].endswith("mfa-required"):
        raise RuntimeError(f"sign-in without a code answered {refused['type']}")
    body = {"username": username, "password": PASSWORD, "otp": code_for(secret, step_offset=1)}
    signed_in = _expect(client.post("/api/v1/auth/login", json=body), 200, "login with code")
    if signed_in["scope"] != "full":
        raise RuntimeError("the sign-in with a code did not give a full token")
    client.headers["Authorization"] = f"Bearer {signed_in['token']}"
    return client
