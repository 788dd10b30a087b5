"""tests/page_embed.py: docs/sample-course.html as a teacher publishes it, in real headless
Chromium: the built playground (dist/) served at one origin, the course page at another with
its PLAYGROUND line set to the first, as docs/embedding.md tells a teacher to. Its two
consoles start with their own parameters (run lines, language, read-only, a scenario's step),
answer the page's buttons independently, tell the page what is typed in them, start over on
request; neither keeps anything nor takes the tab's lock (a playground tab opened meanwhile
keeps its own storage and is not told another tab has it); messages from a sibling frame or
from an origin the console was not given are ignored.

    python3 tests/page_embed.py dist/

Prints one line per check and closes with `N passed, N failed`.
"""
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
import pagedriver  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
PLAYGROUND_LINE = 'const PLAYGROUND = "../dist/";'

from checks import check, summary  # noqa: E402


def until(driver, what, timeout, check_fn):
    """The first true value of `check_fn` within `timeout` seconds, else None (and a failed
    check, rather than the end of the run)."""
    try:
        return pagedriver.wait(driver, what, timeout, check_fn)
    except SystemExit:
        check(f"waiting for {what}", False, "timed out")
        return None


def js(driver, script, *args):
    return driver.execute_script(script, *args)


def entries(driver):
    """The console's entries in the current frame: each its echo and reply lines."""
    return js(driver, "return [...document.querySelectorAll('.pane .log .entry')]"
                      ".map(e => [...e.querySelectorAll('.line, .echo')].map(l => l.textContent));")


def in_frame(driver, index, action):
    """Runs `action()` inside the course page's `index`-th iframe."""
    driver.switch_to.frame(driver.find_elements(By.CSS_SELECTOR, "iframe")[index])
    try:
        return action()
    finally:
        driver.switch_to.default_content()


def replies(driver):
    return js(driver, "return document.getElementById('replies').textContent")


def storage_used(driver):
    """localStorage's entries and IndexedDB's databases of the current frame's origin."""
    return driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        indexedDB.databases().then(dbs => done([localStorage.length, dbs.map(d => d.name)]));
    """)


def course_page(directory, playground):
    """The sample course page as a teacher publishes it: PLAYGROUND set to the playground."""
    source = open(os.path.join(ROOT, "docs", "sample-course.html"), encoding="utf-8").read()
    check("the sample page has the one line a teacher changes",
          source.count(PLAYGROUND_LINE) == 1)
    page = source.replace(PLAYGROUND_LINE, f'const PLAYGROUND = "{playground}";')
    with open(os.path.join(directory, "sample-course.html"), "w", encoding="utf-8") as f:
        f.write(page)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    dist = sys.argv[1]
    work = tempfile.mkdtemp(prefix="page-embed-")
    course_dir, foreign_dir = os.path.join(work, "course"), os.path.join(work, "foreign")
    os.makedirs(course_dir)
    os.makedirs(foreign_dir)
    # Three origins: the playground, the course page, and a stranger (loopback, three ports).
    play = pagedriver.serve(dist)
    course = pagedriver.serve(course_dir)
    foreign = pagedriver.serve(foreign_dir)
    origin = lambda httpd: f"http://127.0.0.1:{httpd.server_address[1]}"  # noqa: E731
    course_page(course_dir, origin(play) + "/")
    driver = pagedriver.start_browser(size="1280,1400")
    try:
        driver.get(origin(course) + "/sample-course.html")
        ready = until(driver, "both consoles ready", 60, lambda: len(driver.find_elements(
            By.CSS_SELECTOR, "iframe[data-ready=true]")) == 2)
        check("both consoles say they are ready", bool(ready))

        # The first console: English, an input line, its run line already run.
        one = in_frame(driver, 0, lambda: (
            js(driver, "return document.documentElement.lang"),
            len(driver.find_elements(By.CSS_SELECTOR, ".input-line textarea")),
            entries(driver)))
        check("console one is in English", one[0] == "en", one[0])
        check("console one has an input line", one[1] == 1)
        check("console one ran its run line first",
              one[2] == [["127.0.0.1:6379> SET visits 10", "OK"]], one[2])

        # The second: 繁體中文, read-only, the counters scenario after step 2.
        two = in_frame(driver, 1, lambda: (
            js(driver, "return document.documentElement.lang"),
            len(driver.find_elements(By.CSS_SELECTOR, ".input-line, textarea")),
            until(driver, "the stepper", 10, lambda: js(
                driver, "const e = document.querySelector('.sc-stepper .sc-at');"
                        "return e && e.textContent")),
            js(driver, "return document.querySelector('.sc-stepper .sc-say').textContent")))
        check("console two is in 繁體中文", two[0] == "zh-Hant-TW", two[0])
        check("console two is read-only: no input line", two[1] == 0, two[1])
        check("console two opens the scenario after step 2", two[2] == "第 2 步，共 10 步", two[2])
        check("and narrates it in 繁體中文", any("\u4e00" <= c <= "\u9fff" for c in two[3]), two[3])

        # The buttons drive each console on its own engine.
        driver.find_element(By.ID, "one-incr").click()
        check("INCR in console one answers from its own keys", until(
            driver, "console one's reply", 20,
            lambda: "one (asked) 127.0.0.1:6379> INCR visits\n(integer) 11" in replies(driver)))
        driver.find_element(By.ID, "two-incr").click()
        check("INCR in console two answers from its own, empty keyspace", until(
            driver, "console two's reply", 20,
            lambda: "two (asked) 127.0.0.1:6379> INCR visits\n(integer) 1\n" in replies(driver)))
        driver.find_element(By.ID, "one-incr").click()
        check("console one goes on counting", until(
            driver, "console one's second reply", 20, lambda: "(integer) 12" in replies(driver)))
        shown = in_frame(driver, 1, lambda: entries(driver))
        check("console two shows the page's command though it has no input line",
              shown == [["127.0.0.1:6379> INCR visits", "(integer) 1"]], shown)

        # A line typed in console one reaches the page's listener, without an id.
        in_frame(driver, 0, lambda: pagedriver.type_line(driver, "GET visits"))
        check("a typed line's reply reaches the course page", until(
            driver, "the typed reply", 20,
            lambda: 'one (typed) 127.0.0.1:6379> GET visits\n"12"' in replies(driver)))

        # The free form: any command, in either console, with the reply as the console prints it.
        field = driver.find_element(By.ID, "free-line")
        field.clear()
        field.send_keys("RPUSH l a b")
        driver.find_element(By.CSS_SELECTOR, "#free button[value=two]").click()
        check("a command from the page's form runs in the console it names", until(
            driver, "the form's reply", 20,
            lambda: "two (asked) 127.0.0.1:6379> RPUSH l a b\n(integer) 2" in replies(driver)))

        # The scenario's stepper steps, by button and by keyboard.
        def step_on():
            driver.find_element(By.CSS_SELECTOR, ".sc-stepper .sc-next").click()
            at = until(driver, "step 3", 10, lambda: js(
                driver, "return document.querySelector('.sc-stepper .sc-at').textContent")
                .startswith("第 3 步") and "3")
            driver.find_element(By.CSS_SELECTOR, ".sc-stepper").send_keys("\ue012")  # ←
            back = until(driver, "step 2 again", 10, lambda: js(
                driver, "return document.querySelector('.sc-stepper .sc-at').textContent")
                .startswith("第 2 步") and "2")
            return at, back
        check("the stepper's Next and the left arrow move the scenario",
              in_frame(driver, 1, step_on) == ("3", "2"))

        # Nothing kept: the consoles' origin has no localStorage entry and no IndexedDB.
        used = in_frame(driver, 0, lambda: storage_used(driver))
        check("the consoles write no preference, history or IndexedDB", used == [0, []], used)

        # A sibling frame of another origin tells console one to run something: ignored.
        with open(os.path.join(foreign_dir, "sibling.html"), "w") as f:
            f.write("<script>parent.frames[0].postMessage("
                    "{type: 'keyspace:run', id: 'x', command: 'SET stolen 1'}, '*');"
                    "document.title = 'sent';</script>")
        js(driver, "const f = document.createElement('iframe'); f.id = 'sibling';"
                   "f.src = arguments[0]; document.body.appendChild(f);",
           origin(foreign) + "/sibling.html")
        until(driver, "the sibling to load", 10, lambda: js(
            driver, "const f = document.getElementById('sibling');"
                    "return f && f.contentWindow && f.getAttribute('src') && true"))
        time.sleep(1)
        answer = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "window.consoles.one.run('EXISTS stolen').then(r => done([r.text, r.values]));")
        check("a sibling frame's message is ignored", answer[0] == "(integer) 0", answer)
        check("and nothing of it reached the page", "SET stolen" not in replies(driver))
        check("a reply comes as data too",
              answer[1] == [{"type": "integer", "value": 0}], answer[1])

        # Start over: a new engine with the run line again.
        driver.find_element(By.ID, "one-reset").click()
        time.sleep(0.5)
        until(driver, "console one ready again", 30, lambda: driver.find_elements(
            By.CSS_SELECTOR, "iframe[data-ready=true]"))
        again = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "window.consoles.one.reset().then(() => window.consoles.one.run('INCR visits'))"
            ".then(r => done(r.text));")
        check("Start over runs the run lines on a new engine", again == "(integer) 11", again)
        shown = in_frame(driver, 0, lambda: entries(driver))
        check("and the console starts afresh",
              shown == [["127.0.0.1:6379> SET visits 10", "OK"],
                        ["127.0.0.1:6379> INCR visits", "(integer) 11"]], shown)

        # A console the course page attaches to only after it said it was ready: asked
        # again (keyspace:hello), it says so, and answers.
        driver.set_script_timeout(90)
        late = driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const f = document.createElement("iframe");
            f.src = arguments[0];
            addEventListener("message", function first(e) {
              if (e.source !== f.contentWindow || e.data.type !== "keyspace:ready") return;
              removeEventListener("message", first);
              const late = KeyspaceEmbed.attach(f);
              const silence = new Promise((r) => setTimeout(() => r("never ready"), 15000));
              Promise.race([late.ready.then(() => late.run("PING")).then((r) => r.text),
                            silence]).then(done);
            });
            document.body.appendChild(f);
        """, f"{origin(play)}/index.html?embed&origin={origin(course)}")
        check("a console attached after it was ready says so again, and answers",
              late == "PONG", late)

        # The playground in a tab of its own, while the course page stays open: it keeps its
        # storage, is not told that another tab has it, and sees none of the consoles' keys.
        course_tab = driver.current_window_handle
        driver.switch_to.new_window("tab")
        driver.get(origin(play) + "/")
        pagedriver.wait_ready(driver)
        time.sleep(1)
        notes = js(driver, "return [...document.querySelectorAll('.pane .log .line')]"
                           ".map(l => l.textContent)")
        check("a playground tab is not told another tab keeps it",
              not [n for n in notes if "Another tab" in n], notes)
        check("and holds none of the consoles' keys",
              pagedriver.type_line(driver, "DBSIZE")[-1] == "(integer) 0")
        pagedriver.type_line(driver, "SET mine 1")
        kept = until(driver, "the tab's write in IndexedDB", 20, lambda: driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const open = indexedDB.open('keyspace-playground');
            open.onsuccess = () => {
              const count = open.result.transaction('log').objectStore('log').count();
              count.onsuccess = () => { open.result.close(); done(count.result); };
            };
            open.onerror = () => done(0);
        """))
        check("it keeps what is typed in it, as the tab holding the storage", bool(kept), kept)
        driver.close()
        driver.switch_to.window(course_tab)

        # An origin the console was not given: a stranger frames two consoles, one declaring
        # the course page's origin and one the stranger's own, and tells both to run a line.
        with open(os.path.join(foreign_dir, "frames.html"), "w") as f:
            f.write(f"""<iframe id="claimed" src="{origin(play)}/index.html?embed&origin={origin(course)}"></iframe>
<iframe id="own" src="{origin(play)}/index.html?embed&origin={origin(foreign)}"></iframe>
<script>
  window.got = [];
  addEventListener("message", (e) => {{ if (e.data.type === "keyspace:reply") got.push(e.data.text); }});
  window.tell = () => {{
    for (const f of document.querySelectorAll("iframe"))
      f.contentWindow.postMessage({{type: "keyspace:run", id: f.id, command: "SET taken 1"}}, "*");
  }};
</script>""")
        driver.get(origin(foreign) + "/frames.html")
        for index in (0, 1):
            in_frame(driver, index, lambda: pagedriver.wait_ready(driver))
        js(driver, "window.tell()")
        got = until(driver, "the stranger's own console's reply", 20,
                    lambda: js(driver, "return window.got.length && window.got"))
        check("a console given the stranger's origin answers it (the control)", got == ["OK"], got)
        claimed = in_frame(driver, 0, lambda: entries(driver))
        check("a console given another origin ignores the stranger", claimed == [], claimed)
    finally:
        driver.quit()
        for httpd in (play, course, foreign):
            httpd.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
