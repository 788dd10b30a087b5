"""scripts/pagedriver.py: the built page (dist/) in headless Chromium through chromedriver
(selenium), for what looks at the page (scripts/bench-page, bench-clients, bench-page-persist,
screenshot, page-check; tests/page_reload.py): serve a directory on loopback, open it, type
into the console as a visitor does. Needs chromium, chromium-driver and selenium.
"""
import functools
import http.server
import socketserver
import sys
import threading
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

# Installed before the page's own scripts: records frame gaps and long tasks from the start.
PROBE = """
window.__probe = { frames: [], longtasks: [], appAt: null };
(function () {
  let last = null;
  function frame(t) {
    if (last !== null) window.__probe.frames.push([t, t - last]);
    last = t;
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
  try {
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) window.__probe.longtasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) {}
  new MutationObserver((_, obs) => {
    if (document.querySelector('.app .input-line')) {
      window.__probe.appAt = performance.now();
      obs.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
})();
"""


def serve(directory):
    """Serves `directory` on a free loopback port in a thread; returns the server."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=directory)
    httpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def wait(driver, what, timeout, check):
    end = time.time() + timeout
    while time.time() < end:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    sys.exit(f"bench-page: timed out waiting for {what}")


def until(driver, timeout, fn):
    """The first true value of `fn` within `timeout` seconds, else its last value (for a
    test to report, where `wait` ends the run)."""
    end = time.time() + timeout
    value = fn()
    while not value and time.time() < end:
        time.sleep(0.05)
        value = fn()
    return value


def js(driver, script, *args):
    return driver.execute_script(script, *args)


def type_line(driver, line, timeout=120, pane=1):
    """Types `line` into client pane `pane` (1 is the first), presses Enter and waits for its
    reply; returns the reply's printed lines."""
    scope = f'.pane[data-pane="{pane}"]'
    before = len(driver.find_elements(By.CSS_SELECTOR, f"{scope} .log .entry"))
    field = driver.find_element(By.CSS_SELECTOR, f"{scope} .input-line textarea")
    # Set at once (typing 100 KB key by key takes minutes), then Enter as a key press.
    driver.execute_script("arguments[0].value = arguments[1]", field, line)
    field.send_keys(Keys.ENTER)
    wait(driver, f"the reply to {line}", timeout, lambda: len(
        driver.find_elements(By.CSS_SELECTOR, f"{scope} .log .entry")) > before
        and not driver.find_elements(By.CSS_SELECTOR, f"{scope} .log .pending"))
    return driver.execute_script(
        "const e = document.querySelectorAll(arguments[0] + ' .log .entry');"
        "return [...e[e.length - 1].querySelectorAll('.line')].map(l => l.textContent);", scope)


def reply(driver, line, timeout=120, pane=1):
    """`type_line`'s reply without the echo of the line (the lines the page prints with the
    client's address first)."""
    return [t for t in type_line(driver, line, timeout, pane) if not t.startswith("127.0.0.1:")]


def worst_since(driver, since):
    return driver.execute_script("""
        const since = arguments[0];
        const frames = window.__probe.frames.filter(([t, d]) => t - d >= since);
        const tasks = window.__probe.longtasks.filter(([t, d]) => t >= since);
        return [Math.max(0, ...frames.map(f => f[1])), frames.length,
                Math.max(0, ...tasks.map(t => t[1]))];
    """, since)



def start_browser(size="1280,800", lang="en-US", profile=None):
    """Headless Chromium with the probe installed in every page it opens; `profile` is the
    user data directory (a fresh temporary one by default)."""
    options = webdriver.ChromeOptions()
    if profile:
        options.add_argument(f"--user-data-dir={profile}")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", f"--window-size={size}",
                 f"--lang={lang}", "--hide-scrollbars"):
        options.add_argument(flag)
    # navigator.language follows the accepted languages, not --lang, when headless.
    options.add_experimental_option("prefs", {"intl.accept_languages": lang})
    # The console's messages, for driver.get_log("browser") (scripts/page-check).
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PROBE})
    return driver


def wait_ready(driver):
    """Waits for the engine's worker to say it is ready (the console's status line empties)."""
    wait(driver, "the engine to start", 30, lambda: driver.execute_script(
        "const s = document.querySelector('.status');"
        "return s && s.textContent === '';"))


def open_page(directory, size="1280,800", lang="en-US"):
    """Serves `directory` and opens it with the probe installed; returns (driver, server) once
    the engine's worker said it is ready."""
    httpd = serve(directory)
    driver = start_browser(size, lang)
    driver.get(f"http://127.0.0.1:{httpd.server_address[1]}/")
    wait_ready(driver)
    return driver, httpd
