"""The pages in a real headless Chromium: claim list, search, dossier with its charts, the highlighted span.

Set COUNTERCLAIM_SCREENSHOTS=docs/screenshots to refresh the README's screenshots (`make screenshots`).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from counterclaim.stages.provenance import analyze_provenance
from counterclaim.store import Store
from counterclaim.web import create_app
from test_dossier_example import ExampleRecords, example_records, store_example

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

playwright_api = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, ExampleRecords]]:
    """A real uvicorn server on loopback over a SQLite store holding the example."""
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('web') / 'counterclaim.db'}")
    records = example_records()
    store_example(store, records)
    analyze_provenance(store)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", records
    server.should_exit = True
    thread.join(timeout=10)
    store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: CI installs Debian's chromium package.")
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("COUNTERCLAIM_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_search_open_dossier_and_follow_an_account(
    served: tuple[str, ExampleRecords], browser: object, shots: Path
) -> None:
    base, records = served
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(base + "/")
    assert page.locator("a.claim-link").count() == 1
    page.fill("#search", "coordinates for joint strikes near Al-Bab")
    page.click("#search-button")
    page.wait_for_url("**/?q=*")
    link = page.locator("a.claim-link")
    assert link.count() == 1
    assert "target coordinates" in link.inner_text()
    page.screenshot(path=str(shots / "claims.png"), full_page=True)

    link.click()
    # Opened from a search, the dossier judges each article's own row toward the searched text.
    page.wait_for_url(f"**/claims/{records.claim.id}?q=*")
    dated = sum(1 for a in records.accounts if a.stance.value != "unrelated")
    dots = page.locator("svg.timeline circle.account-dot")
    assert dots.count() == dated
    assert dots.first.is_visible()
    assert page.locator("svg.timeline circle.stance-denies").count() == 2
    assert page.locator("svg.relay-graph line.relay-edge").count() >= 4
    assert page.locator("svg.relay-graph path.reuse-edge").count() >= 1
    assert page.locator("#provenance-table").inner_text().count("not found") == 1
    box = page.locator("svg.timeline").bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    page.screenshot(path=str(shots / "dossier.png"), full_page=True)

    row = page.locator("#accounts-table tr", has_text="Eric Pahon")
    row.locator("a.evidence-link").click()
    page.wait_for_url("**/articles/**")
    anchor = page.evaluate("location.hash").lstrip("#")
    assert anchor.startswith("ev-")
    target = page.locator(f"mark#{anchor}")
    assert target.is_visible()
    assert "evidence" in (target.get_attribute("class") or "")
    start, end = (int(x) for x in anchor.split("-")[1:])
    text = records.articles["rferl"].text
    assert target.inner_text() == text[start:end] or text[start:end].startswith(target.inner_text())
    # The :target rule draws the outline, which shows the stylesheet loaded under the CSP.
    outline = page.evaluate(f"getComputedStyle(document.getElementById('{anchor}')).outlineStyle")
    assert outline == "solid"
    page.screenshot(path=str(shots / "article.png"), full_page=True)
    assert problems == []
    page.close()
