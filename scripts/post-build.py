#!/usr/bin/env python3
"""scripts/post-build.py: trunk's post_build hook (Trunk.toml). It finishes the build in trunk's
staging folder, after every other file is there and before the folder becomes dist/:

- icons/icon-192.png and icons/icon-512.png, the app's icon for the web app manifest
  (web/manifest.webmanifest): drawn here, so the repository keeps no binary images;
- in a release build only, service-worker.js: web/service-worker.js with the build's VERSION
  (a digest of every file's name and bytes, so any change makes a new version) and PRECACHE
  (every file of the build, which the worker stores on install so that the page opens with
  no network). Never in a debug build: `trunk serve` must always show what was just built.

Needs only Python's standard library. `python3 scripts/post-build.py DIR [release]` runs it on
a folder by hand (tests/page_offline.py does, to make a "next" build).
"""
import hashlib
import json
import os
import struct
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKER = "service-worker.js"
ICON_SIZES = (192, 512)

# The icon: a white key on Redis red, full bleed (a "maskable" icon: the key stays inside the
# middle 80% that any mask keeps).
RED = (216, 44, 32)
WHITE = (255, 255, 255)


def inside_key(x, y):
    """Whether the point (x, y) of the unit square is on the key: a ring (the bow), a shaft to
    the right and two teeth below its end."""
    cx, cy = 0.36, 0.5
    d = ((x - cx) ** 2 + (y - cy) ** 2) ** 0.5
    if 0.075 <= d <= 0.165:
        return True
    if 0.5 - 0.035 <= y <= 0.5 + 0.035 and 0.5 <= x <= 0.76:
        return True
    for left in (0.6, 0.7):
        if left <= x <= left + 0.06 and 0.5 <= y <= 0.62:
            return True
    return False


def icon_png(size):
    """The icon as PNG bytes, each pixel's coverage from 4 x 4 samples (smooth edges)."""
    samples = [(i + 0.5) / 4 for i in range(4)]
    rows = bytearray()
    for py in range(size):
        rows.append(0)  # filter type: none
        for px in range(size):
            # Outside the key's bounding box a pixel is all red: no samples needed.
            if not (0.19 * size <= px + 1 and px <= 0.77 * size
                    and 0.33 * size <= py + 1 and py <= 0.67 * size):
                rows.extend(RED)
                continue
            hit = sum(
                inside_key((px + sx) / size, (py + sy) / size)
                for sy in samples
                for sx in samples
            ) / 16
            rows.extend(round(r + (w - r) * hit) for r, w in zip(RED, WHITE))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))


def build_files(staging):
    """Every file of the build but the service worker, as paths relative to `staging`."""
    files = []
    for folder, _, names in os.walk(staging):
        for name in names:
            rel = os.path.relpath(os.path.join(folder, name), staging).replace(os.sep, "/")
            if rel != WORKER:
                files.append(rel)
    return sorted(files)


def write_service_worker(staging):
    files = build_files(staging)
    digest = hashlib.sha256()
    for rel in files:
        digest.update(rel.encode() + b"\0")
        with open(os.path.join(staging, rel), "rb") as f:
            digest.update(hashlib.sha256(f.read()).digest())
    version = digest.hexdigest()[:16]
    with open(os.path.join(ROOT, "web", WORKER)) as f:
        template = f.read()
    for hole in ("__VERSION__", "__PRECACHE__"):
        if template.count(hole) != 1:
            sys.exit(f"post-build: web/{WORKER} must hold {hole} once")
    script = template.replace("__VERSION__", version).replace(
        "__PRECACHE__", json.dumps(["./" + rel for rel in files], indent=2))
    with open(os.path.join(staging, WORKER), "w") as f:
        f.write(script)
    print(f"post-build: {WORKER} version {version}, {len(files)} files precached")


def main():
    if len(sys.argv) > 1:
        staging, release = sys.argv[1], sys.argv[2:] == ["release"]
    else:
        staging = os.environ["TRUNK_STAGING_DIR"]
        release = os.environ.get("TRUNK_PROFILE") == "release"
    os.makedirs(os.path.join(staging, "icons"), exist_ok=True)
    for size in ICON_SIZES:
        with open(os.path.join(staging, "icons", f"icon-{size}.png"), "wb") as f:
            f.write(icon_png(size))
    if release:
        write_service_worker(staging)


main()
