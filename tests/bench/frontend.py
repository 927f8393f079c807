"""The web forum's own figures: how soon the front page is interactive on the full dataset, and
how large the JavaScript the browser downloads is.

Interactive: from the start of navigation until the first post's vote button can be pressed
(the page has rendered the listing and React has attached its handlers), in headless Chromium,
each load in a new browser context (no cache), anonymous as most readers are. Measured against
the server as production starts it, on the benchmark dataset.
"""

from __future__ import annotations

import asyncio
import gzip
import re
import statistics
from typing import Any

from tests.bench import config
from tests.bench.server import AgoraServer
from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS

LOADS = 7

# Runs in the page once the first vote button exists and is enabled: ms since navigation start.
_READY = """
() => {
  const button = document.querySelector('article.post-card button:not([disabled])');
  return button ? performance.now() : null;
}
"""


def bundle_sizes() -> dict[str, Any]:
    """Gzip sizes of the built assets: what index.html loads at once, and what loads later."""
    dist = config.PROJECT_ROOT / "frontend" / "dist"
    index = (dist / "index.html").read_text()
    initial = set(re.findall(r'(?:src|href)="/?(assets/[^"]+)"', index))
    sizes: dict[str, Any] = {"initial_kb": 0.0, "lazy_kb": 0.0, "files": {}}
    for path in sorted((dist / "assets").iterdir()):
        if path.suffix not in (".js", ".css"):
            continue
        kb = len(gzip.compress(path.read_bytes(), compresslevel=9)) / 1024
        name = f"assets/{path.name}"
        sizes["files"][name] = round(kb, 1)
        sizes["initial_kb" if name in initial else "lazy_kb"] += kb
    sizes["initial_kb"] = round(sizes["initial_kb"], 1)
    sizes["lazy_kb"] = round(sizes["lazy_kb"], 1)
    sizes["total_kb"] = round(sizes["initial_kb"] + sizes["lazy_kb"], 1)
    return sizes


async def _interactive_ms(url: str) -> list[float]:
    from playwright.async_api import async_playwright

    timings: list[float] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            for _ in range(LOADS):
                context = await browser.new_context(viewport={"width": 1280, "height": 800})
                page = await context.new_page()
                await page.goto(url, wait_until="commit")
                handle = await page.wait_for_function(_READY, polling="raf", timeout=30_000)
                timings.append(float(await handle.json_value()))
                await context.close()
        finally:
            await browser.close()
    return timings


def run(database_url: str) -> dict[str, Any]:
    with AgoraServer(database_url) as server:
        timings = asyncio.run(_interactive_ms(server.url + "/"))
    # The first load also warms the server's caches and the OS's file cache: report it apart.
    first, rest = timings[0], timings[1:]
    return {
        "front_page_interactive_ms": {
            "first_load": round(first, 1),
            "median": round(statistics.median(rest), 1),
            "max": round(max(rest), 1),
            "loads": [round(t, 1) for t in timings],
        },
        "bundle": bundle_sizes(),
    }
