"""Process-wide state that a library changes behind our back, put back at start-up."""

from __future__ import annotations

import sys

# Python's own default. py_ecc (imported by eth_account and web3) raises the limit to 100,000 on
# import; so high, a recursion runs off the end of the C stack before Python can refuse it, and
# a deeply nested JSON body took the whole process down (SIGSEGV) instead of raising
# RecursionError in one request.
RECURSION_LIMIT = 1000


def restore_recursion_limit() -> None:
    """Put the recursion limit back to Python's default, after the library that raises it has
    been imported (so that importing it later cannot raise it again)."""
    import py_ecc  # noqa: F401 - its import is what raises the limit

    sys.setrecursionlimit(RECURSION_LIMIT)
