"""The reward fields of User and Community (`User.rewards`, `User.rewardTotals`,
`Community.rewardEpochs`), resolved here and attached to those types by `api.server.schema`;
see `attach` for why."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.communities.resolvers import community_id_or_404
from api.communities.types import Community
from api.core.extend import extend_type
from api.core.pagination import Connection, Keyset, check_page_size, int32, moment, row_id
from api.core.scalars import BigInt
from api.core.types import After, CommunityName, First, Info
from api.rewards import repository
from api.rewards.types import Reward, RewardEpoch, RewardTotals
from api.users.types import User

_REWARDS = Keyset(
    "rewards",
    (moment, row_id, int32),
    lambda r: [r["ends_at"].isoformat(), r["community_id"], r["epoch_number"]],
)
_EPOCHS = Keyset("reward_epochs", (int32,), lambda r: [r["number"]])


async def rewards(
    root: User,
    info: Info,
    community: Annotated[
        str | None,
        strawberry.argument(description="Only those of this community (its name); null for all."),
    ] = None,
    first: First = 25,
    after: After = None,
) -> Connection[Reward]:
    """What this person earned, per community and epoch, newest first. Public, like karma: the
    books are as open as the chain they end up on."""
    check_page_size(first)
    community_id = await community_id_or_404(info, community) if community is not None else None
    key = _REWARDS.after(after)
    rows = await repository.list_user_rewards(
        info.context.pool,
        user_id=root.row_id,
        community_id=community_id,
        after=(key[0], key[1], key[2]) if key else None,
        limit=first + 1,
    )
    return _REWARDS.page(
        rows,
        first,
        lambda r: Reward(
            community_id=r["community_id"],
            epoch_number=r["epoch_number"],
            user_id=root.row_id,
            amount=BigInt(int(r["amount"])),
        ),
    )


async def reward_totals(
    root: User,
    info: Info,
    community: CommunityName,
) -> RewardTotals:
    """From the ledger's balances of this person's accounts in the community."""
    row = await repository.get_user_totals(
        info.context.pool,
        community_id=await community_id_or_404(info, community),
        user_id=root.row_id,
    )
    return RewardTotals(earned=BigInt(int(row["earned"])), paid=BigInt(int(row["paid"])))


# A paged field's steps, one call each (its page, its own query, its connection): alike in
# shape to the other paged fields by design.
async def reward_epochs(
    root: Community, info: Info, first: First = 25, after: After = None
) -> Connection[RewardEpoch]:
    """The community's epochs, the open one first, then the closed ones newest first."""
    key = _EPOCHS.start(first, after)
    rows = await repository.list_community_epochs(
        info.context.pool,
        community_id=root.row_id,
        before=key[0] if key else None,
        limit=first + 1,
    )
    return _EPOCHS.page(rows, first, RewardEpoch.from_row)


def attach() -> None:
    """Add the reward fields to User and Community (see `api.core.extend`): a reward names
    communities, posts and comments, which build on users, so this domain sits above them."""
    extend_type(
        User, "rewards", rewards, description="Their rewards, epoch by epoch, newest first."
    )
    extend_type(
        User,
        "reward_totals",
        reward_totals,
        description="What they have earned in the community, and what of it is on-chain.",
    )
    extend_type(
        Community, "reward_epochs", reward_epochs, description="Its reward epochs, newest first."
    )
