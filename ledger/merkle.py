"""The root of OpenZeppelin's `StandardMerkleTree` of `(address, uint256)` rows: what an epoch
mints, published as a CSV and carried by every one of its mints (`EpochMinted`).

The library's defaults, so that anyone can rebuild it with `StandardMerkleTree.of(rows,
["address", "uint256"])`: a leaf is keccak256(keccak256(abi.encode(address, amount))) (hashed
twice, so no leaf can pass for an inner node), the leaves are sorted, and each node hashes its
two children in sorted order. A proof of a row then checks with `MerkleProof.verify`.
"""

from __future__ import annotations

from collections.abc import Sequence

from eth_abi import encode
from eth_utils import keccak

LEAF_TYPES = ["address", "uint256"]


def leaf(address: str, amount: int) -> bytes:
    return keccak(keccak(encode(LEAF_TYPES, [address, amount])))


def _pair(a: bytes, b: bytes) -> bytes:
    return keccak(a + b if a <= b else b + a)


def root(rows: Sequence[tuple[str, int]]) -> bytes | None:
    """The tree's root; None for no rows (the library builds no tree of nothing)."""
    if not rows:
        return None
    leaves = sorted(leaf(address, amount) for address, amount in rows)
    # The library's array layout: leaves at the end, in reverse; node i's children at 2i+1, 2i+2.
    tree: list[bytes] = [b""] * (2 * len(leaves) - 1)
    for i, hashed in enumerate(leaves):
        tree[len(tree) - 1 - i] = hashed
    for i in range(len(tree) - 1 - len(leaves), -1, -1):
        tree[i] = _pair(tree[2 * i + 1], tree[2 * i + 2])
    return tree[0]
