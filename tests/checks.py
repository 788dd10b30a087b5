"""tests/checks.py: how the Python tests count (the page tests and tests/package.py): `check`
prints one line per check and counts it; `run_parts` runs a browser test's parts, each failing alone; `summary` prints the closing `N passed, N failed` that
scripts/test reads, and returns the exit status."""

passed = failed = 0


def check(what, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {what}")
    else:
        failed += 1
        print(f"FAIL {what} {detail}")


def run_parts(parts, url):
    """Runs each part of a browser test on the page at `url`, in order. A broken part (an
    exception, or one of pagedriver's waits ending the run when it times out) is one failed
    check, and the others still run."""
    for part in parts:
        print(f"# {part.__name__.replace('_', ' ')}")
        try:
            part(url)
        except (Exception, SystemExit) as e:
            check(f"{part.__name__} ran to its end", False, repr(e)[:300])


def summary():
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
