"""Demo data for a fresh forum: `agora seed`.

The demo people are anvil's first dev accounts, so a developer can sign in as any of them with
a wallet holding anvil's well-known keys. Running it twice adds nothing the second time.
"""

from __future__ import annotations

import logging
import random

from eth_account import Account

from agora.db import Executor, create_pool
from api.comments import repository as comments
from api.communities import repository as communities
from api.core import markdown
from api.posts import repository as posts
from api.users import repository as users
from api.votes import repository as votes

log = logging.getLogger("agora.seed")

ANVIL_MNEMONIC = "test test test test test test test test test test test junk"

COMMUNITIES = [
    (
        "agora",
        "Agora",
        "Talk about this forum: how it works, what it should do next.",
        ["Be kind", "Stay on topic"],
    ),
    (
        "governance",
        "Governance",
        "Proposals, elections and impeachments of moderators, on-chain.",
        ["Argue the proposal, not the person"],
    ),
    ("gardening", "Gardening", "Plants, soil, and the people who tend them.", ["No spam"]),
]

POSTS = [
    ("Welcome to Agora", "Every community here **governs itself**: members elect moderators."),
    ("How do community points work?", "Popular posts earn the community's token each epoch."),
    ("Proposal: weekly moderator reports", "Moderators would post a summary of their actions."),
    ("What is growing in your garden?", "Tomatoes here, and far too much mint."),
    ("Read the source", "The contracts are OpenZeppelin Governor with a moderator registry."),
    ("Ask me anything about quorum", "5% of a community's points must take part in a vote."),
]
# The demo people: anvil's dev accounts 0 to 7, with names, as the forum shows a name before an
# address (account 0, the operator's key, is alice).
DEMO_NAMES = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi")
DEMO_PEOPLE = len(DEMO_NAMES)


def dev_accounts(count: int) -> list[str]:
    Account.enable_unaudited_hdwallet_features()
    return [
        Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}").address
        for i in range(count)
    ]


async def seed(database_url: str) -> None:
    pool = await create_pool(database_url)
    try:
        if await communities.get_community_by_name(pool, name="agora"):
            log.info("demo data already present")
            return
        async with pool.acquire() as conn, conn.transaction():
            await _seed(conn)
        log.info("demo data added: %d communities, %d posts", len(COMMUNITIES), len(POSTS) * 3)
        # Moderators are the chain's: none until the communities are created on-chain.
        log.info(
            "their creators moderate them once `agora send` has created them on-chain and "
            "`agora index` has mirrored it (both run under `agora up`)"
        )
    finally:
        await pool.close()


async def _seed(conn: Executor) -> None:
    rng = random.Random(7)
    people = []
    for name, address in zip(DEMO_NAMES, dev_accounts(DEMO_PEOPLE), strict=True):
        person = await users.upsert_user_by_address(conn, address=address)
        people.append(
            await users.update_profile(
                conn,
                user_id=person["id"],
                display_name=name,
                set_display_name=True,
                bio=None,
                set_bio=False,
            )
        )
    for index, (name, title, description, rules) in enumerate(COMMUNITIES):
        creator = people[index]
        community = await communities.create_community(
            conn,
            name=name,
            title=title,
            description=description,
            description_html=markdown.render(description),
            rules=rules,
            creator_id=creator["id"],
        )
        assert community is not None
        for person in people:
            await communities.join_community(
                conn, community_id=community["id"], user_id=person["id"]
            )
        for title_text, body in rng.sample(POSTS, 3):
            author = rng.choice(people)
            post_id = await posts.create_post(
                conn,
                community_id=community["id"],
                author_id=author["id"],
                title=title_text,
                body=body,
                body_html=markdown.render(body),
                url=None,
            )
            parent: tuple[int, list[int]] | None = None
            for reply in ("Good point.", "I disagree, and here is why.", "Thanks for posting!"):
                commenter = rng.choice(people)
                comment_id = await comments.create_comment(
                    conn,
                    post_id=post_id,
                    parent_id=parent[0] if parent else None,
                    parent_path=parent[1] if parent else [],
                    author_id=commenter["id"],
                    body=reply,
                    body_html=markdown.render(reply),
                )
                parent = (comment_id, (parent[1] if parent else []) + [comment_id])
            for voter in rng.sample(people, rng.randint(1, len(people))):
                await votes.set_vote(
                    conn,
                    kind="Post",
                    target_id=post_id,
                    user_id=voter["id"],
                    value=rng.choice((1, 1, 1, -1)),
                )
