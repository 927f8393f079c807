"""Mutation `deleteAccount`: the account's posts and comments show as deleted, its profile is
emptied, its memberships dropped and its sessions ended, in one transaction; the ledger and the
chain's facts stay (they are the community's books). The address is freed (migration 0026), so
signing in with it again makes a new account, which the chain's facts about it then join."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.account import repository
from api.auth import sessions
from api.core import permissions
from api.core.errors import BadUserInput, Unauthenticated
from api.core.types import Info


async def delete_account(
    info: Info,
    confirm: Annotated[
        str,
        strawberry.argument(description="The account's own address (any letter case), to confirm."),
    ],
) -> bool:
    """Delete the signed-in account; `confirm` must be its address (any letter case), so that a
    stray click or a forged request deletes nothing."""
    viewer = await permissions.require_writer(info)
    if confirm.strip().lower() != viewer.address.lower():
        raise BadUserInput(
            "Type your account's address to confirm that you want to delete it.", field="confirm"
        )
    ctx = info.context
    async with ctx.pool.acquire() as conn, conn.transaction():
        if await repository.lock_account(conn, user_id=viewer.user_id) is None:
            raise Unauthenticated("This account was already deleted.")
        ended = await repository.delete_account(conn, user_id=viewer.user_id)
    # After the commit: every worker forgets the sessions (and closes their sockets), and
    # listings drop the deleted content.
    for token_hash in ended:
        await ctx.pubsub.session_ended(token_hash)
    await ctx.pubsub.content_changed()
    if ctx.response is not None:
        ctx.response.delete_cookie(sessions.COOKIE, path="/")
    return True


@strawberry.type
class AccountMutation:
    delete_account = strawberry.mutation(
        description=(
            "Deletes the signed-in person's account: their profile is emptied "
            "and their content kept without their name."
        ),
        resolver=delete_account,
    )
