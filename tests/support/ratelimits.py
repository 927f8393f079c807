"""Rate-limit windows in tests: fixed on the clock (api.core.ratelimit), so a test that counts up
to a limit on a shared Redis must not straddle the end of one."""

from __future__ import annotations

import asyncio
import time


async def room_in_window(window: int, *, seconds: float = 15.0) -> None:
    """Return once the current window of `window` seconds has at least `seconds` left (at once,
    unless it is about to end: then as the next one begins)."""
    left = window - time.time() % window
    if left < seconds:
        await asyncio.sleep(left + 0.05)
