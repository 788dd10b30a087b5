"""tests/page_repl_lessons.py: the Replication view's lessons in the built page (dist/), in
real headless Chromium with the nodes in the engine's Web Worker, as a learner plays them:
the four lessons the picker lists opened and stepped to their end with Next (every command's
reply shown, none marked "not as expected", a wait passing on the clock, the lesson's text at
the end, its lines in the nodes' consoles, the node cards never moving), Back then Next giving
the same replies, the keys, a lesson opened from the scenario player's cards, leaving a
lesson, and one lesson in 繁體中文.
Screenshots at a projector's size are left in target/page-check/ for a person to look at.

    python3 tests/page_repl_lessons.py dist/

Prints one line per check and closes with `N passed, N failed`.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
import pagedriver  # noqa: E402
from pagedriver import js, until  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

from checks import check, run_parts, summary  # noqa: E402

SHOTS = os.path.join(os.path.dirname(__file__), "..", "target", "page-check")
# The lessons the contract names (crates/scenarios/scenarios/*.toml with `nodes`).
KNOWN = {"replica-stale-reads", "failover-lock", "wait", "resync"}


def start(url, size="1280,720"):
    d = pagedriver.start_browser(size)
    d.get(url)
    pagedriver.wait_ready(d)
    return d


def open_view(d):
    for tab in d.find_elements(By.CSS_SELECTOR, "button.tab"):
        if tab.text in ("Replication", "主從複製"):
            tab.click()
    return until(d, 20, lambda: len(d.find_elements(By.CSS_SELECTOR, ".repl-node")) >= 2)


def picker(d):
    return until(d, 20, lambda: d.find_elements(By.CSS_SELECTOR, '[data-control="lesson"]'))


def listed(d):
    """The lessons the view's picker offers: (id, title) each."""
    return js(d, "return [...document.querySelectorAll('[data-control=\"lesson\"] option')]"
                 ".filter(o => o.value).map(o => [o.value, o.textContent]);")


def position(d):
    """Steps played, as the panel's progress bar says; None without a panel."""
    return js(d, "const p = document.querySelector('.repl-lesson-progress progress');"
                 "return p ? Number(p.getAttribute('value')) : null;")


def step_count(d):
    return js(d, "return document.querySelectorAll('.repl-lesson-step[data-step]').length - 1;")


def commands(d, step=None):
    """Each command shown in the lesson (of one step, when given): its step, `port> line`, the
    reply shown (None before it is played) and its mark."""
    return js(d, """
        const scope = arguments[0] === null ? '' : `[data-step="${arguments[0]}"]`;
        return [...document.querySelectorAll(`.repl-lesson-step${scope} .repl-lesson-command`)]
            .map(c => [Number(c.closest('[data-step]').dataset.step),
                       c.querySelector('.repl-lesson-line').textContent,
                       c.querySelector('.repl-lesson-reply pre')?.textContent ?? null,
                       c.getAttribute('data-expected')]);""", step)


def echoes(d, port):
    return js(d, "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent);",
              f'.repl-node[data-port="{port}"] .repl-log .line.echo')


def cards(d):
    """Where the node cards are laid out (their grid; a card's own figures may grow it, the
    lesson's narration must not move it)."""
    return js(d, "const r = document.querySelector('.repl-nodes').getBoundingClientRect();"
                 "return [r.left, r.top, r.width];")


def wait_figure(d, name):
    return js(d, "return document.querySelector('.repl-lesson-wait').getAttribute(arguments[0]);",
              name)


def next_button(d):
    return d.find_element(By.CSS_SELECTOR, '[data-control="lesson-next"]')


def go_to(d, n, press):
    """Presses a control (or key) and waits until `n` steps are played and the step's replies
    have come (a blocking command answers as the clock runs)."""
    press()
    if until(d, 60, lambda: position(d) == n) != True:  # noqa: E712
        return False
    return n == 0 or until(d, 30, lambda: all(
        c[2] is not None and c[3] != "no" for c in commands(d, n)))


def body_key(d, key):
    d.find_element(By.TAG_NAME, "body").send_keys(key)


def play(d, lesson_id, title):
    """Opens a lesson in the view's picker and steps it to its end; checks what a learner
    sees along the way."""
    Select(picker(d)[0]).select_by_value(lesson_id)
    opened = until(d, 30, lambda: js(
        d, "const p = document.querySelector('.repl-lesson');"
           "return p && p.dataset.lesson === arguments[0] && p.querySelector('progress') !== null;",
        lesson_id))
    check(f"{lesson_id}: the panel opens on its introduction", opened and position(d) == 0)
    check(f"{lesson_id}: titled as the picker lists it",
          js(d, "return document.querySelector('.repl-lesson-title').textContent;") == title)
    check(f"{lesson_id}: Next has the focus",
          js(d, "return document.activeElement?.dataset.control;") == "lesson-next")
    steps = step_count(d)
    check(f"{lesson_id}: it has steps", steps > 0, steps)
    before = cards(d)
    moved = []
    waited = None
    for n in range(1, steps + 1):
        if not go_to(d, n, lambda: next_button(d).click()):
            check(f"{lesson_id}: step {n} is played with its replies", False, commands(d, n))
            return
        if cards(d) != before:
            moved.append(n)
        # The first wait after a step: the clock (at ×1) runs through it, in sight.
        if waited is None and int(wait_figure(d, "data-wait-ms") or 0) > 0:
            waited = until(d, 20, lambda: int(wait_figure(d, "data-waited-ms") or 0) > 0
                           and js(d, "return document.querySelector('.repl-lesson-wait').textContent;"))
            check(f"{lesson_id}: the wait after step {n} passes in sight",
                  waited and waited.startswith("Time passing:"), waited)
    check(f"{lesson_id}: the node cards never moved as the narration changed", not moved, moved)
    shown = commands(d)
    check(f"{lesson_id}: every command's reply is shown",
          shown and all(c[2] is not None for c in shown), [c for c in shown if c[2] is None])
    check(f"{lesson_id}: no reply is marked not as expected",
          all(c[3] != "no" for c in shown) and not d.find_elements(
              By.CSS_SELECTOR, ".repl-lesson-mismatch"), [c for c in shown if c[3] == "no"])
    check(f"{lesson_id}: the replies the lesson expects are marked so",
          any(c[3] == "yes" for c in shown))
    end = js(d, "const e = document.querySelector('.repl-lesson-end');"
                "return e && !e.hidden ? e.querySelector('[data-figure=\"lesson-text\"]').textContent : '';")
    check(f"{lesson_id}: the lesson's text is shown after the last step", len(end) > 40, end)
    check(f"{lesson_id}: Next is disabled at the end", not next_button(d).is_enabled())
    missing = [(port, line) for port, line in
               (c[1].split("> ", 1) for c in shown)
               if not any(e.endswith("> " + line) for e in echoes(d, int(port)))]
    check(f"{lesson_id}: each command is in its node's console", not missing, missing)

    # Back replays the steps before the last; Next plays it again, with the same replies.
    if not go_to(d, steps - 1, lambda: d.find_element(
            By.CSS_SELECTOR, '[data-control="lesson-back"]').click()):
        check(f"{lesson_id}: Back goes to step {steps - 1}", False, position(d))
        return
    check(f"{lesson_id}: after Back, the last step's replies are gone",
          all(c[2] is None for c in commands(d, steps)))
    replayed = [c for c in shown if c[0] < steps]
    missing = [c for c in replayed if not any(
        e.endswith("> " + c[1].split("> ", 1)[1])
        for e in echoes(d, int(c[1].split(">")[0])))]
    check(f"{lesson_id}: the replayed steps' lines are in the consoles again", not missing, missing)
    go_to(d, steps, lambda: next_button(d).click())
    again = commands(d)
    check(f"{lesson_id}: Back then Next gives the same replies", again == shown,
          [(a, b) for a, b in zip(shown, again) if a != b])


def lessons_to_their_end(url):
    d = start(url)
    try:
        check("the Replication view opens", open_view(d))
        check("its bar has a lesson picker", picker(d))
        offered = listed(d)
        ids = {i for i, _ in offered}
        check("the picker lists the four lessons", ids == KNOWN, ids)
        check("and free play", js(
            d, "return document.querySelector('[data-control=\"lesson\"] option').textContent;")
            == "Free play")
        os.makedirs(SHOTS, exist_ok=True)
        for lesson_id, title in offered:
            play(d, lesson_id, title)
            d.save_screenshot(os.path.join(SHOTS, f"lesson-{lesson_id}-1280x720.png"))
    finally:
        d.quit()


def keys_and_leaving(url):
    d = start(url)
    try:
        open_view(d)
        picker(d)
        lesson_id = until(d, 20, lambda: listed(d))[0][0]
        Select(picker(d)[0]).select_by_value(lesson_id)
        check("a lesson opens", until(d, 30, lambda: position(d) == 0))
        check("→ plays the first step", go_to(d, 1, lambda: body_key(d, Keys.ARROW_RIGHT)))
        check("PageDown the second", go_to(d, 2, lambda: body_key(d, Keys.PAGE_DOWN)))
        check("← goes back one", go_to(d, 1, lambda: body_key(d, Keys.ARROW_LEFT)))
        # A key typed in a node's console is the console's.
        field = d.find_element(By.CSS_SELECTOR, '.repl-node[data-port="6379"] .repl-input')
        field.send_keys("PING")
        field.send_keys(Keys.ARROW_LEFT)
        field.send_keys(Keys.ARROW_RIGHT)
        time.sleep(1)
        check("arrows in a console move its cursor, not the lesson", position(d) == 1, position(d))
        field.send_keys(Keys.ENTER)
        check("a line typed during the lesson is answered", until(d, 20, lambda: any(
            e.endswith("> PING") for e in echoes(d, 6379))))
        check("Home restarts the lesson", go_to(d, 0, lambda: body_key(d, Keys.HOME)))
        check("a step clicked in the list is played up to it", go_to(d, 2, lambda: d.find_element(
            By.CSS_SELECTOR, '.repl-lesson-step[data-step="2"] .repl-lesson-jump').click()))
        d.find_element(By.CSS_SELECTOR, '[data-control="lesson-leave"]').click()
        check("Leave closes the panel", until(
            d, 20, lambda: not d.find_elements(By.CSS_SELECTOR, ".repl-lesson")))
        check("the nodes stay, to play on freely",
              len(d.find_elements(By.CSS_SELECTOR, ".repl-node")) >= 2)
        check("the picker says free play", js(
            d, "return document.querySelector('[data-control=\"lesson\"]').value;") == "")
    finally:
        d.quit()


def from_the_scenario_player(url):
    d = start(url)
    try:
        for tab in d.find_elements(By.CSS_SELECTOR, "button.tab"):
            if tab.text == "Scenarios":
                tab.click()
        group = until(d, 20, lambda: d.find_elements(By.CSS_SELECTOR, ".sc-lessons .sc-card"))
        check("the scenario cards have a group of Replication lessons", group and js(
            d, "return document.querySelector('.sc-lessons-title').textContent;")
            == "Replication lessons")
        check("the scenario picker lists them in a group", js(
            d, "return document.querySelectorAll('.sc-pick optgroup option').length;")
            == len(group))
        lesson_id = group[0].find_element(By.CSS_SELECTOR, ".sc-card-id").text
        group[0].click()
        check("a lesson's card opens the Replication tab", until(d, 20, lambda: js(
            d, "const s = document.querySelector('section.repl'); return s && !s.hidden;")))
        check("with the lesson open there", until(d, 30, lambda: js(
            d, "const p = document.querySelector('.repl-lesson');"
               "return p && p.dataset.lesson === arguments[0];", lesson_id)))
        check("on its nodes", len(d.find_elements(By.CSS_SELECTOR, ".repl-node")) >= 2)
    finally:
        d.quit()


def in_chinese(url):
    d = start(url, "1024,768")
    try:
        for b in d.find_elements(By.CSS_SELECTOR, "button.lang"):
            if b.text == "繁體中文":
                b.click()
        open_view(d)
        picker(d)
        offered = until(d, 20, lambda: listed(d))
        lesson_id, title = offered[0]
        check("the picker lists the lessons in 繁體中文",
              any("\u4e00" <= ch <= "\u9fff" for ch in title), title)
        check("free play reads 自由操作", js(
            d, "return document.querySelector('[data-control=\"lesson\"] option').textContent;")
            == "自由操作")
        Select(picker(d)[0]).select_by_value(lesson_id)
        check("the lesson opens", until(d, 30, lambda: position(d) == 0))
        check("Next reads 下一步", next_button(d).text.startswith("下一步"), next_button(d).text)
        check("the introduction is in 繁體中文", any("\u4e00" <= ch <= "\u9fff" for ch in js(
            d, "return document.querySelector('.repl-lesson-intro').textContent;")))
        steps = step_count(d)
        for n in range(1, steps + 1):
            go_to(d, n, lambda: body_key(d, Keys.PAGE_DOWN))
        check("played to its end with PageDown", position(d) == steps, position(d))
        check("no reply is marked 與預期不符",
              not d.find_elements(By.CSS_SELECTOR, ".repl-lesson-mismatch"))
        check("the lesson's text is headed 重點", js(
            d, "return document.querySelector('.repl-lesson-end h3').textContent;") == "重點")
        os.makedirs(SHOTS, exist_ok=True)
        d.save_screenshot(os.path.join(SHOTS, f"lesson-{lesson_id}-zh-1024x768.png"))
    finally:
        d.quit()


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "dist"
    httpd = pagedriver.serve(directory)
    url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    try:
        run_parts([lessons_to_their_end, keys_and_leaving, from_the_scenario_player, in_chinese],
                  url)
    finally:
        httpd.shutdown()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
