"""tests/checks.py: how the Python tests count (the page tests and tests/package.py): `check`
prints one line per check and counts it; `summary` prints the closing `N passed, N failed` that
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


def summary():
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
