"""tests/page_learner.py: the built page (dist/) as a new learner and a teacher use it, in real
headless Chromium with the engine in its real Web Worker (what the in-page engine of the
wasm-bindgen tests cannot show): going from a scenario's step into the console and typing on,
TTLs counted on the engine's own clock, the player's keyboard, links pasted into an open tab,
files dropped anywhere, the console's Tab and Esc, a step shown right after its commands with
its wait passing visibly, the step's own keys first, presenter mode readable from the back of
a room, the first visit, the Server tab's field and chart, scripts that run long or forever
(SCRIPT KILL from another pane, or once one has written SHUTDOWN NOSAVE and a restart from the
kept state), the script editor and the Server tab's scripts and libraries (a library surviving
a reload), bitmaps, HyperLogLogs and geo sets in the inspector, streams (a pane blocked on
XREADGROUP, the XADD that wakes it in the Messages strip, the stream inspector's entries,
groups and pending entries, a million entries opened at once, the queue scenario), and the
wording.

    python3 tests/page_learner.py dist/

Prints one line per check and closes with `N passed, N failed`. Screenshots of presenter mode
are left in target/page-check/ for a person to look at.
"""
import base64
import os
import re
import sys
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
import pagedriver  # noqa: E402
from pagedriver import js, until  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

from checks import check, run_parts, summary  # noqa: E402
SHOTS = os.path.join(os.path.dirname(__file__), "..", "target", "page-check")

# Every id a pane's header ever showed, from the page's very start.
PANE_IDS = """
window.__paneIds = [];
new MutationObserver(() => {
  for (const e of document.querySelectorAll('.pane-id')) {
    const t = e.textContent;
    if (window.__paneIds[window.__paneIds.length - 1] !== t) window.__paneIds.push(t);
  }
}).observe(document, { childList: true, subtree: true, characterData: true });
"""


def text(driver, selector):
    return js(driver, "const e = document.querySelector(arguments[0]);"
                      "return e ? e.textContent : '';", selector)


def texts(driver, selector):
    return js(driver, "return [...document.querySelectorAll(arguments[0])]"
                      ".map(e => e.textContent);", selector)


def button(driver, label):
    """The visible button whose text holds `label` ("Back" is "‹ Back")."""
    for b in driver.find_elements(By.TAG_NAME, "button"):
        if b.is_displayed() and label in b.text:
            return b
    raise AssertionError(f"no button {label!r}")


def click(driver, label):
    button(driver, label).click()


class Page:
    """A fresh browser profile on the page, with a viewport of exactly `width`×`height`."""

    def __init__(self, url, width=1366, height=768, hash=""):
        self.url = url
        self.driver = pagedriver.start_browser(f"{width},{height}")
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PANE_IDS})
        self.size(width, height)
        self.driver.get(url + hash)
        pagedriver.wait_ready(self.driver)

    def size(self, width, height):
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def close(self):
        self.driver.quit()

    def reply(self, line, pane=1, timeout=20):
        return pagedriver.reply(self.driver, line, timeout, pane)

    def send(self, line, pane=1):
        """Types `line` and presses Enter without waiting for its reply."""
        field = self.field(pane)
        js(self.driver, "arguments[0].value = arguments[1]", field, line)
        field.send_keys(Keys.ENTER)

    def field(self, pane=1):
        return self.driver.find_element(
            By.CSS_SELECTOR, f'.pane[data-pane="{pane}"] .input-line textarea')

    def tab(self, name):
        click(self.driver, name)

    def position(self):
        return text(self.driver, ".sc-progress span")

    def at_step(self, wanted, timeout=10):
        return until(self.driver, timeout, lambda: self.position() == wanted)

    def open_scenario(self, id):
        """Opens a built-in scenario by its id with the picker, as a teacher does."""
        self.tab("Scenarios")
        until(self.driver, 10, lambda: self.driver.find_elements(
            By.CSS_SELECTOR, f".sc-pick select option[value='{id}']"))
        picker = Select(self.driver.find_element(By.CSS_SELECTOR, ".sc-pick select"))
        if picker.first_selected_option.get_attribute("value") == id:
            click(self.driver, "Restart")
        else:
            picker.select_by_value(id)
        until(self.driver, 10, lambda: self.position().startswith("Step 0")
              and js(self.driver, "return location.hash").startswith(f"#scenario/{id}/"))

    def steps(self, n):
        for _ in range(n):
            before = self.position()
            click(self.driver, "Next")
            until(self.driver, 10, lambda: self.position() != before)

    def keys(self):
        """The scenario keyspace's rows: (key, ttl, change label)."""
        return js(self.driver, """return [...document.querySelectorAll('.sc-key')].map(r => [
            r.querySelector('.key').textContent.replace('●', ''),
            r.querySelector('.sc-ttl').textContent,
            (r.querySelector('.sc-badge') || {textContent: ''}).textContent]);""")

    def press(self, key):
        ActionChains(self.driver).send_keys(key).perform()


def continue_in_the_console(url):
    page = Page(url)
    d = page.driver
    try:
        page.open_scenario("sessions")
        page.steps(2)
        click(d, "Continue in the console")
        check("an empty console is replaced without a question",
              until(d, 10, lambda: js(d, "return !document.querySelector('.panes').hidden")))
        got = page.reply("TTL session:9f2c", timeout=10)
        check("after Continue, a typed line gets its reply", got[:1] == ["(integer) 3600"]
              or got[:1] == ["(integer) 3599"], got)
        check("and the next line too", page.reply("EXISTS session:a71e") == ["(integer) 1"])
        # The panel counts down on the engine's clock (the scenario's), not the browser's.
        ttl = until(d, 10, lambda: js(d, """
            const row = [...document.querySelectorAll('.key-row')]
                .find(r => r.textContent.includes('session:9f2c'));
            return row && row.querySelector('.ttl .left').textContent;"""))
        check("the TTL column shows the hour left", (ttl or "").startswith("59 m"), ttl)
        fill = js(d, """const row = [...document.querySelectorAll('.key-row')]
            .find(r => r.textContent.includes('session:9f2c'));
            return parseFloat(row.querySelector('.ttl .fill').style.width);""")
        check("with a full bar", fill is not None and fill > 90, fill)
        d.refresh()
        pagedriver.wait_ready(d)
        ttl = until(d, 10, lambda: js(d, """
            const row = [...document.querySelectorAll('.key-row')]
                .find(r => r.textContent.includes('session:9f2c'));
            return row && row.querySelector('.ttl .left').textContent;"""))
        check("and still after a reload", (ttl or "").startswith("59 m"), ttl)

        # A console with keys is not replaced without asking.
        page.reply("SET mine 1")
        page.open_scenario("cache-aside")
        page.steps(1)
        click(d, "Continue in the console")
        question = until(d, 10, lambda: text(d, ".sc-continue-question"))
        check("a console with keys asks first", "its 3 keys" in question, question)
        check("the question has the focus on the harmless answer",
              js(d, "return document.activeElement.textContent") == "Keep my console")
        page.press(Keys.ESCAPE)
        check("Esc keeps the console",
              until(d, 5, lambda: not text(d, ".sc-continue-question")))
        page.tab("Console")
        check("which still holds its keys", page.reply("EXISTS mine") == ["(integer) 1"])
        page.tab("Scenarios")
        click(d, "Continue in the console")
        until(d, 10, lambda: text(d, ".sc-continue-question"))
        click(d, "Replace and continue")
        until(d, 10, lambda: js(d, "return !document.querySelector('.panes').hidden"))
        check("replacing it continues the scenario",
              page.reply("EXISTS mine user:123") == ["(integer) 0"])
    finally:
        page.close()


def keyboard_in_the_player(url):
    page = Page(url)
    d = page.driver
    try:
        page.tab("Scenarios")
        until(d, 10, lambda: d.find_elements(By.CSS_SELECTOR, ".sc-pick select option[value=lock]"))
        Select(d.find_element(By.CSS_SELECTOR, ".sc-pick select")).select_by_value("lock")
        until(d, 10, lambda: page.position() == "Step 0 of 12")
        page.press(Keys.ARROW_RIGHT)
        check("→ after picking a scenario steps it", page.at_step("Step 1 of 12"), page.position())
        check("and the scenario stays the one picked",
              js(d, "return document.querySelector('.sc-pick select').value") == "lock")
        Select(d.find_element(By.CSS_SELECTOR, ".sc-speed select")).select_by_value("2")
        page.press(Keys.ARROW_RIGHT)
        check("→ after changing the speed steps", page.at_step("Step 2 of 12"), page.position())
        check("and the speed stays",
              js(d, "return document.querySelector('.sc-speed select').value") == "2")
        click(d, "Next")
        page.at_step("Step 3 of 12")
        page.press(Keys.SPACE)
        time.sleep(0.6)
        check("Space on the focused Next steps once", page.position() == "Step 4 of 12",
              page.position())
        check("and does not start Play",
              js(d, "return document.querySelector('.sc-play').getAttribute('aria-pressed')")
              == "false")
    finally:
        page.close()


def share_hash(line):
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(line.encode()) + packer.flush()
    return "#share/" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def links_into_an_open_tab(url):
    page = Page(url)
    d = page.driver
    try:
        js(d, "location.hash = '#scenario/cache-aside/3'")
        check("a scenario link pasted into the open tab opens its step",
              page.at_step("Step 3 of 7"), page.position())
        length = js(d, "return history.length")
        click(d, "Next")
        page.at_step("Step 4 of 7")
        check("the address follows the step shown",
              until(d, 5, lambda: js(d, "return location.hash") == "#scenario/cache-aside/4"),
              js(d, "return location.hash"))
        check("without new history entries", js(d, "return history.length") == length)
        page.tab("Console")
        check("the console's address has no scenario in it",
              until(d, 5, lambda: js(d, "return location.hash") == ""))
        js(d, "location.hash = arguments[0]", share_hash("SET shared hello"))
        check("a share link pasted into the open tab replays",
              until(d, 10, lambda: any("SET shared hello" in t for t in texts(d, ".line"))))
        check("and leaves the address once replayed",
              until(d, 5, lambda: js(d, "return location.hash") == ""))
        js(d, "location.hash = arguments[0]", share_hash("SET again 1"))
        question = until(d, 10, lambda: text(d, ".share-replace"))
        check("a link over keys typed since asks first", "Replace" in d.page_source and question,
              question)
    finally:
        page.close()


def blocked_command(url):
    page = Page(url)
    d = page.driver
    try:
        page.send("BLPOP jobs 0")
        # "(running…)" until the worker's answer says the client blocked.
        pending = until(d, 10, lambda: "blocked" in text(d, ".pending") and text(d, ".pending"))
        check("a blocked BLPOP says it is blocked",
              "blocked" in pending and "BLPOP" in pending and "command before" not in pending,
              pending)
        page.send("PING")
        time.sleep(0.3)
        check("a line typed behind it waits for the command before",
              "waiting for the command before" in texts(d, ".pending")[-1], texts(d, ".pending"))
    finally:
        page.close()


def scripts_in_the_console(url):
    page = Page(url)
    d = page.driver
    try:
        check("a short EVAL answers at once",
              page.reply('EVAL "return redis.call(\'INCRBY\', KEYS[1], ARGV[1])" 1 hits 5')
              == ["(integer) 5"], texts(d, ".log .entry .line"))
        # A script over several lines (Shift+Enter) is one EVAL, not a pipeline of its lines.
        field = page.field()
        field.send_keys('EVAL "local n = 0', Keys.SHIFT, Keys.ENTER, Keys.NULL,
                        'for i = 1, 3 do n = n + i end', Keys.SHIFT, Keys.ENTER, Keys.NULL,
                        'return n" 0')
        check("Shift+Enter inside a script's quotes goes on with the script",
              js(d, "return arguments[0].value", field).count("\n") == 2)
        field.send_keys(Keys.ENTER)
        lines = until(d, 10, lambda: (lambda lines: lines[0].startswith("127.0.0.1:6379> EVAL")
                                      and lines)(texts(d, '.pane[data-pane="1"] .log .entry .line')[-2:]))
        check("and Enter runs it as one EVAL, echoed on one line as redis-cli would need it",
              lines == ['127.0.0.1:6379> EVAL "local n = 0\\nfor i = 1, 3 do n = n + i end\\nreturn n" 0',
                        "(integer) 6"], lines)
        # A loop of tens of millions of instructions runs in slices over the page's ticks.
        long_loop = 'EVAL "local n = 0 for i = 1, 20000000 do n = n + 1 end return n" 0'
        check("a long EVAL answers in its pane", page.reply(long_loop, timeout=120)
              == ["(integer) 20000000"], texts(d, ".log .entry .line")[-3:])
        # A runaway script: the page stays usable, another pane stops it with SCRIPT KILL once
        # Redis would answer it (past busy-reply-threshold, 5 s), and the first pane says so.
        click(d, "+ Add a client")
        until(d, 10, lambda: d.find_elements(By.CSS_SELECTOR, '.pane[data-pane="2"] textarea'))
        page.send('EVAL "while true do end" 0')
        time.sleep(0.5)
        check("the runaway script's pane waits",
              bool(d.find_elements(By.CSS_SELECTOR, '.pane[data-pane="1"] .log .pending')))
        started = time.time()
        busy = page.reply("PING", pane=2, timeout=30)
        check("another pane is answered BUSY once the script runs past the threshold",
              busy and busy[0].startswith("(error) BUSY") and time.time() - started > 3, busy)
        said = text(d, '.pane[data-pane="1"] .log .pending')
        check("the pane says a script runs and how to stop it", "running a script" in said, said)
        click(d, "Stop: SCRIPT KILL in client " + text(d, '.pane[data-pane="2"] .pane-id').lstrip("id="))
        check("its Stop button types SCRIPT KILL in the other pane, answered OK",
              until(d, 20, lambda: "OK" in texts(d, '.pane[data-pane="2"] .log .entry .line')[-1:]))
        ended = until(d, 20, lambda: not d.find_elements(
            By.CSS_SELECTOR, '.pane[data-pane="1"] .log .pending') and texts(
            d, '.pane[data-pane="1"] .log .entry .line'))
        check("the first pane says the script was killed",
              any("Script killed by user with SCRIPT KILL" in t for t in ended or []), ended)
        check("and its client goes on", page.reply("GET hits") == ['"5"'])
    finally:
        page.close()


def unkillable_script_restart(url):
    page = Page(url)
    d = page.driver
    try:
        page.reply("SET before 1")
        click(d, "+ Add a client")
        until(d, 10, lambda: d.find_elements(By.CSS_SELECTOR, '.pane[data-pane="2"] textarea'))
        other = text(d, '.pane[data-pane="2"] .pane-id').lstrip("id=")
        # It counts for a while (SCRIPT KILL still stops it), then writes and runs on.
        page.send("EVAL \"local n = 0 while n < 40000000 do n = n + 1 end "
                  "redis.call('SET', 'k', 'v') while true do end\" 0")
        stop = '.pane[data-pane="1"] .log .pending button.stop-script'
        first = until(d, 10, lambda: text(d, stop))
        check("before the script writes, Stop offers SCRIPT KILL",
              first == f"Stop: SCRIPT KILL in client {other}", first)
        # Focused from the keyboard's side, the button keeps the focus as its offer changes.
        js(d, "document.querySelector(arguments[0]).focus()", stop)
        offer = until(d, 60, lambda: "SHUTDOWN NOSAVE" in text(d, stop) and text(d, stop))
        check("once it has written, Stop offers a restart from the kept state",
              offer == f"Stop and restart from the kept state (SHUTDOWN NOSAVE in client {other}): "
                       "the script's writes are lost", offer)
        said = text(d, '.pane[data-pane="1"] .log .pending')
        check("and the running line says SCRIPT KILL cannot stop it", "UNKILLABLE" in said, said)
        check("the button kept the keyboard's focus",
              js(d, "return document.activeElement === document.querySelector(arguments[0])", stop))
        check("SCRIPT KILL typed in the other pane is refused UNKILLABLE",
              page.reply("SCRIPT KILL", pane=2, timeout=30)[0].startswith("(error) UNKILLABLE"))
        js(d, "document.querySelector(arguments[0]).focus()", stop)
        ActionChains(d).send_keys(Keys.ENTER).perform()
        log2 = '.pane[data-pane="2"] .log .entry .line'
        check("Enter on it types SHUTDOWN NOSAVE in the other pane, as a learner would",
              until(d, 10, lambda: "127.0.0.1:6379> SHUTDOWN NOSAVE" in texts(d, log2)), texts(d, log2))
        restarted = "The server stopped (SHUTDOWN) and started again from the state this browser keeps"
        log1 = '.pane[data-pane="1"] .log .entry .line'
        ended = until(d, 30, lambda: any(restarted in t for t in texts(d, log1)) and texts(d, log1))
        check("the script's pane loses its connection, and says the server restarted on the kept state",
              ended and "Error: Server closed the connection" in ended
              and any("1 key, from the append-only log" in t for t in ended), ended)
        check("so does the other pane", any(restarted in t for t in texts(d, log2)), texts(d, log2))
        check("no pane runs a script any more",
              until(d, 10, lambda: not d.find_elements(By.CSS_SELECTOR, ".log .pending")))
        check("the pane answers again: the script's key is gone, the key before it is kept",
              page.reply("EXISTS k") == ["(integer) 0"] and page.reply("GET before") == ['"1"'])
        check("and the other pane too", page.reply("PING", pane=2) == ["PONG"])
        click(d, "Server")
        logged = until(d, 10, lambda: "Ready to accept connections" in texts(d, ".server-log .log-text")[-1:]
                       and texts(d, ".server-log .log-text"))
        check("the server's log has the shutdown, then the start",
              logged and logged.index("User requested shutdown...")
              < logged.index("Redis is now ready to exit, bye bye...")
              < len(logged) - 1 - logged[::-1].index("DB loaded from append only file"), logged)
    finally:
        page.close()


def monitor_tracking_and_pause(url):
    page = Page(url)
    d = page.driver
    log = lambda pane: texts(d, f'.pane[data-pane="{pane}"] .log .line')
    badges = lambda pane: texts(d, f'.pane[data-pane="{pane}"] .badges .badge')
    try:
        page.reply("PING")
        click(d, "+ MONITOR")
        shown = until(d, 10, lambda: "OK" in log(2) and log(2))
        check("+ MONITOR opens a pane that runs MONITOR as if typed",
              shown and "127.0.0.1:6379> MONITOR" in shown, shown)
        check("its header says it is a monitor",
              until(d, 10, lambda: "MONITOR: every command of every client" in badges(2)), badges(2))
        page.reply("SET greeting hello")
        monitored = lambda: [l for l in log(2) if re.fullmatch(r'\d{10}\.\d{6} \[.*', l)]
        line = until(d, 10, monitored)
        check("a command in another pane reaches it as redis-server's MONITOR prints it",
              line and re.fullmatch(r'\d{10}\.\d{6} \[0 127\.0\.0\.1:5\d{4}\] "SET" "greeting" "hello"', line[0]),
              line)
        time.sleep(0.5)
        check("and nothing of the page's own reads (the keyspace panel showed the key)",
              len(monitored()) == 1, log(2))

        click(d, "+ Add a client")
        until(d, 10, lambda: d.find_elements(By.CSS_SELECTOR, '.pane[data-pane="3"] textarea'))
        page.reply("HELLO 3", pane=3)
        check("CLIENT TRACKING ON in a RESP3 pane", page.reply("CLIENT TRACKING ON", pane=3) == ["OK"])
        page.reply("GET greeting", pane=3)
        check("its header lists the keys Redis remembers it read",
              until(d, 10, lambda: "tracking: greeting" in badges(3)), badges(3))
        page.reply("SET greeting hi")
        check("another pane's write reaches it as redis-cli prints an invalidation",
              until(d, 10, lambda: "-> invalidate: 'greeting'" in log(3)), log(3))
        flow = until(d, 10, lambda: d.find_elements(By.CSS_SELECTOR, ".flow.invalidation"))
        check("and the Messages strip draws the write going to the tracking client",
              flow and "greeting" in flow[0].text and "client 3" in flow[0].text,
              flow and flow[0].text)

        page.reply("CLIENT PAUSE 2000 WRITE")
        page.send("SET paused 1", pane=3)
        held = until(d, 10, lambda: [b for b in badges(3) if b.startswith("paused")])
        check("a write held by CLIENT PAUSE: its pane's header says so",
              held == ["paused · SET (CLIENT PAUSE WRITE)"], held)
        check("and its waiting line names the pause",
              "CLIENT PAUSE WRITE holds SET" in text(d, '.pane[data-pane="3"] .pending'))
        check("it runs when the pause ends",
              until(d, 10, lambda: not d.find_elements(By.CSS_SELECTOR, '.pane[data-pane="3"] .pending'))
              and log(3)[-1] == "OK", log(3)[-3:])

        page.reply("CLIENT REPLY OFF")
        check("CLIENT REPLY OFF: the header says its lines get no reply",
              until(d, 10, lambda: "replies off: CLIENT REPLY ON turns them back on" in badges(1)),
              badges(1))
        check("and a line ends at once, without a reply", page.reply("SET quiet 1") == [])
        check("CLIENT REPLY ON answers again", page.reply("CLIENT REPLY ON") == ["OK"])

        page.open_scenario("client-side-cache")
        page.steps(1)
        click(d, "MONITOR · 1 command")
        lines = until(d, 10, lambda: texts(d, ".sc-monitor-lines li"))
        check("the player shows the step's commands as MONITOR prints them",
              lines and lines[0].endswith('] "CLIENT" "TRACKINGINFO"'), lines)
        page.tab("Console")
        page.reply("DEBUG SEGFAULT")
        notice = until(d, 20, lambda: text(d, ".failure"))
        check("DEBUG SEGFAULT ends the worker as it ends redis-server, with its report",
              notice and "crashed by signal: 11" in notice, notice)
        click(d, "Reset")
        restored = until(d, 30, lambda: [l for l in log(1) if l.startswith("Restored from this browser")])
        check("Reset starts a server again, on what the browser kept (the append-only log)",
              restored and "3 keys, from the append-only log" in restored[0], restored)
        pong = page.reply("PING", timeout=30)
        check("and it answers", pong == ["PONG"], pong)
    finally:
        page.close()


DROP = """
const [name, bytes] = [arguments[0], arguments[1]];
const data = new DataTransfer();
data.items.add(new File([new Uint8Array(bytes)], name));
const target = document.querySelector(arguments[2]);
for (const type of ['dragenter', 'dragover', 'drop']) {
  target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
}
"""


def dropped_files(url):
    page = Page(url)
    d = page.driver
    try:
        scenario = open(os.path.join(os.path.dirname(__file__), "..", "crates", "scenarios",
                                     "scenarios", "counters.toml"), "rb").read()
        js(d, DROP, "counters.toml", list(scenario), ".console")
        check("a scenario dropped on the console opens in the player",
              until(d, 10, lambda: "the race INCR avoids" in text(d, ".sc-title")),
              text(d, ".sc-title"))
        broken = scenario.replace(b'client = "web-2"', b'client = "web-3"', 1)
        js(d, DROP, "broken.toml", list(broken), ".scenario")
        error = until(d, 10, lambda: text(d, ".sc-error-text"))
        check("a file's mistake names its step", "step " in error and "line " in error, error)
        page.tab("Console")
        page.reply("SET before-rdb 1")
        # An empty RDB (version 10, no checksum).
        rdb = list(b"REDIS0010\xff" + bytes(8))
        js(d, DROP, "dump.rdb", rdb, ".console")
        question = until(d, 10, lambda: text(d, ".saved-replace"))
        check("an RDB file dropped on the console asks before replacing the keyspace",
              "dump.rdb" in question, question)
        click(d, "Load and replace")
        check("and loads it when told",
              until(d, 10, lambda: "now holds 0 keys" in text(d, ".saved")), text(d, ".saved"))
        js(d, DROP, "notes.txt", list(b"hello"), ".server")
        refused = until(d, 10, lambda: text(d, ".drop-refused"))
        check("any other file is refused with a word", "notes.txt" in refused, refused)
        check("and the page stays the playground", "127.0.0.1" in d.current_url)
    finally:
        page.close()


def tab_and_escape(url):
    page = Page(url)
    d = page.driver
    try:
        field = page.field()
        field.send_keys("SE", Keys.TAB)
        check("Tab before the suggestions arrive keeps the focus in the line",
              js(d, "return document.activeElement === arguments[0]", field))
        check("and completes once they do",
              until(d, 5, lambda: field.get_attribute("value").startswith("SET")),
              field.get_attribute("value"))
        js(d, "arguments[0].value = ''", field)
        field.send_keys(Keys.CONTROL, "u")
        click(d, "Docs")
        field.send_keys("GET")
        run = until(d, 5, lambda: [b for b in d.find_elements(By.CSS_SELECTOR, ".docs-example button")
                                   if b.is_displayed()])
        run[0].click()
        page.press(Keys.ESCAPE)
        check("Esc closes the docs after its Run was clicked",
              until(d, 5, lambda: js(d, "return document.querySelector('.docs-panel').hidden")))
        click(d, "History")
        check("History opens", until(d, 5, lambda: d.find_elements(By.CSS_SELECTOR, ".history-list")))
        page.press(Keys.ESCAPE)
        check("Esc closes History while its button has the focus",
              until(d, 5, lambda: not d.find_elements(By.CSS_SELECTOR, ".history-list")))
    finally:
        page.close()


def steps_show_their_own_state(url):
    page = Page(url)
    d = page.driver
    try:
        page.open_scenario("cache-aside")
        page.steps(3)
        row = [r for r in page.keys() if r[0] == "user:123"]
        check("a step shows the key right after its SETEX, with its whole TTL",
              row and row[0][1] == "5 m 00 s" and "created" in row[0][2], row)
        check("and the clock before the wait", text(d, ".sc-clock").endswith("+80ms"),
              text(d, ".sc-clock"))
        check("the wait to come is said", "2m 00s" in text(d, ".sc-wait"), text(d, ".sc-wait"))
        page.steps(3)
        row = [r for r in page.keys() if r[0] == "user:123"]
        check("a refilled key is created at its step, not expired", row and "created" in row[0][2],
              row)
        page.steps(1)
        row = [r for r in page.keys() if r[0] == "user:123"]
        check("and expired at the next", row and "expired" in row[0][2], row)
        # Play: the wait passes visibly, the clock running.
        click(d, "Restart")
        page.at_step("Step 0 of 7")
        Select(d.find_element(By.CSS_SELECTOR, ".sc-speed select")).select_by_value("3")
        page.steps(3)
        click(d, "Play")
        seen = set()
        end = time.time() + 8
        while time.time() < end and page.position() != "Step 5 of 7":
            seen.add(text(d, ".sc-clock"))
            time.sleep(0.05)
        # Before the wait the clock reads +80ms, after it +2m 00s: it showed times between.
        between = [c for c in seen if c.endswith("s") and not c.endswith(("+80ms", "+2m 00s"))]
        check("while playing, the wait's clock runs between the steps", len(between) >= 3,
              sorted(seen))
        click(d, "Pause")
        page.open_scenario("sessions")
        page.steps(4)
        row = [r for r in page.keys() if r[0] == "session:9f2c"]
        check("a renewed session shows its full hour", row and row[0][1] == "1 h 00 m", row)
    finally:
        page.close()


def the_steps_keys(url):
    page = Page(url)
    d = page.driver
    try:
        page.open_scenario("hot-posts")
        page.steps(4)
        first = [r[0] for r in page.keys()[:3]]
        check("the keys the step is about come first", all(k.startswith("hot_posts:") for k in first),
              first)
        check("and are marked", len(d.find_elements(By.CSS_SELECTOR, ".sc-key.named")) == 3)
        filt = d.find_element(By.CSS_SELECTOR, ".sc-filter")
        filt.send_keys("post:likes:19?")
        check("the filter lists only its keys",
              until(d, 5, lambda: len(page.keys()) == 10
                    and all(k[0].startswith("post:likes:19") for k in page.keys())),
              page.keys()[:3])
        d.find_elements(By.CSS_SELECTOR, ".sc-key")[0].click()
        check("a key opens in the inspector",
              until(d, 5, lambda: text(d, ".sc-keys .inspector .inspect-key").startswith("post:likes:19")))
        page.press(Keys.ESCAPE)
        check("Esc closes it", until(d, 5, lambda: not d.find_elements(By.CSS_SELECTOR, ".sc-keys .inspector")))
        page.steps(1)
        commands = texts(d, ".sc-line")
        check("scan_iter's walk repeats the same SCAN to cursor 0",
              len(commands) == 20 and not any("COUNT 10000" in c for c in commands), commands[:2])
        page.open_scenario("maxmemory")
        page.steps(5)
        evicted = [r for r in page.keys() if "evicted" in r[2]]
        check("thousands of evictions list a few, the rest counted",
              len(evicted) <= 12 and "more removed" in text(d, ".sc-keys"), len(evicted))
        check("after the step's own keys", page.keys()[0][0] in (
            "cache:7", "cache:42", "cache:1999", "session:9f2c", "session:a71e", "session:c03b",
            "trending:post"), page.keys()[0])
        page.open_scenario("monitoring")
        page.steps(2)
        cited = texts(d, ".sc-run .line.cited")
        check("the INFO fields the narration cites are marked",
              any(c.startswith("keyspace_hits:") for c in cited)
              and any(c.startswith("keyspace_misses:") for c in cited), cited)
        page.steps(2)
        slowlog = " ".join(texts(d, ".sc-run .line"))
        check("SLOWLOG shows the client's address and name",
              '"monitor"' in slowlog and '"127.0.0.1:' in slowlog, slowlog[:200])
        page.open_scenario("security")
        page.steps(6)
        check("the security narration reads right",
              "Writing is no" not in text(d, ".sc-say") and "SET is a write command" in text(d, ".sc-say"))
    finally:
        page.close()


def font_px(driver, selector):
    return js(driver, "const e = document.querySelector(arguments[0]);"
                      "return e ? parseFloat(getComputedStyle(e).fontSize) : 0;", selector)


def visible_in_scroller(driver, selector, last=False):
    """Whether the first (or last) element matching `selector` is on screen, inside its
    scrolling parents."""
    return js(driver, """
        const all = document.querySelectorAll(arguments[0]);
        const e = all[arguments[1] ? all.length - 1 : 0];
        if (!e) return false;
        const r = e.getBoundingClientRect();
        let p = e.parentElement;
        while (p) {
          const s = getComputedStyle(p);
          if (/(auto|scroll)/.test(s.overflowY)) {
            const pr = p.getBoundingClientRect();
            if (r.top < pr.top - 1 || r.bottom > pr.bottom + 1) return false;
          }
          p = p.parentElement;
        }
        return r.top >= 0 && r.bottom <= innerHeight;""", selector)


def presenter_mode(url):
    page = Page(url, 1920, 1080)
    d = page.driver
    try:
        page.open_scenario("pubsub")
        page.steps(4)
        click(d, "Presenter mode")
        time.sleep(0.5)
        sizes = {name: font_px(d, sel) for name, sel in [
            ("code", ".sc-code-line"), ("command", ".sc-line"), ("reply", ".sc-run .line"),
            ("key", ".sc-keys h3"), ("narration", ".sc-say")]}
        check("presenter mode at 1920×1080: code, commands, replies and keys at 24 px or more",
              all(v >= 24 for v in sizes.values()), sizes)
        d.save_screenshot(os.path.join(SHOTS, "presenter-1920x1080.png"))
        page.size(1280, 720)
        click(d, "Back")
        page.at_step("Step 3 of 10")
        click(d, "Next")
        page.at_step("Step 4 of 10")
        time.sleep(0.5)
        check("presenter mode hides the page behind it",
              js(d, "return document.elementFromPoint(20, 100).closest('.scenario') !== null"))
        check("at 1280×720 the receiving clients are on screen",
              visible_in_scroller(d, ".sc-delivery .sc-echo", last=True))
        check("and so are the controls", visible_in_scroller(d, ".sc-next"))
        d.save_screenshot(os.path.join(SHOTS, "presenter-1280x720.png"))
        # In presenter mode a link is how another scenario opens (the picker is hidden).
        js(d, "location.hash = '#scenario/cache-aside/1'")
        page.at_step("Step 1 of 7")
        sizes = {name: font_px(d, sel) for name, sel in [
            ("code", ".sc-code-line"), ("key", ".sc-keys h3")]}
        check("presenter mode at 1280×720 stays large", all(v >= 16 for v in sizes.values()), sizes)
        click(d, "Exit presenter mode")
        page.size(1366, 768)
        page.open_scenario("cache-aside")
        page.steps(3)
        time.sleep(0.3)
        check("at 1366×768 the step's first command and its reply are on screen",
              visible_in_scroller(d, ".sc-command"))
        page.steps(3)
        time.sleep(0.5)
        check("and the box of commands and replies ends above the fold (it scrolls inside)",
              js(d, "return document.querySelector('.sc-run').getBoundingClientRect().bottom")
              <= 768, js(d, "return document.querySelector('.sc-run').getBoundingClientRect().bottom"))
        shown = js(d, """const pre = document.querySelector('.sc-code pre').getBoundingClientRect();
            return [...document.querySelectorAll('.sc-code-line.current')].filter(l => {
              const r = l.getBoundingClientRect(); return r.top >= pre.top - 1 && r.bottom <= pre.bottom + 1;
            }).length;""")
        check("and most of a 21-line highlight shows", shown >= 15, shown)
        cut = js(d, """const pre = document.querySelector('.sc-code pre');
            return pre.scrollWidth > pre.clientWidth + 1;""")
        check("no code line is cut", not cut)
        d.save_screenshot(os.path.join(SHOTS, "scenario-1366x768.png"))
    finally:
        page.close()


def first_visit(url):
    page = Page(url)
    d = page.driver
    try:
        welcome = text(d, ".welcome")
        check("a first visit greets the newcomer and points to the scenarios",
              "scenarios" in welcome.lower(), welcome)
        fits = js(d, """const t = document.querySelector('.input-line textarea');
            const c = document.createElement('canvas').getContext('2d');
            const s = getComputedStyle(t); c.font = s.font;
            return c.measureText(t.placeholder).width <= t.clientWidth - parseFloat(s.paddingLeft);""")
        check("the input's placeholder is not cut", fits)
        check("the pane never showed a made-up id",
              not [i for i in js(d, "return window.__paneIds") if i == "id=1"],
              js(d, "return window.__paneIds"))
        page.reply("PING")
        copy = js(d, "const c = document.querySelector('.entry .copy'); const s = getComputedStyle(c);"
                     "return [s.opacity, s.position]")
        check("a reply's Copy button waits for hover or focus, taking no line of its own",
              copy == ["0", "absolute"], copy)
        click(d, "+ Add a client")
        click(d, "+ Add a client")
        until(d, 5, lambda: len(d.find_elements(By.CSS_SELECTOR, ".pane")) == 3)
        page.reply("MULTI", pane=2)
        page.reply("SET a 1", pane=2)
        page.reply("WATCH x", pane=3)
        widths = js(d, "return [...document.querySelectorAll('.input-line textarea')].map(t => t.clientWidth)")
        check("with three panes each line has room to type", min(widths) >= 150, widths)
        log = js(d, "return document.querySelector('.pane[data-pane=\"1\"] .log').clientHeight")
        d.find_elements(By.CSS_SELECTOR, '.pane[data-pane="1"] .prompt-tools .tool')[1].click()
        until(d, 5, lambda: d.find_elements(By.CSS_SELECTOR, ".history-list"))
        after = js(d, "return document.querySelector('.pane[data-pane=\"1\"] .log').clientHeight")
        check("History opens over the log, not shrinking it", after >= log - 1, (log, after))
        page.press(Keys.ESCAPE)
        page.reply("ZADD online 1767258000 a 1767258060 b 1767258120 c")
        [r for r in d.find_elements(By.CSS_SELECTOR, ".key-row") if r.text.startswith("online")][0].click()
        bars = until(d, 5, lambda: js(d, "return [...document.querySelectorAll('.ranked .fill')]"
                                         ".map(f => parseFloat(f.style.width))"))
        check("score bars span the set's lowest to highest score", bars == [0, 50, 100], bars)
        check("and say so", "lowest score" in text(d, ".bars-legend"), text(d, ".bars-legend"))
        check("a single key reads '1 key'",
              until(d, 5, lambda: text(d, ".keys-summary").endswith("· 1 key")),
              text(d, ".keys-summary"))
        pipeline = "SET p 1\nGET p"
        field = page.field()
        js(d, "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))",
           field, pipeline)
        coloured = until(d, 5, lambda: len(d.find_elements(
            By.CSS_SELECTOR, '.pane[data-pane="1"] .highlight .w-command')) >= 2)
        check("every line of a pasted pipeline is coloured", coloured)
        js(d, "arguments[0].value = ''; arguments[0].dispatchEvent(new Event('input'))", field)
        contrast = js(d, """
            function lum(c) { const v = c.match(/[\\d.]+/g).slice(0, 3).map(x => {
              x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
              return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; }
            const h = document.querySelector('.hint');
            const a = lum(getComputedStyle(h).color), b = lum(getComputedStyle(document.body).backgroundColor);
            return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);""")
        check("the shortcut hint has 4.5:1 contrast", contrast >= 4.5, contrast)
        click(d, "Scenarios")
        check("the welcome's button leads there too", True)
    finally:
        page.close()


def server_tab(url):
    page = Page(url)
    d = page.driver
    try:
        page.tab("Server")
        field = until(d, 10, lambda: d.find_elements(By.CSS_SELECTOR, "input.maxmemory"))[0]
        check("the limit field shows the limit in force",
              until(d, 5, lambda: field.get_attribute("placeholder") == "64mb"),
              field.get_attribute("placeholder"))
        field.send_keys("2mb", Keys.ENTER)
        check("and follows CONFIG SET",
              until(d, 5, lambda: field.get_attribute("placeholder") == "2mb"),
              field.get_attribute("placeholder"))
        field.send_keys("lots", Keys.ENTER)
        error = until(d, 5, lambda: text(d, ".field-error"))
        check("an invalid value is refused on the tab, in Redis's words",
              error.startswith("(error) ERR CONFIG SET failed"), error)
        check("the chart has axes",
              texts(d, ".y-axis.left span") == ["100%", "50%", "0%"]
              and len(texts(d, ".x-axis span")) == 2)
        click(d, "Dark theme")
        contrast = js(d, """
            function lum(c) { const v = c.match(/[\\d.]+/g).slice(0, 3).map(x => {
              x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
              return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; }
            return ['.lab-run', '.bigkeys button', '.server-controls button'].map(s => {
              const b = document.querySelector(s), st = getComputedStyle(b);
              const a = lum(st.color), c = lum(st.backgroundColor);
              return (Math.max(a, c) + 0.05) / (Math.min(a, c) + 0.05); });""")
        check("its buttons are readable in the dark theme", min(contrast) >= 4.5, contrast)
        styled = js(d, """const accent = getComputedStyle(document.querySelector('.lab-run')).color;
            return ['.lab-run', '.bigkeys button', '.server-controls button'].map(s => {
              const st = getComputedStyle(document.querySelector(s));
              return st.borderTopColor === accent && parseFloat(st.borderTopLeftRadius) > 0; });""")
        check("and styled as the page's buttons, in its accent colour", all(styled), styled)
        breaks = js(d, """return [...document.querySelectorAll('.info th')].every(th =>
            getComputedStyle(th).overflowWrap === 'normal'
            && th.querySelectorAll('wbr').length === (th.textContent.match(/_/g) || []).length + 1);""")
        check("INFO names break only after an underscore", breaks)
    finally:
        page.close()


def open_key(driver, key):
    """Clicks `key`'s row in the keyspace panel and waits for its inspector."""
    row = until(driver, 10, lambda: [r for r in driver.find_elements(By.CSS_SELECTOR, ".key-row")
                                     if r.text.split()[0] == key])
    row[0].click()
    until(driver, 10, lambda: text(driver, ".inspect-key") == key
          and driver.find_elements(By.CSS_SELECTOR, ".inspect-body"))


def pressed_form(driver):
    return text(driver, '.forms .form[aria-pressed="true"]')


def bits_hll_and_geo_inspectors(url):
    page = Page(url)
    d = page.driver
    try:
        page.reply("SETBIT dau 7 1")
        page.reply("SETBIT dau 1000 1")
        open_key(d, "dau")
        check("a string SETBIT wrote opens as bits", pressed_form(d) == "Bits", pressed_form(d))
        ones = lambda: js(d, "return [...document.querySelectorAll('.bit.one')].map(b => b.title)")
        check("its first page shows the one bit set in it, numbered as SETBIT numbers it",
              until(d, 5, lambda: ones() == ["bit 7 = 1"]), ones())
        counts = texts(d, ".bit-counts div")
        check("with what BITCOUNT answers for the string and for the page",
              counts[0].startswith("BITCOUNT dau2") and counts[1].startswith("BITCOUNT dau 0 63"),
              counts)
        page.reply("SETBIT dau 9 1")
        flipped = until(d, 5, lambda: js(
            d, "return [...document.querySelectorAll('.bit.changed')].map(b => b.title)"))
        check("the bit a SETBIT flipped is marked", flipped == ["bit 9 = 1"], flipped)
        field = d.find_element(By.CSS_SELECTOR, ".bit-goto input")
        field.send_keys("1000", Keys.ENTER)
        check("Go to bit opens the page that holds it", until(
            d, 5, lambda: ones() == ["bit 1000 = 1"]
            and text(d, ".pager .range") == "Bits 512–1007 of 1008"), (ones(), text(d, ".pager .range")))
        click(d, "Text")
        check("the same string shown as text", until(
            d, 5, lambda: pressed_form(d) == "Text" and d.find_elements(By.CSS_SELECTOR, ".string-value")))

        page.reply("PFADD visitors alice bob carol")
        open_key(d, "visitors")
        estimate = until(d, 5, lambda: text(d, ".hll-estimate"))
        check("a HyperLogLog opens as one, with PFCOUNT's estimate",
              pressed_form(d) == "HyperLogLog" and estimate.startswith("PFCOUNT visitors → 3"), estimate)
        rows = texts(d, ".hll-histogram tbody tr")
        check("and how many registers hold each value", rows and rows[0].replace(" ", "")
              .startswith("0") and "16381" in rows[0], rows[:3])
        check("a sparse one says it is", "sparse" in " ".join(texts(d, ".legend")))
        page.reply("PFCOUNT visitors")
        check("after PFCOUNT the count is cached in its header", until(
            d, 5, lambda: "cached in the header" in " ".join(texts(d, ".legend"))))

        page.reply("GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania")
        open_key(d, "Sicily")
        names = until(d, 5, lambda: texts(d, ".geo-map .place-name"))
        check("a geo set opens as a map of its places",
              pressed_form(d) == "Map" and sorted(names) == ["Catania", "Palermo"], names)
        geopos = page.reply("GEOPOS Sicily Palermo")
        row = texts(d, ".places tbody tr td")
        check("its table prints the places as GEOPOS does",
              row[1:4] == ["Palermo"] + [g.rsplit(") ", 1)[-1].strip('"') for g in geopos[:2]],
              (row, geopos))
        page.reply("GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 100 km ASC")
        found = until(d, 5, lambda: js(d, "return [...document.querySelectorAll('.place.found')]"
                                          ".map(p => p.textContent)"))
        check("the last GEOSEARCH is drawn and the place it found filled",
              d.find_elements(By.CSS_SELECTOR, "circle.search-area") and len(found) == 1
              and "Catania" in found[0], found)
        check("and said in words", "BYRADIUS 100 km" in text(d, ".map-search"), text(d, ".map-search"))
        page.reply("GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 400 200 km")
        check("a BYBOX search is drawn as a box", until(
            d, 5, lambda: d.find_elements(By.CSS_SELECTOR, "rect.search-area")))
        click(d, "中文")
        check("the ways to look are named in 繁體中文", until(
            d, 5, lambda: text(d, ".forms-label") == "顯示為" and pressed_form(d) == "地圖"),
            (text(d, ".forms-label"), pressed_form(d)))
        click(d, "排名")
        check("a geo set can be shown ranked by its geohash scores", until(
            d, 5, lambda: pressed_form(d) == "排名" and len(texts(d, ".ranked .score")) == 2))
    finally:
        page.close()


def script_editor(url):
    page = Page(url)
    d = page.driver
    try:
        page.reply("SET lock:order:1 token-a")
        click(d, "Script editor")
        code = until(d, 5, lambda: d.find_elements(By.CSS_SELECTOR, ".editor-input"))
        check("the script editor opens with the lock's release, highlighted",
              code and "redis" in texts(d, ".editor-highlight .lua-redis")
              and "if" in texts(d, ".editor-highlight .lua-keyword"), texts(d, ".editor-highlight span")[:8])
        code[0].send_keys(Keys.CONTROL + Keys.ENTER)
        ran = until(d, 10, lambda: (lambda lines: lines[0].startswith("127.0.0.1:6379> EVAL")
                                    and lines)(texts(d, '.pane[data-pane="1"] .log .entry .line')[-2:]))
        check("Ctrl+Enter types it in the pane as one EVAL with its keys and arguments",
              ran[0].startswith('127.0.0.1:6379> EVAL "-- Release a lock only if it is still ours.\\nif redis.call(')
              and ran[0].endswith("1 lock:order:1 token-a") and ran[1] == "(integer) 1", ran)
        click(d, "FUNCTION LOAD")
        until(d, 5, lambda: "ratelimit" in " ".join(texts(d, ".editor-highlight span")))
        click(d, "Run (Ctrl+Enter)")
        check("a library loads with FUNCTION LOAD REPLACE", until(
            d, 10, lambda: texts(d, '.pane[data-pane="1"] .log .entry .line')[-1:] == ['"ratelimit"']),
            texts(d, ".log .entry .line")[-2:])
        check("and its function answers FCALL", page.reply("FCALL hit 1 rate:user:1 60") == ["(integer) 1"])
        area = d.find_element(By.CSS_SELECTOR, ".editor-input")
        area.send_keys(Keys.CONTROL + Keys.END)
        area.send_keys(Keys.ENTER + "local x = = 1")
        click(d, "Run (Ctrl+Enter)")
        error = until(d, 10, lambda: text(d, ".editor-error"))
        check("an error names the script's line, and the line is marked",
              error.startswith("Line 11: (error) ERR Error compiling function: user_function:11:")
              and text(d, ".gutter-line.marked").strip() == "11", (error, text(d, ".gutter-line.marked")))
        area.send_keys(Keys.BACKSPACE * 14)
        click(d, "EVAL")
        page.reply("EVAL \"redis.log(redis.LOG_WARNING, 'lock released')\" 0")
        click(d, "Server")
        logged = until(d, 10, lambda: texts(d, ".server-log .log-text"))
        check("redis.log writes in the Server tab's log, after the server's start",
              logged[0].endswith("Redis is starting oO0OoO0OoO0Oo")
              and logged[-1:] == ["lock released"], logged)
        listed = until(d, 10, lambda: text(d, ".loaded-code .library summary"))
        check("the Server tab lists the library, its function and flags, and the cached scripts",
              listed == "ratelimit" and texts(d, ".loaded-code .functions li") == ["hit"]
              and len(texts(d, ".loaded-code .script .sha")) == 2, (listed, texts(d, ".loaded-code li")))
        d.find_element(By.CSS_SELECTOR, ".loaded-code .library summary").click()
        check("with its code, highlighted and numbered",
              "register_function" in text(d, ".loaded-code .library .editor-highlight")
              and texts(d, ".loaded-code .library .gutter-line")[-1].strip() == "10")
        d.refresh()
        pagedriver.wait_ready(d)
        click(d, "Server")
        check("the library survives a reload (kept in the browser), the cached script does not",
              until(d, 10, lambda: text(d, ".loaded-code .library summary") == "ratelimit"
                    and not d.find_elements(By.CSS_SELECTOR, ".loaded-code .script")),
              text(d, ".loaded-code"))
        click(d, "Console")
        check("FCALL after the reload", page.reply("FCALL hit 1 rate:user:1 60") == ["(integer) 2"])
        click(d, "中文")
        check("the editor in 繁體中文", until(d, 5, lambda: bool([
            b for b in d.find_elements(By.CSS_SELECTOR, ".prompt-tools .tool") if b.text == "腳本編輯器"])))
    finally:
        page.close()


def streams(url):
    page = Page(url)
    d = page.driver
    try:
        click(d, "+ Add a client")
        click(d, "+ Add a client")
        until(d, 10, lambda: d.find_elements(By.CSS_SELECTOR, '.pane[data-pane="3"] textarea'))
        check("XGROUP CREATE … MKSTREAM", page.reply("XGROUP CREATE jobs workers $ MKSTREAM") == ["OK"])
        page.send("XREADGROUP GROUP workers alice BLOCK 0 STREAMS jobs >", pane=2)
        scope = '.pane[data-pane="2"]'
        pending = until(d, 10, lambda: "XREADGROUP" in text(d, f"{scope} .log .pending")
                        and text(d, f"{scope} .log .pending"))
        check("a pane blocked on XREADGROUP says for which consumer, and after which ID, it waits",
              pending.startswith("(blocked: XREADGROUP for alice of group workers waits for a new "
                                 "entry on jobs after 0-0"), pending)
        badge = text(d, f"{scope} .badge-blocked")
        check("and its header says so", badge == "blocked · XREADGROUP jobs after 0-0 · alice of workers",
              badge)
        check("XADD answers the ID", page.reply("XADD jobs 1-1 task resize size 10") == ['"1-1"'])
        woken = until(d, 10, lambda: not d.find_elements(By.CSS_SELECTOR, f"{scope} .log .pending")
                      and texts(d, f"{scope} .log .entry")[-1:])
        check("the XADD wakes the blocked reader with the entry", woken and '"1-1"' in woken[0]
              and '"resize"' in woken[0], woken)
        flow = until(d, 5, lambda: texts(d, ".flow.entry:first-child .chip"))
        check("the Messages strip draws the XADD going through the stream to the reader, with its group",
              flow == ["client 1XADD", "jobs", "client 2group workers"]
              and text(d, ".flow.entry:first-child .payload") == "1-1 task resize size 10", flow)
        page.reply("XADD jobs 2-1 task thumbnail", pane=1)
        page.reply("XREADGROUP GROUP workers bob COUNT 1 STREAMS jobs >", pane=3)
        open_key(d, "jobs")
        rows = until(d, 5, lambda: js(d, """return [...document.querySelectorAll('.stream-entries tbody tr')]
            .map(r => [r.querySelector('.stream-id').firstChild.textContent,
                       [...r.querySelectorAll('.pair')].map(p => p.querySelector('.field').textContent
                           + '=' + p.querySelector('.value').textContent).join(' '),
                       [...r.querySelectorAll('.held')].map(h => h.textContent).join(', ')])"""))
        check("the stream inspector lists the entries: ID, fields and values, who holds each pending",
              rows == [["1-1", "task=resize size=10", "workers · alice"],
                       ["2-1", "task=thumbnail", "workers · bob"]], rows)
        facts = text(d, ".inspect-facts")
        check("as a stream of 2 entries", "stream" in facts and "2 entries" in facts, facts)
        group = lambda: texts(d, ".stream-group .group-facts dd")
        check("the group: last-delivered ID, entries read, lag and pending count",
              until(d, 5, lambda: group() == ["2-1", "2", "0", "2"]), group())
        consumers = texts(d, ".stream-group .consumers tbody td")
        check("its consumers with their pending entries", consumers[:2] == ["alice", "1"]
              and consumers[3:5] == ["bob", "1"], consumers)
        pel = lambda: js(d, """return [...document.querySelectorAll('.stream-group .pel tbody tr')]
            .map(r => [...r.querySelectorAll('td')].map(c => c.textContent))""")
        check("its pending entries with owner, idle time and deliveries",
              [[r[0], r[1], r[3]] for r in pel()] == [["1-1", "alice", "1"], ["2-1", "bob", "1"]], pel())
        page.reply("XACK jobs workers 1-1", pane=2)
        check("XACK takes the entry off the pending list in the inspector", until(
            d, 5, lambda: group()[-1:] == ["1"] and [r[0] for r in pel()] == ["2-1"]), (group(), pel()))
        page.reply("XCLAIM jobs workers alice 0 2-1", pane=2)
        check("XCLAIM gives it to another consumer, delivered twice", until(
            d, 5, lambda: [[r[0], r[1], r[3]] for r in pel()] == [["2-1", "alice", "2"]]), pel())
        click(d, "中文")
        check("the stream inspector in 繁體中文", until(
            d, 5, lambda: text(d, ".stream-groups h4") == "消費者群組"
            and "待確認" in texts(d, ".stream-group .group-facts dt")), text(d, ".stream-groups"))
        badge = text(d, '.pane[data-pane="2"] .badge-blocked')
        click(d, "English")

        # A million entries, added by a script in the worker, open at once.
        page.reply("EVAL \"for i = 1, 1000000 do redis.call('XADD', KEYS[1], i .. '-1', 'n', i) end "
                   "return redis.call('XLEN', KEYS[1])\" 1 big", timeout=300)
        started = time.time()
        open_key(d, "big")
        first = until(d, 10, lambda: text(d, ".pager .range") == "1–50 of 1000000"
                      and texts(d, ".stream-entries .stream-id")[:1])
        opened = time.time() - started
        # The time is a figure to read, not a limit: timings belong in BENCHMARKS.md.
        check(f"a 1,000,000-entry stream opens on its first page ({opened * 1000:.0f} ms from "
              "the click)", first == ["1-1"], (first, opened))
        started = time.time()
        click(d, "Next ›")
        second = until(d, 10, lambda: texts(d, ".stream-entries .stream-id")[:1] == ["51-1"])
        check(f"and pages on ({(time.time() - started) * 1000:.0f} ms)", second)
        field = d.find_element(By.CSS_SELECTOR, ".id-goto input")
        field.send_keys("500000", Keys.ENTER)
        check("Go to ID opens the page holding the first entry from that ID", until(
            d, 10, lambda: text(d, ".pager .range") == "499951–500000 of 1000000"
            and texts(d, ".stream-entries .stream-id")[-1:] == ["500000-1"]),
            (text(d, ".pager .range"), texts(d, ".stream-entries .stream-id")[-1:]))
    finally:
        page.close()


def queue_scenario(url):
    page = Page(url)
    d = page.driver
    try:
        page.open_scenario("stream-queue")
        page.steps(9)
        check("the queue scenario reaches XPENDING with every reply as expected",
              page.at_step("Step 9 of 13") and not d.find_elements(By.CSS_SELECTOR, ".sc-mismatch"),
              page.position())
        row = until(d, 10, lambda: [r for r in d.find_elements(By.CSS_SELECTOR, ".sc-key")
                                     if "post_events" in r.text])
        row[0].click()
        pel = lambda: js(d, """return [...document.querySelectorAll('.stream-group .pel tbody tr')]
            .map(r => [...r.querySelectorAll('td')].map(c => c.textContent))""")
        check("its stream inspector shows 902 pending in worker-1's name, idle 1 m 30 s, delivered once",
              until(d, 10, lambda: pel() == [["1767258000000-1", "worker-1", "1 m 30 s", "1"]]), pel())
        page.steps(1)
        check("after XAUTOCLAIM worker-2 holds it, delivered twice",
              until(d, 10, lambda: pel() == [["1767258000000-1", "worker-2", "0.0 s", "2"]]), pel())
    finally:
        page.close()


def worker_memory(url):
    page = Page(url)
    try:
        def info():
            # Three fields of INFO memory, in one reply short enough for the console to show.
            lines = page.reply("EVAL \"local i = redis.call('INFO', 'memory') return "
                               "{string.match(i, 'used_memory_rss:(%d+)'), "
                               "string.match(i, 'used_memory:(%d+)'), "
                               "string.match(i, 'mem_fragmentation_ratio:([%d.]+)')}\" 0")
            rss, used, ratio = [re.search(r'"(.*)"', l).group(1) for l in lines]
            return int(rss), int(used), float(ratio)
        rss, used, _ = info()
        check("used_memory_rss is the worker's WebAssembly memory, whole 64 KiB pages",
              rss > used and rss % 65536 == 0, (rss, used))
        page.reply("DEBUG POPULATE 20000")
        # The cron samples the size every 100 ms.
        time.sleep(0.5)
        grown, used, ratio = info()
        check("and grows with the keyspace", grown > rss, (rss, grown))
        check("mem_fragmentation_ratio is the resident size over used_memory",
              abs(ratio - grown / used) < 0.02, (ratio, grown, used))
        page.tab("Server")
        title = until(page.driver, 10, lambda: js(page.driver, """
            const row = [...document.querySelectorAll('.info tr')]
                .find(r => r.querySelector('th').textContent === 'used_memory_rss');
            return row && row.title;"""))
        check("the Server tab's INFO says what used_memory_rss is in the page",
              "WebAssembly memory" in (title or ""), title)
    finally:
        page.close()


def main():
    dist = sys.argv[1] if len(sys.argv) > 1 else "dist"
    os.makedirs(SHOTS, exist_ok=True)
    httpd = pagedriver.serve(dist)
    url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    parts = [continue_in_the_console, keyboard_in_the_player, links_into_an_open_tab,
             blocked_command, scripts_in_the_console, unkillable_script_restart, dropped_files,
             tab_and_escape, steps_show_their_own_state, the_steps_keys, presenter_mode,
             first_visit, server_tab, bits_hll_and_geo_inspectors, script_editor, streams,
             queue_scenario, monitor_tracking_and_pause, worker_memory]
    # Parts named after the directory run alone (for the one being worked on).
    wanted = sys.argv[2:]
    run_parts([p for p in parts if not wanted or p.__name__ in wanted], url)
    httpd.shutdown()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
