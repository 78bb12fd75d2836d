"""Browser tests: the real server in a background thread, driven by headless Chromium.

`LiveServer` runs `create_app(...)` under uvicorn on 127.0.0.1 at a port the OS picks
(the socket is bound first, so no other process can take it), and stops it cleanly.
`Browser` wraps a Selenium Chromium driver with waits that understand NiceGUI pages.
Use the fixtures (conftest makes them every module's): `browser` (one Chromium per worker
process), `server` (a fresh data home and server per test) and `page` (the browser pointed
at that server; it leaves for a blank page after the test).

The `server` fixture's servers take the same port one after another in a worker process,
so every test's pages come from one origin and Chromium's cache keeps NiceGUI's scripts
(about 2 MB, cached for a year) compiled: on a new origin a test's first page took 0.4–0.6 s
longer. What a page keeps on the client (cookies, storage) is cleared between tests.

The fixtures must be defined once: a session-scoped fixture assigned in each module is a
fixture per module, so every module started a Chromium kept until the session ended, its
last page retrying its connection to a server that was gone.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import uvicorn
from fastapi import FastAPI
from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from easy_dataset.config import Settings
from easy_dataset.server import create_app
from easy_dataset.services import App
from tests.db_template import seeded_home

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)
# Records window.alert/confirm/prompt instead of showing them: a fired XSS payload shows up.
ALERT_TRAP = """
window.__alerts = [];
for (const name of ['alert', 'confirm', 'prompt']) {
  window[name] = (message) => { window.__alerts.push(String(message)); };
}
"""
# Turns Quasar's transitions and animations (menus, dialogs, notifications: 0.3 s or more
# each) into instant changes. Vue then ends each transition at once, so a test no longer
# waits for one to finish before it clicks; it still waits for the same states.
NO_MOTION = """
new MutationObserver((_, observer) => {
  if (!document.head) return;
  observer.disconnect();
  const style = document.createElement('style');
  style.textContent = '*, *::before, *::after { transition-duration: 0s !important;'
    + ' transition-delay: 0s !important; animation-duration: 0s !important;'
    + ' animation-delay: 0s !important; }';
  document.head.appendChild(style);
}).observe(document, {childList: true, subtree: true});
"""
T = TypeVar("T")


class LiveServer:
    """`create_app` served by uvicorn from a background thread, for one data home."""

    def __init__(
        self,
        home: Path,
        *,
        run_jobs: bool = True,
        max_file_mb: float | None = None,
        token: str | None = None,
        bind_host: str = "127.0.0.1",
        allowed_hosts: tuple[str, ...] | None = None,
        port: int = 0,
    ) -> None:
        self.settings = Settings.load(
            home=seeded_home(home), max_file_mb=max_file_mb, allowed_hosts=allowed_hosts
        )
        self.app: FastAPI = create_app(
            self.settings, run_jobs=run_jobs, token=token, bind_host=bind_host
        )
        self.bind_host = bind_host
        family = socket.AF_INET6 if ":" in bind_host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._socket.bind((bind_host, port))
        except OSError:  # taken since the last server let it go: any port will do
            self._socket.bind((bind_host, 0))
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        host = f"[{self.bind_host}]" if ":" in self.bind_host else self.bind_host
        return f"http://{host}:{self.port}"

    @property
    def core(self) -> App:
        core: App = self.app.state.core
        return core

    def start(self, timeout: float = 30.0) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._socket.close()
        if self._thread.is_alive():
            raise RuntimeError("the test server did not stop")

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def chromium(*extra_args: str) -> webdriver.Chrome:
    """A headless Chromium; `extra_args` such as `--host-resolver-rules=MAP evil.test 127.0.0.1`."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (*CHROMIUM_ARGS, *extra_args):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    for script in (ALERT_TRAP, NO_MOTION):
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": script})
    return driver


# Vue's transition classes, which Quasar's dialogs, menus and notifications wear while they
# move.
TRANSITIONING = '[class*="-enter-active"],[class*="-leave-active"]'
# Every WebDriver command costs Chromium 5-8 ms of CPU, so a poll asks its whole question in
# one script. `shown` mirrors Selenium's is_displayed: rendered, not transparent or hidden,
# and with a size of its own or a child's. `_PICK` answers the first shown match of a CSS
# selector or an XPath (or the input inside it); for a click, only when enabled and while
# nothing moves (a click then may land where the button was a frame ago and be lost).
_PICK = """
const [query, xpath, forClick, moving, inner] = arguments;
const sized = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
const shown = (e) => e.checkVisibility({opacityProperty: true, visibilityProperty: true})
    && (sized(e) || [...e.querySelectorAll('*')].some(sized));
if (forClick && document.querySelector(moving) !== null) return null;
let found;
if (xpath) {
  const ordered = XPathResult.ORDERED_NODE_SNAPSHOT_TYPE;
  const all = document.evaluate(query, document, null, ordered, null);
  found = [];
  for (let i = 0; i < all.snapshotLength; i++) found.push(all.snapshotItem(i));
} else {
  found = document.querySelectorAll(query);
}
for (const e of found) {
  if (!shown(e)) continue;
  if (inner) return e.matches(inner) ? e : e.querySelector(inner);
  return forClick && e.disabled === true ? null : e;
}
return null;
"""


def _by_testid(testid: str) -> str:
    """The CSS selector of the elements marked `data-testid=testid`."""
    return f"[data-testid='{testid}']"


class Browser:
    """A Chromium driver with NiceGUI-aware helpers; `base` is the server's address."""

    def __init__(self, driver: webdriver.Chrome, base: str = "") -> None:
        self.driver = driver
        self.base = base

    def open(self, path: str) -> None:
        """Load a page and wait until its live connection to the server is up."""
        self.driver.get(self.base + path)
        self.wait(
            lambda: self.driver.execute_script("return window.did_handshake === true"),
            what=f"the page {path} to connect",
        )

    def wait(self, condition: Callable[[], T | None], *, timeout: float = 15, what: str = "") -> T:
        def check(_driver: Any) -> T | None:
            try:
                return condition()
            except (NoSuchElementException, StaleElementReferenceException):
                return None

        try:
            result: T = WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(check)
        except TimeoutException:
            raise AssertionError(
                f"timed out waiting for {what or condition}; the page read:\n{self._shown()}"
            ) from None
        return result

    def _shown(self) -> str:
        """The page's visible text, cut short, for a failure message."""
        try:
            shown = self.text()
        except WebDriverException:
            return "(the page could not be read)"
        return shown if len(shown) <= 3000 else shown[:3000] + " …"

    def _pick(
        self, query: str, *, xpath: bool = False, for_click: bool = False, inner: str = ""
    ) -> Any:
        """The first shown element `query` matches, or None (see `_PICK`)."""
        return self.driver.execute_script(_PICK, query, xpath, for_click, TRANSITIONING, inner)

    def find(self, testid: str, *, timeout: float = 15) -> WebElement:
        """The visible element marked `data-testid=testid`, once it is there."""
        selector = _by_testid(testid)
        found: WebElement = self.wait(
            lambda: self._pick(selector), timeout=timeout, what=f"[data-testid={testid}]"
        )
        return found

    def field(self, testid: str) -> WebElement:
        """The <input> or <textarea> inside a Quasar field marked `testid`."""
        selector = _by_testid(testid)
        found: WebElement = self.wait(
            lambda: self._pick(selector, inner="input, textarea"), what=f"a field in {selector}"
        )
        return found

    def type(self, testid: str, text: str, *, clear: bool = True) -> None:
        """Type `text` into a field, replacing what it held unless `clear` is False."""
        if not clear:
            self.field(testid).send_keys(text)
            return

        def replaced() -> bool:
            element = self.field(testid)
            # As a person would (Vue does not see Selenium's clear()): select all, delete,
            # type; Keys.NULL lets go of Control.
            element.send_keys(Keys.CONTROL, "a", Keys.NULL, Keys.DELETE, text)
            # An update the server sent before it heard of the deletion can put the old
            # value back between the keys; then the field is typed into again.
            return element.get_attribute("value") == text

        self.wait(replaced, what=f"{text!r} typed into [data-testid={testid}]")

    def paste(self, testid: str, text: str) -> None:
        """Replace a field's text at once (typing long text key by key is slow)."""
        element = self.field(testid)
        self.driver.execute_script(
            "const [field, text] = arguments;"
            "const proto = Object.getPrototypeOf(field);"
            "Object.getOwnPropertyDescriptor(proto, 'value').set.call(field, text);"
            "field.dispatchEvent(new Event('input', {bubbles: true}));",
            element,
            text,
        )

    def click(self, testid: str) -> None:
        """Click the element once it is there and enabled (again if it was re-rendered or
        covered): a click on a button the page has not enabled yet would do nothing."""

        selector = _by_testid(testid)
        self.wait(lambda: self._click(selector), what=f"a click on {selector}")

    def _click(self, query: str, *, xpath: bool = False) -> bool:
        element = self._pick(query, xpath=xpath, for_click=True)
        if element is None:
            return False
        try:
            element.click()
        except (ElementClickInterceptedException, ElementNotInteractableException):
            # Covered, or still coming in or going (a dialog's button): tried again.
            return False
        return True

    def click_text(
        self, text: str, *, timeout: float = 15, menu: bool = False, within: str = ""
    ) -> None:
        """Click the visible button or link whose text is `text`: with `menu`, the item of
        an open drop-down menu; with `within`, one inside the element of that test id."""
        if menu:
            xpath = (
                "//div[contains(@class,'q-menu')]//div[contains(@class,'q-item')"
                f" and normalize-space(.)='{text}']"
            )
        else:
            scope = f"//*[@data-testid='{within}']" if within else ""
            xpath = f"{scope}//*[(self::button or self::a) and normalize-space(.)='{text}']"

        self.wait(
            lambda: self._click(xpath, xpath=True),
            timeout=timeout,
            what=f"something to click named {text!r}",
        )

    def choose(self, testid: str, option: str) -> None:
        """Pick `option` in the Quasar select marked `testid`."""
        self.click(testid)
        self.click_text(option, menu=True)
        self.wait(
            lambda: not self.driver.find_elements(By.CSS_SELECTOR, ".q-menu"),
            what="the menu to close",
        )

    def wait_notices_gone(self) -> None:
        """Until no notification covers the foot of the page (each lasts a few seconds)."""
        self.wait(
            lambda: not self.driver.find_elements(By.CSS_SELECTOR, ".q-notification"),
            what="the notifications to go",
        )

    def text(self) -> str:
        return str(self.driver.execute_script("return document.body.innerText"))

    def wait_text(self, text: str, *, timeout: float = 15) -> None:
        self.wait(lambda: text in self.text(), timeout=timeout, what=f"the text {text!r}")

    def alerts(self) -> list[str]:
        return list(self.driver.execute_script("return window.__alerts || []"))


@pytest.fixture(scope="session")
def browser() -> Iterator[webdriver.Chrome]:
    driver = chromium()
    try:
        yield driver
    finally:
        driver.quit()


# The port the last `server` of this worker process listened on (see the module's docstring).
_last_port = 0


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    global _last_port
    with LiveServer(tmp_path / "home", port=_last_port) as live:
        _last_port = live.port
        yield live


@pytest.fixture
def page(browser: webdriver.Chrome, server: LiveServer) -> Iterator[Browser]:
    # The origin is an earlier test's: forget the language it chose and what it stored.
    browser.execute_cdp_cmd("Network.clearBrowserCookies", {})
    browser.execute_cdp_cmd(
        "Storage.clearDataForOrigin",
        {"origin": server.url, "storageTypes": "local_storage,session_storage,indexeddb"},
    )
    yield Browser(browser, server.url)
    # Leave while the server still runs: the page disconnects now instead of retrying
    # against a stopped server until the next test navigates.
    browser.get("about:blank")
