"""The browser suite: Playwright (Python) driving Debian's Chromium against a
real server (pytest-django's ``live_server``: Django's threaded WSGI server on
a local port, on the test PostgreSQL database).

Every page a test opens is watched (``guard``): the test fails on a console
error or an uncaught exception, on a request to any host but the server, and
on an HTML document served without a Content-Security-Policy. Tests wait for
what the page shows (Playwright's auto-waiting locators), never sleep.

Run with ``make test-browser`` (``-m browser``); ``make test`` leaves these
out. Chromium comes from Debian (``apt-get install -y chromium``), never from
``playwright install``; ``NGO_CHROMIUM`` overrides the path.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in the test's thread; Django's ORM
# refuses to run beside one unless told that this thread is synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import contextlib

from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    expect,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

from accounts.tests.factories import TEST_PASSWORD

CHROMIUM = os.environ.get("NGO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIR = Path(os.environ.get("NGO_SCREENSHOT_DIR", "var/screenshots"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (see README)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Guard:
    """What went wrong on the pages of one browser context."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    documents_without_csp: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    # (status, path) answers a test provokes on purpose and the page shows
    refusals: set[tuple[int, str]] = field(default_factory=lambda: {(401, "/api/v1/auth/session")})

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        # Chromium reports every 4xx fetch as a console error: the ones the
        # test provokes on purpose (a refused sign-in, a 412) are expected.
        if any(f"status of {status}" in message.text and urlsplit(url).path == path for status, path in self.refusals):
            return
        self.console_errors.append(f"{message.text} ({url})")

    def on_page_error(self, error: Exception) -> None:
        self.console_errors.append(f"uncaught: {error}")

    def on_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.foreign_requests.append(request.url)

    def on_response(self, response: Response) -> None:
        if response.request.resource_type != "document":
            return
        self.documents.append(response.url)
        if "content-security-policy" not in response.headers:
            self.documents_without_csp.append(f"{response.status} {response.url}")

    def problems(self) -> list[str]:
        return (
            [f"console: {e}" for e in self.console_errors]
            + [f"request to another host: {u}" for u in self.foreign_requests]
            + [f"no Content-Security-Policy: {u}" for u in self.documents_without_csp]
        )


@dataclass
class Browsing:
    """A browser context (one person's browser) and its guard."""

    context: BrowserContext
    guard: Guard

    def expect_refusal(self, status: int, path: str) -> None:
        """This context will get ``status`` from ``path`` on purpose (not a console error)."""
        self.guard.refusals.add((status, path))

    def new_page(self) -> Page:
        page = self.context.new_page()
        page.on("console", self.guard.on_console)
        page.on("pageerror", self.guard.on_page_error)
        return page


@pytest.fixture
def open_browser(browser: Browser, live_server: object) -> Iterator[Callable[..., Browsing]]:
    """``open_browser(locale="ru-RU")``: a fresh browser context on the live
    server (no cookies, no storage); its pages are guarded."""
    opened: list[Browsing] = []
    origin = str(live_server.url)  # type: ignore[attr-defined]

    def make(*, locale: str = "en-GB", viewport: tuple[int, int] = (1366, 768)) -> Browsing:
        context = browser.new_context(
            base_url=origin,
            locale=locale,
            viewport={"width": viewport[0], "height": viewport[1]},
        )
        context.set_default_timeout(10_000)
        guard = Guard(origin=origin)
        context.on("request", guard.on_request)
        context.on("response", guard.on_response)
        browsing = Browsing(context=context, guard=guard)
        opened.append(browsing)
        return browsing

    yield make
    problems = [p for b in opened for p in b.guard.problems()]
    for b in opened:
        # Let the server finish what the pages asked for before the context goes
        # and the test database is flushed: a request still running in the live
        # server's thread holds locks the flush waits for (a deadlock otherwise).
        for page in b.context.pages:
            with contextlib.suppress(PlaywrightError):
                page.wait_for_load_state("networkidle", timeout=5_000)
        b.context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def page(open_browser: Callable[..., Browsing]) -> Page:
    """One guarded page in a fresh English browser context."""
    return open_browser().new_page()


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    """``screenshot(page, "admin-login")`` writes var/screenshots/admin-login.png
    (``NGO_SCREENSHOT_DIR=docs/img`` refreshes the documentation's pictures)."""

    def take(page: Page, name: str) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=False)
        return path

    return take


def browser_storage(page: Page) -> str:
    """Everything the page's origin keeps in the browser, as one string:
    cookies, localStorage, sessionStorage, IndexedDB databases and Cache
    Storage entries (canary PII must appear in none)."""
    dump = page.evaluate(
        """async () => {
            const out = {local: {...localStorage}, session: {...sessionStorage}, idb: [], caches: []};
            if (indexedDB.databases) out.idb = (await indexedDB.databases()).map(d => d.name);
            if (self.caches) {
                for (const name of await caches.keys()) {
                    const cache = await caches.open(name);
                    for (const req of await cache.keys()) {
                        const res = await cache.match(req);
                        out.caches.push(req.url + ' ' + (res ? await res.text() : ''));
                    }
                }
            }
            return JSON.stringify(out);
        }"""
    )
    cookies = page.context.cookies()
    return dump + " " + " ".join(f"{c['name']}={c['value']}" for c in cookies)


def sign_in(page: Page, username: str, heading: str = "My cases") -> None:
    """Open the workspace and sign in with the test password; wait for the role's first screen."""
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
