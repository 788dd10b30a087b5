#!/usr/bin/env python3
"""Publishing, checked as far as it can be here: `scripts/package` turns the built dist/ into
archives a static host takes, and the GitHub Pages workflow is a valid workflow file.

    python3 tests/package.py dist/

- both archives hold every file of dist/, byte for byte, under one versioned folder, and
  nothing else; SHA256SUMS verifies them;
- packaging the same dist/ twice gives the same bytes (an archive says what it was built from);
- .github/workflows/pages.yml passes the schema of GitHub's workflow files (check-jsonschema's
  own copy: nothing is downloaded), and builds with scripts/package and publishes dist/.

Ends with "N passed, N failed"; exits 1 on any failure.
"""

import hashlib
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
from checks import check, summary  # noqa: E402


def package(dist, out):
    run = subprocess.run(
        ["bash", os.path.join(ROOT, "scripts/package"), "--no-build", "--out", out],
        cwd=ROOT, capture_output=True, text=True,
    )
    check("scripts/package --no-build runs", run.returncode == 0, run.stderr[-2000:])
    return {name: open(os.path.join(out, name), "rb").read() for name in sorted(os.listdir(out))}


def main():
    dist = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "dist"))
    if os.path.realpath(dist) != os.path.realpath(os.path.join(ROOT, "dist")):
        sys.exit("scripts/package packages the repository's dist/: give dist/")
    want = {}
    for d, _, names in os.walk(dist):
        for f in names:
            path = os.path.join(d, f)
            want[os.path.relpath(path, dist)] = open(path, "rb").read()

    with tempfile.TemporaryDirectory() as tmp:
        first = package(dist, os.path.join(tmp, "a"))
        again = package(dist, os.path.join(tmp, "b"))
        names = [n for n in first if n != "SHA256SUMS"]
        tars = [n for n in names if n.endswith(".tar.gz")]
        zips = [n for n in names if n.endswith(".zip")]
        check("one .tar.gz, one .zip and SHA256SUMS",
              len(tars) == 1 and len(zips) == 1 and "SHA256SUMS" in first, sorted(first))
        if not (tars and zips):
            return
        stem = tars[0][: -len(".tar.gz")]
        check("the name says the version and the commit",
              re.fullmatch(r"keyspace-playground-\d+\.\d+\.\d+\+[0-9a-f]{8}(-dirty)?", stem), stem)
        check("the zip has the same name", zips[0] == stem + ".zip", zips)

        out = os.path.join(tmp, "a")
        with tarfile.open(os.path.join(out, tars[0])) as tar:
            members = [m for m in tar.getmembers() if m.isfile()]
            got = {m.name: tar.extractfile(m).read() for m in members}
            owners = {(m.uid, m.gid, m.uname, m.gname) for m in members}
        check("the tar.gz holds dist/ byte for byte under its folder",
              got == {f"{stem}/{rel}": data for rel, data in want.items()},
              sorted(set(got) ^ {f"{stem}/{rel}" for rel in want})[:10])
        check("owned by nobody in particular", owners == {(0, 0, "", "")}, owners)
        with zipfile.ZipFile(os.path.join(out, zips[0])) as z:
            got = {i.filename: z.read(i) for i in z.infolist() if not i.is_dir()}
        check("the zip holds the same files",
              got == {f"{stem}/{rel}": data for rel, data in want.items()},
              sorted(set(got) ^ {f"{stem}/{rel}" for rel in want})[:10])
        check("dist/ has the page and both programs",
              "index.html" in want and sum(rel.endswith(".wasm") for rel in want) >= 2,
              sorted(want))

        sums = {}
        for line in first["SHA256SUMS"].decode().splitlines():
            digest, name = line.split("  ", 1)
            sums[name] = digest
        check("SHA256SUMS verifies both archives",
              sums == {n: hashlib.sha256(first[n]).hexdigest() for n in names}, sums)
        check("packaging the same dist/ again gives the same bytes", first == again,
              [n for n in first if first[n] != again.get(n)])

    workflow = os.path.join(ROOT, ".github/workflows/pages.yml")
    lint = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema",
         "vendor.github-workflows", workflow],
        capture_output=True, text=True,
    )
    check("pages.yml is a valid GitHub workflow (check-jsonschema)", lint.returncode == 0,
          lint.stdout + lint.stderr)
    text = open(workflow).read()
    check("it builds with scripts/package and publishes dist/",
          "bash scripts/package" in text and re.search(r"upload-pages-artifact@v\d+\s+with:\s+path: dist\b", text)
          and "deploy-pages@" in text)


main()
sys.exit(summary())
