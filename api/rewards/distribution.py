"""What an epoch mints, as anyone can check it (`GET /rewards/{community}/{epoch}.csv`, routed
by `api.server.app`).

One row per recipient (`address,amount`, the amount in base units), in address order, summing
to the epoch's `distributed`: the rows of the OpenZeppelin `StandardMerkleTree` whose root is the
epoch's `merkleRoot` and rides in every one of its mints' `EpochMinted` events. In review it is
what will be minted unless the review voids more (no root yet); an open or unknown epoch has none.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from eth_utils import to_checksum_address

from agora.db import Executor
from api.rewards import repository


@dataclass(frozen=True, slots=True)
class Distribution:
    csv: str
    # Reviewed and minted (or being minted): it will not change any more.
    final: bool


async def epoch_distribution(db: Executor, *, community: str, number: int) -> Distribution | None:
    """The CSV of epoch `number` of the community named `community`; None if it is not closed."""
    epoch = await repository.get_epoch_by_name(db, name=community.lower(), number=number)
    if epoch is None or epoch["status"] == "open":
        return None
    rows = await repository.get_distribution(
        db, community_id=epoch["community_id"], number=epoch["number"]
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["address", "amount"])
    writer.writerows((to_checksum_address(r["address"]), int(r["amount"])) for r in rows)
    return Distribution(out.getvalue(), final=epoch["status"] != "review")
