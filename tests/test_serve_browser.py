"""`advisor serve` in a real browser: headless Chromium (Debian's package) answers questions and the
advice on the page changes. A screenshot of the page is kept in test-artifacts/.

The terminal in the page is drawn on a canvas, so the test reads what the app sends it instead: a script
installed before the page loads keeps the text of every frame the app writes to the browser's websocket.
Without Chromium, its driver or Selenium the test is skipped, and says which is missing."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,900",
]
WAIT_S = 60.0
"""Upper bound for the app to start or to show an answer's effect: a wait, not a timed assertion (a
busy 2-core machine starts the served process in a few seconds)."""

RECORD_FRAMES = r"""
window.advisorScreenText = "";
const NativeWebSocket = window.WebSocket;
const decoder = new TextDecoder();
window.WebSocket = function (url, protocols) {
  const socket = protocols === undefined ? new NativeWebSocket(url) : new NativeWebSocket(url, protocols);
  socket.addEventListener("message", (event) => {
    if (event.data instanceof ArrayBuffer) {
      window.advisorScreenText += decoder.decode(new Uint8Array(event.data), {stream: true});
    }
  });
  return socket;
};
window.WebSocket.prototype = NativeWebSocket.prototype;
Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
"""
TERMINAL_CONTROLS = re.compile(r"\x1b\[[0-9;?<>=]*[A-Za-z~]|\x1b[()][A-Z0-9]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.")


def _tool(*names: str) -> str | None:
    return next((found for name in names if (found := shutil.which(name))), None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """`advisor serve` on a free port, with its own draft folder; its URL."""
    port = _free_port()
    env = {**os.environ, "ADVISOR_STATE_DIR": str(tmp_path / "state")}
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "advisor", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://localhost:{port}/"
    try:
        deadline = time.monotonic() + WAIT_S
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as page:
                    assert b"textual-terminal" in page.read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"advisor serve did not start:\n{(tmp_path / 'serve.log').read_text()}")
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    chromium = _tool("chromium", "chromium-browser")
    driver_path = _tool("chromedriver")
    if chromium is None or driver_path is None:
        pytest.skip(
            "the browser test needs Debian's chromium and chromium-driver "
            f"(apt-get install chromium chromium-driver); missing: "
            f"{', '.join(n for n, p in (('chromium', chromium), ('chromedriver', driver_path)) if p is None)}"
        )
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("the browser test needs selenium (pip install -e '.[test]')")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_FRAMES})
        yield driver
    finally:
        driver.quit()


def _screen_text(driver: Any) -> str:
    """Everything the app has drawn so far, control sequences removed (a line break in their place)."""
    return TERMINAL_CONTROLS.sub("\n", driver.execute_script("return window.advisorScreenText") or "")


def _wait_for(driver: Any, text: str, after: int = 0) -> int:
    """Wait until `text` is drawn (after the first `after` characters); where its drawing ends."""
    deadline = time.monotonic() + WAIT_S
    while True:
        drawn = _screen_text(driver)
        found = drawn.find(text, after)
        if found >= 0:
            return found + len(text)
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} was not drawn; the page shows (last part):\n{drawn[-3000:]}")
        time.sleep(0.2)


def _press(driver: Any, *keys: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    for key in keys:
        ActionChains(driver).send_keys(key).perform()
        time.sleep(0.3)  # one key per frame, as a person types: the app reads each before the next


def _go_to_question(driver: Any, prompt: str) -> None:
    """Jump to a question through the command palette (ctrl+p), as a user who knows its prompt would."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    mark = len(_screen_text(driver))
    ActionChains(driver).key_down(Keys.CONTROL).send_keys("p").key_up(Keys.CONTROL).perform()
    _wait_for(driver, "Search for commands", mark)
    ActionChains(driver).send_keys(prompt).perform()
    _wait_for(driver, prompt, mark)
    time.sleep(1.5)  # the palette searches as it is typed; its best match comes first
    _press(driver, Keys.ENTER)
    time.sleep(1)  # the palette closes and the question takes the focus


def test_answers_given_in_the_browser_change_the_advice(served: str, browser: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    browser.get(served)
    start = _wait_for(browser, "No decision is in play yet.")
    _wait_for(browser, "Answered 0 of")
    browser.execute_script("document.querySelector('.xterm-helper-textarea').focus()")
    time.sleep(1)  # the focus reaches the app as an event of its own
    assert "Streaming ingestion service" not in _screen_text(browser)

    # The first question has the focus: which decisions -> streaming ingestion (the second choice).
    _press(browser, Keys.DOWN, " ")
    _go_to_question(browser, "How does the data arrive?")
    _press(browser, Keys.DOWN, " ")  # as a continuous stream of events
    undecided = _wait_for(browser, "Streaming ingestion service", start)
    _wait_for(browser, "undecided", undecided)
    _wait_for(browser, "Answered 2 of", start)

    _go_to_question(browser, "How large is the largest single message or record (KB)?")
    mark = len(_screen_text(browser))
    _press(browser, *"2048")
    _wait_for(browser, "Amazon MSK (provisioned)", mark)  # records above 1 MB: MSK is recommended
    _wait_for(browser, "Answered 3 of", mark)
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "serve-browser.png"))
