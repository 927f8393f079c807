"""The reward formula (docs/rewards.md): an epoch's emission, and its split.

Everything is integer arithmetic on token base units (18 decimals): shares are floored and the
units left over go one each to the largest remainders, so the split adds up exactly.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from operator import attrgetter
from typing import Literal, NamedTuple

ItemKind = Literal["post", "comment"]


def emission(number: int, *, base: int, decay_epochs: int, decay_factor: Decimal) -> int:
    """What epoch `number` (1, 2, …) emits: `base`, times `decay_factor` once per full
    `decay_epochs` epochs before it (never decays when `decay_epochs` is 0), floored."""
    if decay_epochs <= 0:
        return base
    steps = (number - 1) // decay_epochs
    return math.floor(base * Fraction(decay_factor) ** steps)


def vote_weight(points: int) -> float:
    """A voter's weight from the whole points they held at the epoch's start: concave, so that
    100 times the points is 10 times the say (docs/rewards.md)."""
    return math.sqrt(points)


class Item(NamedTuple):
    """A post or comment that scored in the epoch: `votes` eligible votes whose balance (up -
    down) is `score`, and `weight` (> 0) the same votes weighted by their voters' standing, in
    millionths (ledger/epochs.sql): the split's measure. `low_standing`: the part of its
    up-weight from voters with little standing (0 to 1, six decimals), for the moderators."""

    kind: ItemKind
    id: int
    author_id: int
    votes: int
    score: int
    weight: int
    low_standing: Decimal = Decimal(0)


# Named tuples, not dataclasses: an epoch has hundreds of thousands of items and lines, and a
# frozen dataclass costs several times a tuple to build (tests/bench/README.md, "Rewards").
class Line(NamedTuple):
    """An item's reward: `share` of the emission by weight, `amount` after the caps."""

    item: Item
    share: int
    amount: int


def largest_remainder(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights`: each part floored, then the units left over
    given one each to the largest remainders (the earlier weight first on a tie)."""
    whole = sum(weights)
    if whole == 0:
        return [0] * len(weights)
    parts: list[int] = []
    remainders: list[int] = []
    for w in weights:
        part, remainder = divmod(total * w, whole)
        parts.append(part)
        remainders.append(remainder)
    left = total - sum(parts)
    if left:
        # Largest remainder first; a stable sort keeps the earlier weight first on a tie, even
        # reversed (without a tuple per weight: an epoch can have hundreds of thousands).
        for i in sorted(range(len(weights)), key=remainders.__getitem__, reverse=True)[:left]:
            parts[i] += 1
    return parts


def split(
    emission: int, items: list[Item], *, max_item_share: Decimal, max_author_share: Decimal
) -> list[Line]:
    """Each item's share of `emission` in proportion to its weight, then capped: no item above
    `max_item_share` of the emission, no author above `max_author_share` (an author over the cap
    gets the cap, split among their items in proportion to what each had). What the caps take
    is not given to others: it stays in the community's pool."""
    # Ties of remainders go to posts before comments, then to older (smaller) ids: sorted by id,
    # then by kind ("post" after "comment", so reversed; the sort stays stable reversed).
    ordered = sorted(items, key=attrgetter("id"))
    ordered.sort(key=attrgetter("kind"), reverse=True)
    shares = largest_remainder(emission, [item.weight for item in ordered])
    item_cap = math.floor(emission * Fraction(max_item_share))
    amounts = [min(share, item_cap) for share in shares]
    author_cap = math.floor(emission * Fraction(max_author_share))
    totals: dict[int, int] = {}
    for item, amount in zip(ordered, amounts, strict=True):
        totals[item.author_id] = totals.get(item.author_id, 0) + amount
    over = {author for author, total in totals.items() if total > author_cap}
    if over:
        by_author: dict[int, list[int]] = {author: [] for author in over}
        for index, item in enumerate(ordered):
            if item.author_id in over:
                by_author[item.author_id].append(index)
        for indexes in by_author.values():
            capped = largest_remainder(author_cap, [amounts[i] for i in indexes])
            for i, amount in zip(indexes, capped, strict=True):
                amounts[i] = amount
    return list(map(Line, ordered, shares, amounts))
