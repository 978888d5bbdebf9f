"""The committed page bundle was built from the committed sources (``web/``).

``web/build.mjs`` writes a hash of its inputs into ``build-info.json``; this recomputes it
the same way, so a change to ``web/`` without ``make web`` fails here (no Node.js needed).
``make web-check`` (run by CI) goes further: it rebuilds and compares the bytes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pipeline.picture.server import STATIC_DIR

WEB = Path(__file__).resolve().parents[3] / "web"


def _inputs_hash() -> str:
    files = ["build.mjs", "package.json", "package-lock.json"]
    files += [p.relative_to(WEB).as_posix() for p in (WEB / "src").rglob("*") if p.is_file()]
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(f"{name}\0".encode())
        digest.update((WEB / name).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def test_bundle_matches_the_sources() -> None:
    info = json.loads((STATIC_DIR / "build-info.json").read_text())
    assert info["inputs_sha256"] == _inputs_hash(), "web/ changed: run `make web` and commit"
    for name in ("index.html", "app.js", "app.css", "third-party-licences.txt"):
        assert (STATIC_DIR / name).stat().st_size > 0, name


def test_the_page_loads_nothing_from_elsewhere() -> None:
    page = (STATIC_DIR / "index.html").read_text()
    assert "http://" not in page and "https://" not in page
    css = (STATIC_DIR / "app.css").read_text()
    assert "url(http" not in css and "@import" not in css
