"""tests/page_offline.py: after one visit, the built page (dist/) opens and works with the network
cut, and installs as an app, in real headless Chromium; a newer build served later is noticed,
announced ("a new version is ready") and switched to only when the reader reloads.

    python3 tests/page_offline.py dist/

The page is served under a sub-path (/app/), as a course site would host it. The network cut is
the real thing: the server is shut down, so every request the service worker did not answer
would fail. Prints one line per check and closes with `N passed, N failed`.
"""
import functools
import http.server
import os
import re
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
import pagedriver  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
from checks import check, summary  # noqa: E402


class Site:
    """A static host on one loopback port that can be cut and brought back (the same origin,
    so the browser's service worker and storage stay the page's)."""

    def __init__(self):
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.httpd = None

    def serve(self, directory):
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        handler = functools.partial(Quiet, directory=directory)
        self.httpd = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def cut(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.httpd = None

    def url(self, path=""):
        return f"http://127.0.0.1:{self.port}/app/{path}"


def until(timeout, probe):
    end = time.time() + timeout
    while time.time() < end:
        value = probe()
        if value:
            return value
        time.sleep(0.1)
    return probe()


def caches(driver):
    """The page's caches: name -> the paths they hold."""
    return driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        (async () => {
            const out = {};
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                out[name] = (await cache.keys()).map(r => new URL(r.url).pathname);
            }
            done(out);
        })().catch(e => done({error: String(e)}));""")


def worker_version(driver):
    """The version of the service worker that controls the page, as it says itself."""
    return driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const controller = navigator.serviceWorker.controller;
        if (!controller) { done(null); return; }
        const channel = new MessageChannel();
        channel.port1.onmessage = e => done(e.data);
        controller.postMessage({type: 'keyspace:version'}, [channel.port2]);""")


def built_version(folder):
    text = open(os.path.join(folder, "service-worker.js")).read()
    return re.search(r'const VERSION = "([0-9a-f]{16})"', text).group(1)


def main():
    dist = sys.argv[1] if len(sys.argv) > 1 else "dist"
    files = sorted(
        os.path.relpath(os.path.join(d, f), dist).replace(os.sep, "/")
        for d, _, names in os.walk(dist) for f in names)
    check("the release build has its service worker, manifest and icons",
          {"service-worker.js", "manifest.webmanifest", "icons/icon-192.png",
           "icons/icon-512.png"} <= set(files), files)

    work = tempfile.mkdtemp(prefix="page-offline-")
    first, second = os.path.join(work, "first"), os.path.join(work, "second")
    shutil.copytree(dist, os.path.join(first, "app"))
    # The next build: one file changed (not one index.html names with an integrity digest),
    # its service worker written again by the build's hook.
    shutil.copytree(dist, os.path.join(second, "app"))
    with open(os.path.join(second, "app", "manifest.webmanifest"), "a") as f:
        f.write("\n")
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts/post-build.py"),
                    os.path.join(second, "app"), "release"], check=True, capture_output=True)
    old, new = built_version(os.path.join(first, "app")), built_version(os.path.join(second, "app"))
    check("a changed file makes a new version", old != new, (old, new))

    site = Site()
    site.serve(first)
    profile = os.path.join(work, "profile")
    driver = pagedriver.start_browser(profile=profile)
    driver.set_script_timeout(30)
    try:
        driver.get(site.url())
        pagedriver.wait_ready(driver)
        controlled = until(30, lambda: driver.execute_script(
            "return !!navigator.serviceWorker.controller"))
        check("after the first visit the service worker controls the page", controlled)
        stored = until(30, lambda: (lambda c: c if any(c.values()) else None)(caches(driver))) or {}
        check("one cache, named after the build's version",
              list(stored) == [f"keyspace-playground-{old}"], list(stored))
        held = sorted(p[len("/app/"):] for p in next(iter(stored.values()), []))
        want = sorted(f for f in files if f != "service-worker.js")
        check("it holds every file of the build", held == want,
              sorted(set(held) ^ set(want))[:10])

        manifest = driver.execute_cdp_cmd("Page.getAppManifest", {})
        check("the manifest parses without errors", manifest.get("url", "").endswith(
            "/app/manifest.webmanifest") and not manifest.get("errors"), manifest.get("errors"))
        installable = driver.execute_cdp_cmd("Page.getInstallabilityErrors", {})
        check("Chromium finds it installable as an app",
              installable.get("installabilityErrors") == [], installable)

        check("a key is set while online", pagedriver.reply(driver, "SET offline yes") == ["OK"])

        site.cut()
        try:
            urllib.request.urlopen(site.url(), timeout=2)
            cut = False
        except (urllib.error.URLError, OSError):
            cut = True
        check("the network is cut (the host refuses connections)", cut)

        driver.refresh()
        pagedriver.wait_ready(driver)
        check("with the network cut, the page reloads and the console answers",
              pagedriver.reply(driver, "PING") == ["PONG"])
        check("and the playground kept its keys", pagedriver.reply(driver, "GET offline") == ['"yes"'])
        # The built-in scenarios are files fetched when first needed: kept too.
        next(b for b in driver.find_elements(By.CSS_SELECTOR, "[role=tab]")
             if b.text == "Scenarios").click()
        listed = until(20, lambda: driver.find_elements(
            By.CSS_SELECTOR, ".sc-pick select option[value='pipelines']"))
        body = driver.find_element(By.TAG_NAME, "body").text
        check("the guide's scenarios open with the network cut",
              listed and "could not be downloaded" not in body, body[:300])
        next(b for b in driver.find_elements(By.CSS_SELECTOR, "[role=tab]")
             if b.text == "Console").click()
        driver.get(site.url("index.html?from=course"))
        pagedriver.wait_ready(driver)
        check("the page opens offline under another address of it too (index.html?…)",
              pagedriver.reply(driver, "DBSIZE") == ["(integer) 1"])
        check("no notice while nothing newer was seen",
              not driver.find_elements(By.CSS_SELECTOR, ".update-ready"))

        site.serve(second)
        driver.get(site.url())
        pagedriver.wait_ready(driver)
        notice = until(30, lambda: driver.find_elements(By.CSS_SELECTOR, ".update-ready"))
        check("back online with a newer build, the page says a new version is ready",
              notice and "new version" in notice[0].text, notice and notice[0].text)
        check("and still runs the version it opened with", worker_version(driver) == old,
              worker_version(driver))
        if notice:
            driver.execute_script("window.__before_reload = true")
            notice[0].find_element(By.TAG_NAME, "button").click()
            reloaded = until(30, lambda: driver.execute_script(
                "return window.__before_reload === undefined"))
            check("Reload reloads the page", reloaded)
            pagedriver.wait_ready(driver)
            switched = until(30, lambda: worker_version(driver) == new)
            check("Reload switches to the new version", switched, worker_version(driver))
            check("the old version's cache is gone",
                  until(30, lambda: list(caches(driver)) == [f"keyspace-playground-{new}"]),
                  list(caches(driver)))
            check("the notice is gone after the reload",
                  not driver.find_elements(By.CSS_SELECTOR, ".update-ready"))
            check("and the keys are still there", pagedriver.reply(driver, "GET offline") == ['"yes"'])
    finally:
        driver.quit()
        if site.httpd:
            site.cut()
        shutil.rmtree(work, ignore_errors=True)


main()
sys.exit(summary())
