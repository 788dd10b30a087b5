"""tests/page_lesson.py: a Markdown lesson in the built page (dist/), in real headless Chromium
with the engine in its Web Worker, as a teacher's class uses it: the README's example lesson
(docs/lessons/example.md) opened from a file and from a `#lesson=` link served with CORS by
another server, shown in the reader's language and switched, its Run buttons typing into the
right panes; a lesson that tries HTML, a `javascript:` link and a remote image, dropped on the
page, showing the HTML as text, the link as no link, and fetching the image only when asked;
and the errors (no CORS, HTTP 404, not Markdown, too big) said in words.

    python3 tests/page_lesson.py dist/

Prints one line per check and closes with `N passed, N failed`.
"""
import functools
import http.server
import os
import socketserver
import struct
import sys
import threading
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
import pagedriver  # noqa: E402
from pagedriver import js, until  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..")
EXAMPLE = os.path.join(ROOT, "docs", "lessons", "example.md")
from checks import check, run_parts, summary  # noqa: E402


def text(driver, selector):
    return js(driver, "const e = document.querySelector(arguments[0]);"
                      "return e ? e.textContent : '';", selector)


def pane_lines(driver, pane):
    return js(driver, "return [...document.querySelectorAll("
                      "'.pane[data-pane=\"' + arguments[0] + '\"] .log .line')]"
                      ".map(l => l.textContent);", pane)


def run_buttons(driver):
    return driver.find_elements(By.CSS_SELECTOR, ".lesson .lesson-run-button")


def png():
    """A 2×2 red PNG."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


class Files(http.server.BaseHTTPRequestHandler):
    """Another origin's files, counted by path; with CORS unless `cors` is off."""
    files = {}
    hits = {}
    cors = True

    def do_GET(self):
        path = self.path.split("?")[0]
        Files.hits[path] = Files.hits.get(path, 0) + 1
        kind, body = self.files.get(path, ("text/plain", b"no such file"))
        self.send_response(200 if path in self.files else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if self.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def files_server(cors):
    handler = type("Cors" if cors else "NoCors", (Files,), {"cors": cors})
    httpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


DROP = """
const [name, bytes] = [arguments[0], arguments[1]];
const data = new DataTransfer();
data.items.add(new File([new Uint8Array(bytes)], name));
const target = document.querySelector(arguments[2]);
for (const type of ['dragenter', 'dragover', 'drop']) {
  target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
}
"""


def language(driver, name):
    for b in driver.find_elements(By.CSS_SELECTOR, "button.lang"):
        if b.text == name:
            b.click()
            return
    raise AssertionError(f"no language button {name}")


def example_from_a_file(url):
    d = pagedriver.start_browser("1366,768")
    try:
        d.get(url)
        pagedriver.wait_ready(d)
        language(d, "English")
        button = d.find_element(By.CSS_SELECTOR, ".clients-bar .lesson-file")
        check("the console offers to open a lesson", "Open a lesson (.md)" in button.text, button.text)
        d.find_element(By.CSS_SELECTOR, ".lesson-file input[type=file]").send_keys(
            os.path.abspath(EXAMPLE))
        until(d, 10, lambda: text(d, ".lesson-title") == "Counting page views")
        title = text(d, ".lesson-title")
        check("the example lesson opens beside the console, titled by its first heading",
              title == "Counting page views", title)
        check("its four redis blocks have Run buttons", len(run_buttons(d)) == 4,
              len(run_buttons(d)))
        check("the block for client 2 says so", "Run in client 2" in run_buttons(d)[1].text,
              run_buttons(d)[1].text)
        # Keyboard: the Run button is a button the Tab key reaches; Enter presses it.
        first = run_buttons(d)[0]
        js(d, "arguments[0].focus()", first)
        first.send_keys(Keys.ENTER)
        got = until(d, 10, lambda: pane_lines(d, 1)[-1:] == ['"2"'] and pane_lines(d, 1))
        check("Run types the block's lines into the first pane, replies as if typed",
              got and "127.0.0.1:6379> INCR views:home" in got and "(integer) 1" in got
              and got[-1] == '"2"', pane_lines(d, 1))
        run_buttons(d)[1].click()
        got = until(d, 10, lambda: "(integer) 12" in pane_lines(d, 2) and pane_lines(d, 2))
        check("the client-2 block opens a second pane and runs there",
              got and "127.0.0.1:6379> INCRBY views:home 10" in got, pane_lines(d, 2))
        run_buttons(d)[2].click()
        got = until(d, 10, lambda: pane_lines(d, 1)[-1:] == ['"12"'])
        check("and the next block runs in the first pane again", got, pane_lines(d, 1)[-3:])
        language(d, "繁體中文")
        title = until(d, 5, lambda: text(d, ".lesson-title") == "計算瀏覽次數")
        check("switching the page to 繁體中文 shows the lesson's Chinese part", title,
              text(d, ".lesson-title"))
        check("with its own Run buttons", "在用戶端 2 執行" in run_buttons(d)[1].text,
              run_buttons(d)[1].text)
        d.find_element(By.CSS_SELECTOR, ".lesson-body a[href='#會過期的計數器']").click()
        check("a #fragment link goes to the heading and leaves the address alone",
              "#" not in d.current_url, d.current_url)
        web = d.find_element(By.CSS_SELECTOR, ".lesson-body a[href^='https://redis.io/']")
        check("a web link opens in a new tab, without the page as its opener",
              web.get_attribute("target") == "_blank"
              and "noopener" in web.get_attribute("rel"), web.get_attribute("rel"))
        d.find_element(By.CSS_SELECTOR, ".lesson-close").click()
        check("Close takes the lesson away", until(d, 5, lambda: not d.find_elements(
            By.CSS_SELECTOR, ".lesson")))
    finally:
        d.quit()


UNSAFE = """<!-- lang: en -->
# Unsafe things

<script>window.__ran = true</script>

A [bad link](javascript:window.__ran=true) and a [good one](https://redis.io/).

![A diagram](IMAGE)

<img src="IMAGE" onerror="window.__ran = true">

```redis client=3
PING
```
"""


def lesson_by_link_and_its_safety(url):
    cors, cors_url = files_server(True)
    plain, plain_url = files_server(False)
    example = open(EXAMPLE, "rb").read()
    unsafe = UNSAFE.replace("IMAGE", f"{cors_url}/pic.png").encode()
    Files.files.update({
        "/lessons/example.md": ("text/markdown; charset=utf-8", example),
        "/lessons/unsafe.md": ("text/markdown", unsafe),
        "/pic.png": ("image/png", png()),
        "/page.html": ("text/html", b"<html><body>not a lesson</body></html>"),
        "/big.md": ("text/markdown", b"x" * (300 * 1024)),
    })
    d = pagedriver.start_browser("1366,768")
    try:
        d.get(url + "#lesson=" + cors_url + "/lessons/example.md")
        pagedriver.wait_ready(d)
        language(d, "繁體中文")
        title = until(d, 10, lambda: text(d, ".lesson-title") == "計算瀏覽次數")
        check("a #lesson= link opens the lesson from another origin that allows it (CORS)",
              title, text(d, ".lesson-title") + text(d, ".lesson-error"))
        run_buttons(d)[3].click()
        got = until(d, 10, lambda: "(integer) 86400" in pane_lines(d, 1) and pane_lines(d, 1))
        check("its Run buttons run in the console", got, pane_lines(d, 1))
        language(d, "English")
        check("and it follows the page to English",
              until(d, 5, lambda: text(d, ".lesson-title") == "Counting page views"))

        js(d, DROP, "unsafe.md", list(unsafe), ".console")
        until(d, 10, lambda: text(d, ".lesson-title") == "Unsafe things")
        check("a .md file dropped anywhere replaces the lesson",
              text(d, ".lesson-title") == "Unsafe things", text(d, ".lesson-title"))
        check("a lesson's HTML is shown as its text, never run",
              "<script>" in text(d, ".lesson-body") and js(d, "return window.__ran") is None,
              text(d, ".lesson-body"))
        links = js(d, "return [...document.querySelectorAll('.lesson-body a')]"
                      ".map(a => a.getAttribute('href'))")
        check("a javascript: link is no link (only the https one is)",
              links == ["https://redis.io/"], links)
        refused = d.find_element(By.CSS_SELECTOR, ".lesson-refused")
        check("its words stay, the target named in a tooltip",
              refused.text == "bad link"
              and "javascript:" in refused.get_attribute("title"), refused.get_attribute("title"))
        check("a remote image is not fetched before the reader asks",
              Files.hits.get("/pic.png", 0) == 0 and not d.find_elements(
                  By.CSS_SELECTOR, ".lesson-body img"), Files.hits)
        ask = text(d, ".lesson-image-ask")
        check("it shows its alt text and where it would come from",
              "A diagram" in ask and cors_url.split("//")[1] in ask, ask)
        d.find_element(By.CSS_SELECTOR, ".lesson-image-load").click()
        loaded = until(d, 10, lambda: js(
            d, "const i = document.querySelector('.lesson-body img');"
               "return i && i.complete && i.naturalWidth"))
        check("Load image fetches it, once asked", loaded == 2 and Files.hits.get("/pic.png") == 1,
              (loaded, Files.hits))
        run_buttons(d)[0].click()
        got = until(d, 10, lambda: pane_lines(d, 3)[-1:] == ["PONG"])
        check("a block for client 3 opens the panes up to the third", got,
              js(d, "return document.querySelectorAll('.pane').length"))

        for hash, words, why in [
            (f"#lesson={plain_url}/lessons/example.md", "CORS", "a server without CORS"),
            (f"#lesson={cors_url}/lessons/missing.md", "HTTP 404", "a missing file"),
            (f"#lesson={cors_url}/page.html", "is not a Markdown lesson", "an HTML page"),
            (f"#lesson={cors_url}/big.md", "up to 262144 bytes", "a file over 256 KB"),
        ]:
            js(d, "location.hash = arguments[0]", hash)
            until(d, 10, lambda: words in text(d, ".lesson-error"))
            error = text(d, ".lesson-error")
            check(f"{why} is said in words", words in error, error)
        language(d, "繁體中文")
        error = text(d, ".lesson-error")
        check("and in 繁體中文", "位元組" in error, error)
    finally:
        d.quit()
        cors.shutdown()
        plain.shutdown()


def main():
    dist = sys.argv[1] if len(sys.argv) > 1 else "dist"
    httpd = pagedriver.serve(dist)
    url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    run_parts([example_from_a_file, lesson_by_link_and_its_safety], url)
    httpd.shutdown()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
