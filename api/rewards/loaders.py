"""The loaders of the rewards' rows (see `api.core.loaders`): a page of rewards asks for its
epochs, lines and payouts in one query each."""

from __future__ import annotations

import asyncpg

from api.comments import repository as comments
from api.core.loaders import LoaderKey, Loaders, by_id, grouped_in_order, in_order
from api.rewards import repository

# (community id, epoch number, user id): one person's reward in one epoch.
RewardKey = tuple[int, int, int]
# (community id, epoch number).
EpochKey = tuple[int, int]


def _epoch_of(row: asyncpg.Record) -> EpochKey:
    return row["community_id"], row["epoch_number"]


def _reward_of(row: asyncpg.Record) -> RewardKey:
    return row["community_id"], row["epoch_number"], row["user_id"]


async def _load_epochs(loaders: Loaders, keys: list[EpochKey]) -> list[asyncpg.Record | None]:
    rows = await repository.get_epochs(loaders.pool, keys=keys)
    return in_order(rows, keys, lambda r: (r["community_id"], r["number"]))


async def _load_payouts(loaders: Loaders, keys: list[EpochKey]) -> list[list[asyncpg.Record]]:
    rows = await repository.get_payouts(loaders.pool, keys=keys)
    return grouped_in_order(rows, keys, _epoch_of)


async def _load_lines(loaders: Loaders, keys: list[RewardKey]) -> list[list[asyncpg.Record]]:
    rows = await repository.get_reward_lines(loaders.pool, keys=keys)
    return grouped_in_order(rows, keys, _reward_of)


# The most lines an epoch lists (its largest first).
MAX_EPOCH_LINES = 50


async def _load_epoch_lines(loaders: Loaders, keys: list[EpochKey]) -> list[list[asyncpg.Record]]:
    rows = await repository.get_epoch_lines(loaders.pool, keys=keys, limit=MAX_EPOCH_LINES)
    return grouped_in_order(rows, keys, _epoch_of)


async def _load_user_payouts(
    loaders: Loaders, keys: list[RewardKey]
) -> list[asyncpg.Record | None]:
    rows = await repository.get_user_payouts(loaders.pool, keys=keys)
    return in_order(rows, keys, _reward_of)


EPOCH: LoaderKey[EpochKey, asyncpg.Record | None] = LoaderKey("reward_epoch", _load_epochs)
# An epoch's mints, by batch, each with its outbox row's `status` and `tx_hash`.
PAYOUTS: LoaderKey[EpochKey, list[asyncpg.Record]] = LoaderKey("reward_payouts", _load_payouts)
# Why a person earned what they did in an epoch: the reward lines of their items.
LINES: LoaderKey[RewardKey, list[asyncpg.Record]] = LoaderKey("reward_lines", _load_lines)
# An epoch's lines, the largest first (at most MAX_EPOCH_LINES).
EPOCH_LINES: LoaderKey[EpochKey, list[asyncpg.Record]] = LoaderKey(
    "reward_epoch_lines", _load_epoch_lines
)
# The mint that pays a person's reward in an epoch (None: nothing queued for them).
USER_PAYOUT: LoaderKey[RewardKey, asyncpg.Record | None] = LoaderKey(
    "reward_user_payout", _load_user_payouts
)


async def _load_comments(loaders: Loaders, keys: list[int]) -> list[asyncpg.Record | None]:
    return by_id(await comments.get_comment_views_by_ids(loaders.pool, comment_ids=keys), keys)


# The comments a page of rewards names (the comments domain has no loader of its own).
COMMENT_VIEW: LoaderKey[int, asyncpg.Record | None] = LoaderKey(
    "reward_comment_view", _load_comments
)
