"""tests/page_repl.py: the Replication view in the built page (dist/), in real headless
Chromium with the nodes in the engine's Web Worker, as a teacher drives it in class: 6380 made
a replica of 6379 by typing REPLICAOF in its console, a write on 6379 seen on the wire and then
on 6380, the link cut, a write, the cut outlasting repl-timeout, the link healed and the
replica catching up by a partial resync (INFO stats' sync_partial_ok, and the card's figures);
a node stopped and started; the share link rebuilding the topology; both languages.

    python3 tests/page_repl.py dist/

Prints one line per check and closes with `N passed, N failed`.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
import pagedriver  # noqa: E402
from pagedriver import js, until  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

from checks import check, summary  # noqa: E402


def node(port):
    return f'.repl-node[data-port="{port}"]'


def entries(driver, port):
    """Each entry of a node's console: its printed lines, the echo first."""
    return js(driver, "return [...document.querySelectorAll(arguments[0] + ' .repl-log .entry')]"
                      ".map(e => [...e.querySelectorAll('.line')].map(l => l.textContent));",
              node(port))


def run(driver, port, line):
    """Types `line` in the node's console and presses Enter; its reply's lines, once here."""
    before = len(entries(driver, port))
    field = driver.find_element(By.CSS_SELECTOR, f"{node(port)} .repl-input")
    field.send_keys(line)
    field.send_keys(Keys.ENTER)
    got = until(driver, 20, lambda: len(entries(driver, port)) > before
                and len(entries(driver, port)[-1]) > 1 and entries(driver, port)[-1])
    return got[1:] if got else []


def attr(driver, selector, name):
    return js(driver, "const e = document.querySelector(arguments[0]);"
                      "return e ? e.getAttribute(arguments[1]) : null;", selector, name)


def text(driver, selector):
    return js(driver, "const e = document.querySelector(arguments[0]);"
                      "return e ? e.textContent : '';", selector)


def speed(driver, percent):
    Select(driver.find_element(By.CSS_SELECTOR, '[data-control="speed"]')).select_by_value(
        str(percent))


def link_up(driver, port):
    return attr(driver, f'{node(port)} [data-figure="master"]', "data-link") == "up"


def cut_button(driver):
    return driver.find_element(By.CSS_SELECTOR, '[data-link="6379-6380"] [data-control="cut"]')


def open_view(driver):
    for tab in driver.find_elements(By.CSS_SELECTOR, "button.tab"):
        if tab.text in ("Replication", "主從複製"):
            tab.click()
    return until(driver, 20, lambda: len(driver.find_elements(By.CSS_SELECTOR, ".repl-node")) >= 2)


def replication(d):
    check("the Replication tab shows two nodes, 6379 and 6380", open_view(d),
          d.find_elements(By.CSS_SELECTOR, ".repl-node"))
    check("each is a master at first",
          text(d, f'{node(6379)} [data-figure="role"]') == "master"
          and text(d, f'{node(6380)} [data-figure="role"]') == "master")
    got = run(d, 6380, "REPLICAOF 127.0.0.1 6379")
    check("REPLICAOF typed in 6380's console", got == ["OK"], got)
    speed(d, 1000)
    check("SET on 6379", run(d, 6379, "SET user:1 alice") == ["OK"])
    # The primary waits repl-diskless-sync-delay (5 s of the virtual clock) for more replicas.
    check("6380's link to its master comes up", until(d, 30, lambda: link_up(d, 6380)))
    check("6380's card says it is a replica",
          text(d, f'{node(6380)} [data-figure="role"]') == "replica")
    got = run(d, 6380, "GET user:1")
    check("the write is on 6380", got == ['"alice"'], got)
    check("both cards show the same replication ID",
          text(d, f'{node(6379)} [data-figure="replid"]')
          == text(d, f'{node(6380)} [data-figure="replid"]'))
    got = run(d, 6380, "ROLE")
    check("ROLE on 6380: a connected slave of 6379",
          got[:4] == ['1) "slave"', '2) "127.0.0.1"', "3) (integer) 6379", '4) "connected"'], got)

    # The clock stands still: a write stays on the wire, drawn there.
    speed(d, 0)
    run(d, 6379, "INCR visits")
    wire = '[data-link="6379-6380"] .repl-direction[data-from="6379"]'
    commands = until(d, 10, lambda: int(attr(d, wire, "data-commands") or 0))
    check("the write is in flight from 6379 to 6380", commands >= 1, commands)
    check("a packet is drawn on the wire",
          len(d.find_elements(By.CSS_SELECTOR, f"{wire} .repl-packet")) >= 1)
    speed(d, 1000)
    check("it arrives", until(d, 20, lambda: attr(d, wire, "data-commands") == "0"))
    check("INCR reached 6380", run(d, 6380, "GET visits") == ['"1"'])

    # Cut the link, write, outlast repl-timeout, heal: a partial resync from the backlog.
    cut_button(d).click()
    check("the link says it is cut",
          until(d, 10, lambda: "cut" in (attr(d, '[data-link="6379-6380"]', "class") or "")))
    run(d, 6379, "SET user:2 bob")
    check("6380 gives up on its master once repl-timeout passes",
          until(d, 60, lambda: not link_up(d, 6380)))
    got = run(d, 6380, "GET user:2")
    check("the write made during the cut is not on 6380", got == ["(nil)"], got)
    cut_button(d).click()
    check("healed, 6380's link comes up again", until(d, 60, lambda: link_up(d, 6380)))
    got = run(d, 6380, "GET user:2")
    check("6380 caught up with the write made during the cut", got == ['"bob"'], got)
    # INFO's lines end in \r\n: the page prints them as redis-cli does.
    stats = [line.strip() for line in run(d, 6379, "INFO stats")]
    check("INFO stats on 6379: one partial resync accepted",
          "sync_partial_ok:1" in stats, [s for s in stats if s.startswith("sync_")])
    check("and still the one full resync", "sync_full:1" in stats)
    syncs = f'{node(6379)} [data-figure="syncs"]'
    check("6379's card counts them too",
          (attr(d, syncs, "data-partial-ok"), attr(d, syncs, "data-full")) == ("1", "1"),
          text(d, syncs))
    check("6380 is no byte behind", until(d, 20, lambda: text(
        d, f'{node(6380)} [data-figure="behind"]') == "caught up"))

    # A node stopped refuses connections, and starts again from what it kept.
    d.find_element(By.CSS_SELECTOR, f'{node(6380)} [data-control="power"]').click()
    check("Stop is SHUTDOWN in 6380's console", until(d, 10, lambda: any(
        e and e[0].endswith("> SHUTDOWN") for e in entries(d, 6380))))
    check("6380's card says stopped",
          until(d, 10, lambda: "stopped" in (attr(d, node(6380), "class") or "")))
    got = run(d, 6380, "PING")
    check("a stopped node refuses", got == [
        "Could not connect to Redis at 127.0.0.1:6380: Connection refused"], got)
    d.find_element(By.CSS_SELECTOR, f'{node(6380)} [data-control="power"]').click()
    check("started again", until(d, 10, lambda: "stopped" not in (attr(d, node(6380), "class") or "x")))
    got = run(d, 6380, "GET user:1")
    check("it kept its data (SHUTDOWN saved it)", got == ['"alice"'], got)

    # The share link builds the topology again and replays what was done.
    d.find_element(By.CSS_SELECTOR, '[data-control="share"]').click()
    link = until(d, 10, lambda: js(d, "const e = document.querySelector('.repl-link');"
                                      "return e ? e.value : '';"))
    check("a share link is made", "#repl/" in (link or ""), link)
    return link


def shared(d, link):
    d.get("about:blank")
    d.get(link)
    pagedriver.wait_ready(d)
    check("the link opens the Replication view",
          until(d, 20, lambda: len(d.find_elements(By.CSS_SELECTOR, ".repl-node")) >= 2))
    check("the replayed REPLICAOF is in 6380's console", until(d, 20, lambda: any(
        e and e[0].endswith("REPLICAOF 127.0.0.1 6379") for e in entries(d, 6379 + 1))))
    speed(d, 1000)
    got = until(d, 30, lambda: run(d, 6380, "GET user:2") == ['"bob"'])
    check("and 6380 has the data again", got)


def failover(d):
    """FAILOVER typed on the primary: its replica takes over, and the old primary follows it.
    The replayed journal ends with 6380 stopped and started again, a master as its config
    says (REPLICAOF is not kept across a restart), so it follows 6379 again first."""
    run(d, 6380, "REPLICAOF 127.0.0.1 6379")
    check("6380 follows 6379 again", until(d, 30, lambda: link_up(d, 6380)))
    got = run(d, 6379, "FAILOVER")
    check("FAILOVER typed on 6379", got == ["OK"], got)
    check("6380 becomes the master", until(d, 30, lambda: text(
        d, f'{node(6380)} [data-figure="role"]') == "master"))
    check("6379 follows it", until(d, 30, lambda: link_up(d, 6379)))
    run(d, 6380, "SET after failover")
    got = until(d, 30, lambda: run(d, 6379, "GET after") == ['"failover"'])
    check("a write on the new master reaches the old one", got)


def languages(d):
    for b in d.find_elements(By.CSS_SELECTOR, "button.lang"):
        if b.text == "繁體中文":
            b.click()
    check("in 繁體中文 the tab reads 主從複製", until(d, 5, lambda: any(
        t.text == "主從複製" for t in d.find_elements(By.CSS_SELECTOR, "button.tab"))))
    check("and the cut button 切斷 or 恢復", cut_button(d).text in ("切斷", "恢復"), cut_button(d).text)


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "dist"
    httpd = pagedriver.serve(directory)
    url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    d = pagedriver.start_browser("1366,768")
    try:
        d.get(url)
        pagedriver.wait_ready(d)
        link = replication(d)
        if link:
            shared(d, link)
            failover(d)
        languages(d)
    finally:
        d.quit()
        httpd.shutdown()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
