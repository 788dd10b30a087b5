"""tests/page_reload.py: the built page (dist/) keeps the playground across a reload, in real
headless Chromium, as a learner uses it: keys, TTLs, the config and the console history come
back; a damaged log is refused and the snapshot loads instead; dump.rdb goes to a real
redis-server and one written by a real redis-server comes in; a full storage quota is
reported; "Reset the playground" forgets it all; a share link opened over a kept playground
asks before replacing it; a base longer than one chunk, and the single-record base an older
build kept, load; a host that does not serve the built-in scenarios' files (fetched only when
first needed) gets a plain message on the Scenarios tab and a working console.

    python3 tests/page_reload.py dist/

Prints one line per check and closes with `N passed, N failed`.
"""
import base64
import zlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
import pagedriver  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

from checks import check, summary  # noqa: E402


def until(driver, what, timeout, check_fn):
    """The first true value of `check_fn` within `timeout` seconds, else None (and a failed
    check, rather than the end of the run)."""
    try:
        return pagedriver.wait(driver, what, timeout, check_fn)
    except SystemExit:
        check(f"waiting for {what}", False, "timed out")
        return None


def text(driver, selector):
    return driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';", selector)


def notes(driver):
    """Every line of the first pane's log."""
    return driver.execute_script(
        "return [...document.querySelectorAll('.pane[data-pane=\"1\"] .log .line')]"
        ".map(l => l.textContent);")


def kept(driver, records_at_least):
    """Waits until the Server tab says the log holds `records_at_least` writes (IndexedDB
    written), and returns the line ("a log of 1 write", "a log of 2 writes")."""
    def ready():
        line = text(driver, ".saved-kept")
        for word in line.split():
            if word.isdigit() and int(word) >= records_at_least and " write" in line:
                return line
        return None
    return pagedriver.wait(driver, f"{records_at_least} writes kept", 20, ready)


def confirm_upload(driver):
    """Answers the question an RDB file asks before it replaces the keyspace: load it."""
    pagedriver.wait(driver, "the question before loading", 10,
                    lambda: driver.find_elements(By.CSS_SELECTOR, ".saved-replace button.danger"))
    driver.find_element(By.CSS_SELECTOR, ".saved-replace button.danger").click()


def idb(driver, script):
    """Runs `script` (with `db`, the playground's IndexedDB, open) and waits for its `done()`."""
    return driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const open = indexedDB.open('keyspace-playground');
        open.onsuccess = () => { const db = open.result; """ + script + """ };
        open.onerror = () => done('open failed');
    """)


def records(driver, store):
    """How many records an object store of the playground's IndexedDB holds."""
    return idb(driver, f"""
        const r = db.transaction('{store}').objectStore('{store}').count();
        r.onsuccess = () => done(r.result);
        r.onerror = () => done(0);
    """)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def redis(directory, *args):
    """A real redis-server on `directory`; returns (process, port)."""
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--dir", directory, "--save", "", *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if cli(port, "PING") == "PONG":
            break
        time.sleep(0.05)
    return server, port


def cli(port, *args):
    result = subprocess.run(["redis-cli", "-p", str(port), *args], capture_output=True, text=True)
    return result.stdout.strip()


def full_quota(url, work):
    """A browser whose profile sits on a 16 MB file system: a 12 MB write fails with the
    browser's QuotaExceededError, and the page says so. Mounting needs root (as the page's
    own runs have); without it this part says it did not run."""
    profile = os.path.join(work, "small-profile")
    os.makedirs(profile)
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", profile],
                           capture_output=True, text=True)
    if mount.returncode != 0:
        print(f"not run: a full quota (mounting a small file system failed: {mount.stderr.strip()})")
        return
    driver = pagedriver.start_browser(profile=profile)
    try:
        driver.get(url)
        pagedriver.wait_ready(driver)
        # Random text, which IndexedDB's compression cannot shrink below the free space.
        value = base64.b64encode(os.urandom(9_000_000)).decode()
        pagedriver.type_line(driver, "SET big " + value, timeout=60)
        banner = until(driver, "the failure banner", 30, lambda: text(driver, ".saved-failed"))
        check("a full quota is reported in plain words",
              "the browser's storage for this page is full (QuotaExceededError)" in (banner or ""),
              banner)
        check("and the command still answered", pagedriver.reply(driver, "STRLEN big") == ["(integer) 12000000"])
        pagedriver.reply(driver, "DEL big")
        until(driver, "the banner to go", 30, lambda: not text(driver, ".saved-failed"))
        check("the next write that works clears it", not text(driver, ".saved-failed"))
    finally:
        driver.quit()
        subprocess.run(["umount", profile])


def scenarios_not_served(dist, work):
    """The page served without its `scenarios/` folder, as a host that lost it (or an offline
    visit with nothing cached) would: the console works, and the Scenarios tab says the guide's
    scenarios could not be downloaded and why, in place of the cards."""
    site = os.path.join(work, "no-scenarios")
    shutil.copytree(dist, site, ignore=shutil.ignore_patterns("scenarios"))
    driver, httpd = pagedriver.open_page(site)
    try:
        check("without the scenario files the console still answers",
              pagedriver.reply(driver, "PING") == ["PONG"])
        for b in driver.find_elements(By.TAG_NAME, "button"):
            if b.is_displayed() and b.text.strip() == "Scenarios":
                b.click()
                break
        said = until(driver, "the scenarios' message", 20, lambda: text(driver, ".sc-error"))
        check("and the Scenarios tab says they could not be downloaded, and why",
              "could not be downloaded" in (said or "")
              and "scenarios/cache-aside.toml: HTTP 404" in (said or ""), said)
    finally:
        driver.quit()
        httpd.shutdown()


def main():
    dist = sys.argv[1] if len(sys.argv) > 1 else "dist"
    work = tempfile.mkdtemp()
    downloads = os.path.join(work, "downloads")
    os.makedirs(downloads)
    httpd = pagedriver.serve(dist)
    url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    driver = pagedriver.start_browser()
    driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": downloads})
    try:
        driver.get(url)
        pagedriver.wait_ready(driver)
        # A first visit: nothing to restore, and nothing said about it.
        check("a first visit prints no restore note",
              not any("Restored" in n for n in notes(driver)), notes(driver))
        for line in ["SET a 1", "RPUSH l x y", "CONFIG SET maxmemory-policy allkeys-lru",
                     "DEBUG POPULATE 50 pop", "SAVE", "SET after-save yes",
                     "SET t gone PX 3000"]:
            pagedriver.type_line(driver, line)
        kept(driver, 2)
        # The page is closed while the TTL runs out.
        driver.get("about:blank")
        time.sleep(3.2)
        driver.get(url)
        pagedriver.wait_ready(driver)
        lines = pagedriver.wait(driver, "the restore note", 10, lambda: [
            n for n in notes(driver) if "Restored" in n or "expired" in n] or None)
        check("the reload restores the keys from the log",
              any("Restored from this browser: 53 keys, from the append-only log" in n
                  for n in lines), lines)
        check("the key that expired meanwhile is counted",
              any("Keys that expired while the page was closed: 1." in n for n in lines), lines)
        field = driver.find_element(By.CSS_SELECTOR, '.pane[data-pane="1"] .input-line textarea')
        field.send_keys(Keys.ARROW_UP)
        check("the console history came back",
              field.get_attribute("value") == "SET t gone PX 3000",
              field.get_attribute("value"))
        field.send_keys(Keys.ARROW_DOWN)
        check("GET a", pagedriver.reply(driver, "GET a") == ['"1"'])
        check("the expired key is gone", pagedriver.reply(driver, "EXISTS t") == ["(integer) 0"])
        check("DBSIZE", pagedriver.reply(driver, "DBSIZE") == ["(integer) 53"])
        check("the config came back",
              pagedriver.reply(driver, "CONFIG GET maxmemory-policy")
              == ['1) "maxmemory-policy"', '2) "allkeys-lru"'])

        # A second tab: the first keeps what is saved; the second says so and keeps nothing.
        first = driver.current_window_handle
        driver.switch_to.new_window("tab")
        driver.get(url)
        pagedriver.wait_ready(driver)
        said = until(driver, "the second tab's note", 10,
                     lambda: [n for n in notes(driver) if "Another tab" in n])
        check("a second tab says another tab keeps the playground", bool(said), notes(driver))
        check("and starts empty", pagedriver.reply(driver, "DBSIZE") == ["(integer) 0"])
        pagedriver.reply(driver, "SET from-second-tab 1")
        driver.close()
        driver.switch_to.window(first)
        check("the first tab's keyspace is its own",
              pagedriver.reply(driver, "EXISTS from-second-tab a") == ["(integer) 1"])

        # The keyspace goes to a real redis-server as dump.rdb.
        driver.find_element(By.XPATH, "//button[text()='Server']").click()
        driver.find_element(By.XPATH, "//button[text()='Download dump.rdb']").click()
        rdb = os.path.join(downloads, "dump.rdb")
        pagedriver.wait(driver, "the download", 20,
                        lambda: os.path.exists(rdb) and os.path.getsize(rdb) > 0)
        time.sleep(0.3)
        there = os.path.join(work, "there")
        os.makedirs(there)
        os.replace(rdb, os.path.join(there, "dump.rdb"))
        server, port = redis(there)
        check("real Redis loads the page's dump.rdb",
              (cli(port, "GET", "a"), cli(port, "DBSIZE"), cli(port, "LRANGE", "l", "0", "-1"))
              == ("1", "53", "x\ny"),
              (cli(port, "GET", "a"), cli(port, "DBSIZE")))
        # And a dump.rdb written by real Redis comes into the page.
        cli(port, "FLUSHALL")
        cli(port, "HSET", "from-redis", "f", "v")
        cli(port, "ZADD", "board", "1", "x", "2", "y")
        cli(port, "SAVE")
        server.terminate()
        server.wait()
        upload = driver.find_element(By.CSS_SELECTOR, ".saved-upload input")
        upload.send_keys(os.path.join(there, "dump.rdb"))
        asked = pagedriver.wait(driver, "the question before loading", 20,
                                lambda: "Load dump.rdb?" in text(driver, ".saved") and text(driver, ".saved"))
        check("loading an RDB asks before replacing the keys", "holds 53 keys now" in asked, asked)
        confirm_upload(driver)
        loaded = pagedriver.wait(driver, "the upload", 20,
                                 lambda: "Loaded" in text(driver, ".saved") and text(driver, ".saved"))
        check("an RDB written by real Redis loads in the page",
              "the keyspace now holds 2 keys" in loaded, loaded)
        driver.find_element(By.XPATH, "//button[text()='Console']").click()
        check("its keys answer",
              pagedriver.reply(driver, "HGET from-redis f") == ['"v"']
              and pagedriver.reply(driver, "EXISTS a") == ["(integer) 0"])
        # A file that is not an RDB is refused and nothing changes.
        bogus = os.path.join(work, "bogus.rdb")
        with open(bogus, "wb") as f:
            f.write(b"REDIS0010 not really")
        driver.find_element(By.XPATH, "//button[text()='Server']").click()
        driver.find_element(By.CSS_SELECTOR, ".saved-upload input").send_keys(bogus)
        confirm_upload(driver)
        refused = pagedriver.wait(driver, "the refusal", 20,
                                  lambda: "refused" in text(driver, ".saved") and text(driver, ".saved"))
        check("a damaged upload is refused in plain words", "as it was" in refused, refused)
        driver.find_element(By.XPATH, "//button[text()='Console']").click()
        check("the keyspace is as it was", pagedriver.reply(driver, "DBSIZE") == ["(integer) 2"])

        # A damaged log record: refused, the snapshot loads instead, the copy is kept.
        pagedriver.type_line(driver, "SAVE")
        pagedriver.type_line(driver, "SET unsaved 1")
        kept(driver, 1)
        damaged = idb(driver, """
            const tx = db.transaction('log', 'readwrite');
            const store = tx.objectStore('log');
            const req = store.openCursor(null, 'prev');
            req.onsuccess = () => {
                const c = req.result;
                const bytes = new Uint8Array(c.value);
                bytes[2] ^= 0x20;
                c.update(bytes);
            };
            tx.oncomplete = () => done('ok');
            tx.onerror = () => done('failed');
        """)
        check("the test damaged a log record", damaged == "ok", damaged)
        driver.refresh()
        pagedriver.wait_ready(driver)
        lines = pagedriver.wait(driver, "the damage note", 10, lambda: [
            n for n in notes(driver) if "damaged" in n or "Restored" in n] or None)
        check("the damaged log is reported in plain words",
              any("appendonly.aof.1.incr.aof was damaged and not loaded" in n
                  and "checksum" in n for n in lines), lines)
        check("the snapshot loaded instead",
              any("from dump.rdb" in n for n in lines), lines)
        check("what the snapshot held is there, the unsaved write is not",
              pagedriver.reply(driver, "EXISTS from-redis unsaved") == ["(integer) 1"])
        driver.find_element(By.XPATH, "//button[text()='Server']").click()
        check("the damaged copy is offered for download",
              "Download appendonly.aof.1.incr.aof" in text(driver, ".saved"), text(driver, ".saved"))
        driver.find_element(By.XPATH, "//button[text()='Console']").click()

        # Reset, after a confirmation.
        driver.find_element(By.XPATH, "//button[text()='Server']").click()
        driver.find_element(By.XPATH, "//button[text()='Reset the playground…']").click()
        check("reset asks first", "start afresh" in text(driver, ".saved-confirm"))
        focused = driver.switch_to.active_element
        check("the question has the focus on Cancel", focused.text == "Cancel", focused.text)
        focused.send_keys(Keys.ESCAPE)
        check("Esc cancels", not text(driver, ".saved-confirm"))
        driver.find_element(By.XPATH, "//button[text()='Reset the playground…']").click()
        driver.find_element(By.CSS_SELECTOR, ".saved-confirm button.danger").click()
        time.sleep(0.5)
        pagedriver.wait_ready(driver)
        driver.find_element(By.XPATH, "//button[text()='Console']").click()
        check("after a reset the keyspace is empty",
              pagedriver.reply(driver, "DBSIZE") == ["(integer) 0"])
        check("and the config is the page's",
              pagedriver.reply(driver, "CONFIG GET maxmemory-policy")
              == ['1) "maxmemory-policy"', '2) "noeviction"'])
        driver.refresh()
        pagedriver.wait_ready(driver)
        check("and stays so after another reload",
              pagedriver.reply(driver, "DBSIZE") == ["(integer) 0"])

        # A base longer than one chunk (512 KiB) is kept as one record per chunk, and comes
        # back whole.
        pagedriver.type_line(driver, "DEBUG POPULATE 60000", timeout=60)
        until(driver, "the base's chunks", 30, lambda: records(driver, "base") > 1)
        chunks = records(driver, "base")
        check("a base longer than a chunk is kept as several records", (chunks or 0) > 1, chunks)
        driver.refresh()
        pagedriver.wait_ready(driver)
        lines = pagedriver.wait(driver, "the restore note", 10, lambda: [
            n for n in notes(driver) if "Restored" in n] or None)
        check("and loads whole after a reload",
              any("Restored from this browser: 60000 keys, from the append-only log" in n
                  for n in lines), lines)
        check("its last key answers", pagedriver.reply(driver, "GET key:59999") == ['"value:59999"'])

        # What an older build kept (layout version 1: the base as one record of `files`, no
        # chunk stores) still loads: the database is rebuilt that way from a page of the same
        # origin that runs no worker, then the playground opens on it.
        pagedriver.reply(driver, "SET before-old-layout 1")
        kept(driver, 1)
        driver.get(url + "no-such-page")
        rebuilt = idb(driver, """
            const tx = db.transaction(['files', 'log', 'base']);
            const files = {}, log = [];
            let base = [];
            tx.objectStore('base').getAll().onsuccess = e => { base = e.target.result; };
            tx.objectStore('log').getAll().onsuccess = e => { log.push(...e.target.result); };
            const cursor = tx.objectStore('files').openCursor();
            cursor.onsuccess = () => {
                const c = cursor.result;
                if (c) { files[c.key] = c.value; c.continue(); }
            };
            tx.oncomplete = () => {
                db.close();
                const whole = new Uint8Array(base.reduce((n, b) => n + b.byteLength, 0));
                let at = 0;
                for (const b of base) { whole.set(new Uint8Array(b), at); at += b.byteLength; }
                files['appendonly.aof.base.rdb'] = whole;
                const gone = indexedDB.deleteDatabase('keyspace-playground');
                gone.onsuccess = () => {
                    const old = indexedDB.open('keyspace-playground', 1);
                    old.onupgradeneeded = () => {
                        old.result.createObjectStore('files');
                        old.result.createObjectStore('log', {autoIncrement: true});
                    };
                    old.onsuccess = () => {
                        const w = old.result.transaction(['files', 'log'], 'readwrite');
                        for (const [name, value] of Object.entries(files))
                            w.objectStore('files').put(value, name);
                        for (const record of log) w.objectStore('log').add(record);
                        w.oncomplete = () => { old.result.close(); done(`${base.length} chunks joined`); };
                        w.onerror = () => done('write failed');
                    };
                    old.onerror = () => done('reopen failed');
                };
                gone.onerror = () => done('delete failed');
            };
        """)
        check("the test rebuilt an older build's layout", "chunks joined" in str(rebuilt), rebuilt)
        driver.get(url)
        pagedriver.wait_ready(driver)
        lines = pagedriver.wait(driver, "the restore note", 10, lambda: [
            n for n in notes(driver) if "Restored" in n or "damaged" in n] or None)
        check("an older build's single-record base loads",
              any("Restored from this browser: 60001 keys, from the append-only log" in n
                  for n in lines), lines)
        check("with the log after it", pagedriver.reply(driver, "GET before-old-layout") == ['"1"'])
        pagedriver.reply(driver, "FLUSHALL")

        # A share link opens on a fresh playground: with one kept, the learner is asked first.
        pagedriver.reply(driver, "SET mine 1")
        kept(driver, 1)
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        packed = packer.compress(b"SET shared hello") + packer.flush()
        link = url + "#share/" + base64.urlsafe_b64encode(packed).decode().rstrip("=")
        driver.get("about:blank")
        driver.get(link)
        pagedriver.wait_ready(driver)
        question = until(driver, "the question", 10, lambda: text(driver, ".share-replace"))
        check("a link over a kept playground asks first",
              "replacing the one this browser kept (keys: 1;" in (question or ""), question)
        driver.find_element(By.XPATH, "//button[text()='Keep mine']").click()
        check("keeping it runs nothing from the link",
              pagedriver.reply(driver, "EXISTS mine shared") == ["(integer) 1"])
        driver.get("about:blank")
        driver.get(link)
        pagedriver.wait_ready(driver)
        until(driver, "the question", 10, lambda: text(driver, ".share-replace"))
        driver.find_element(By.XPATH, "//button[text()='Replace and replay']").click()
        time.sleep(0.5)
        pagedriver.wait_ready(driver)
        until(driver, "the replayed line", 10,
              lambda: any("SET shared hello" in n for n in notes(driver)))
        check("replacing it replays the link on a fresh playground",
              pagedriver.reply(driver, "MGET mine shared") == ["1) (nil)", '2) "hello"'])
    finally:
        driver.quit()
    full_quota(url, work)
    httpd.shutdown()
    scenarios_not_served(dist, work)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
