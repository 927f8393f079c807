"""Closing an epoch with a real Celery worker: who earns what, once, whatever happens."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from ledger.celery_app import SETTLE_PAYOUTS
from ledger.merkle import root
from tests.ledger.conftest import QUEUE, Worker, eventually, kill_while_waiting_on, mint_mined
from tests.support.factories import (
    create_comment,
    create_community_without_sender,
    create_post,
    vote,
)
from tests.support.graphql import Client, sign_in
from tests.support.server import LiveServer
from tests.support.sockets import Socket

TOKEN = 10**18

REMOVE_POST = 'mutation($id: ID!) { removePost(id: $id, reason: "spam") { isRemoved } }'
BAN = "mutation($input: BanUserInput!) { banUser(input: $input) { reason } }"
INBOX = "{ notifications { edges { node { kind actor { address } community { id } } } } }"
DELETE_ACCOUNT = "mutation($confirm: String!) { deleteAccount(confirm: $confirm) }"


async def people(live_server: LiveServer, http: httpx.AsyncClient, count: int) -> list[Client]:
    return [await sign_in(Client(live_server.graphql_url, http)) for _ in range(count)]


async def age(db: asyncpg.Connection, *clients: Client) -> None:
    """Given accounts two days old (the tests' economy ignores accounts younger than an hour)."""
    await db.execute(
        "UPDATE users SET created_at = now() - interval '2 days' WHERE address = ANY($1)",
        [c.account.address.lower() for c in clients],
    )


async def token_deployed(db: asyncpg.Connection, community: dict[str, Any]) -> int:
    """The id of a community created on-chain (`create_community_without_sender`), whose token
    the indexer has mirrored: the ledger pays it."""
    community_id: int | None = await db.fetchval(
        """SELECT c.id FROM communities c JOIN chain_communities m ON m.name = c.name
            WHERE c.name = $1""",
        community["name"],
    )
    assert community_id is not None, f"the mirror has no token for c/{community['name']}"
    return community_id


async def clock(db: asyncpg.Connection) -> str:
    at: datetime = await db.fetchval("SELECT clock_timestamp()")
    return at.isoformat()


async def earned(db: asyncpg.Connection, community_id: int, kind: str = "earned") -> dict[str, int]:
    """What each address has earned (and not yet received) in the community, or with
    `kind="onchain"` received on-chain, from the ledger's balances."""
    rows = await db.fetch(
        """SELECT u.address, b.balance FROM ledger_balances b JOIN users u ON u.id = b.user_id
            WHERE b.community_id = $1 AND b.kind = $2""",
        community_id,
        kind,
    )
    return {r["address"]: int(r["balance"]) for r in rows}


async def mint_intents(db: asyncpg.Connection, community_id: int) -> list[dict[str, Any]]:
    rows = await db.fetch(
        """SELECT dedupe_key, payload::text FROM operator_transactions
            WHERE kind = 'mint_epoch' AND payload->>'communityId' = $1::text ORDER BY id""",
        str(community_id),
    )
    import json

    return [{"dedupe_key": r["dedupe_key"], **json.loads(r["payload"])} for r in rows]


async def epoch(db: asyncpg.Connection, community_id: int, number: int) -> asyncpg.Record | None:
    return await db.fetchrow(
        "SELECT * FROM reward_epochs WHERE community_id = $1 AND number = $2",
        community_id,
        number,
    )


async def test_an_epoch_pays_eligible_votes_exactly_and_caps_leave_the_rest_in_the_pool(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
    worker: Worker,
    send: Callable[..., str],
) -> None:
    # given seven people: six with accounts two days old, one ("young") created just now
    alice, bob, carol, dave, erin, frank, young = await people(live_server, http, 7)
    await age(db, alice, bob, carol, dave, erin, frank)
    community = await create_community_without_sender(alice, live_server.settings)
    community_id = await token_deployed(db, community)
    name = community["name"]
    post_a = await create_post(alice, name, title="A")
    post_b = await create_post(bob, name, title="B")
    # (the young account writes the comment: its bob upvotes it, and nobody's vote is returned)
    comment_c = await create_comment(young, post_a["id"], body="C")
    post_d = await create_post(dave, name, title="D")
    # and votes: on A four eligible ups, plus alice's own, the young account's and frank's,
    # who is banned afterwards
    for voter in (bob, carol, dave, erin, alice, young, frank):
        await vote(voter, post_a["id"], "UP")
    await alice.data(BAN, {"input": {"community": name, "address": frank.account.address}})
    # on B two ups and one down; alice's up is withdrawn before the epoch closes
    for voter, direction in ((carol, "UP"), (erin, "UP"), (dave, "DOWN"), (alice, "UP")):
        await vote(voter, post_b["id"], direction)
    await vote(alice, post_b["id"], "NONE")
    # on the comment C one up; on D two ups, but D is removed
    await vote(bob, comment_c["id"], "UP")
    for voter in (bob, carol):
        await vote(voter, post_d["id"], "UP")
    await alice.data(REMOVE_POST, {"id": post_d["id"]})

    # when the operator closes the epoch now, through the worker
    result = worker.results(send(until=await clock(db), community_id=community_id))

    # then one epoch closed. Nobody held points at its start (the community's bootstrap): every
    # voter weighs 1, split over the authors they voted on. bob (A, C), carol (A, B), dave
    # (A, B) and erin (A, B) give each author a half: A weighs 2, B 0.5 + 0.5 - 0.5 (dave's
    # down) = 0.5, C 0.5 (3 in all); the 1000 tokens are shared 4:1:1, except that A's 666.67
    # is capped at half the emission (500)
    assert result == "1"
    lines = await db.fetch(
        """SELECT coalesce(p.title, m.body) AS item, l.votes, l.score, l.weight, l.share,
                  l.amount
             FROM reward_lines l
             LEFT JOIN posts p ON p.id = l.post_id LEFT JOIN comments m ON m.id = l.comment_id
            WHERE l.community_id = $1 AND l.epoch_number = 1 ORDER BY 1""",
        community_id,
    )
    assert [tuple(r.values()) for r in lines] == [
        ("A", 4, 4, 2_000_000, 666666666666666666667, 500 * TOKEN),
        ("B", 3, 1, 500_000, 166666666666666666667, 166666666666666666667),
        ("C", 1, 1, 500_000, 166666666666666666666, 166666666666666666666),
    ]
    assert await earned(db, community_id) == {
        alice.account.address.lower(): 500 * TOKEN,
        bob.account.address.lower(): 166666666666666666667,
        young.account.address.lower(): 166666666666666666666,
    }
    # and what the cap took stays in the community's pool, recorded: emission = paid + pool
    closed = await epoch(db, community_id, 1)
    assert closed is not None
    assert (closed["status"], closed["recipients"]) == ("closed", 3)
    assert closed["emission"] == 1000 * TOKEN
    assert closed["distributed"] == 833333333333333333333
    assert closed["undistributed"] == 166666666666666666667
    assert closed["distributed"] + closed["undistributed"] == closed["emission"]
    balances = {
        r["kind"]: int(r["balance"])
        for r in await db.fetch(
            """SELECT kind, sum(balance) AS balance FROM ledger_balances
                WHERE community_id = $1 GROUP BY kind""",
            community_id,
        )
    }
    assert balances == {
        "emission": -1000 * TOKEN,
        "pool": 166666666666666666667,
        "earned": 833333333333333333333,
    }
    # and every transfer's postings sum to zero
    unbalanced = await db.fetchval(
        """SELECT count(*) FROM (SELECT transfer_id FROM ledger_postings WHERE community_id = $1
            GROUP BY transfer_id HAVING sum(amount) <> 0) t""",
        community_id,
    )
    assert unbalanced == 0
    # and one mint is queued for the operator's sender, with the same numbers
    recipients = {
        alice.account.address: str(500 * TOKEN),
        bob.account.address: "166666666666666666667",
        young.account.address: "166666666666666666666",
    }
    order = sorted(recipients, key=str.lower)
    assert await mint_intents(db, community_id) == [
        {
            "dedupe_key": f"mint_epoch:{community_id}:1000",
            "communityId": community_id,
            "epoch": 1000,
            # the root of the epoch's distribution, carried to the chain by the mint
            "root": "0x" + root([(a, int(recipients[a])) for a in order]).hex(),
            "recipients": order,
            "amounts": [recipients[a] for a in order],
        }
    ]
    # and the next epoch is open, starting where this one ended
    following = await epoch(db, community_id, 2)
    assert following is not None
    assert (following["status"], following["starts_at"]) == ("open", closed["ends_at"])


async def scored_community(
    live_server: LiveServer, http: httpx.AsyncClient, db: asyncpg.Connection
) -> tuple[int, Client]:
    """Given a community with a token and one post with one eligible upvote: its id, author."""
    author, voter = await people(live_server, http, 2)
    await age(db, author, voter)
    community = await create_community_without_sender(author, live_server.settings)
    community_id = await token_deployed(db, community)
    post = await create_post(author, community["name"])
    await vote(voter, post["id"], "UP")
    return community_id, author


async def test_a_vote_withdrawn_and_cast_again_in_a_later_epoch_earns_its_author_once(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
    worker: Worker,
    send: Callable[..., str],
) -> None:
    # given a post P and a comment C, each with one eligible upvote, paid in epoch 1
    author, other, voter = await people(live_server, http, 3)
    await age(db, author, other, voter)
    community = await create_community_without_sender(author, live_server.settings)
    community_id = await token_deployed(db, community)
    post_p = await create_post(author, community["name"], title="P")
    comment_c = await create_comment(other, post_p["id"], body="C")
    for target in (post_p, comment_c):
        await vote(voter, target["id"], "UP")
    assert worker.results(send(until=await clock(db), community_id=community_id)) == "1"
    # when, in epoch 2, the voter withdraws both votes and casts them again; and votes for the
    # first time for a new post Q, then withdraws and casts that vote again too
    post_q = await create_post(other, community["name"], title="Q")
    for target in (post_p, comment_c):
        for direction in ("NONE", "UP"):
            await vote(voter, target["id"], direction)
    for direction in ("UP", "NONE", "UP"):
        await vote(voter, post_q["id"], direction)
    assert worker.results(send(until=await clock(db), community_id=community_id)) == "1"
    # then epoch 2 pays Q's author for one vote, and nothing more for P or C: each vote earned
    # its author once
    lines = await db.fetch(
        """SELECT l.epoch_number, coalesce(p.title, m.body) AS item, l.votes, l.amount
             FROM reward_lines l
             LEFT JOIN posts p ON p.id = l.post_id LEFT JOIN comments m ON m.id = l.comment_id
            WHERE l.community_id = $1 ORDER BY 1, 2""",
        community_id,
    )
    assert [tuple(r.values()) for r in lines] == [
        (1, "C", 1, 500 * TOKEN),
        (1, "P", 1, 500 * TOKEN),
        (2, "Q", 1, 500 * TOKEN),
    ]
    assert await earned(db, community_id) == {
        author.account.address.lower(): 500 * TOKEN,
        other.account.address.lower(): 1000 * TOKEN,
    }


async def test_a_vote_withdrawn_before_its_epoch_closed_counts_when_cast_again_later(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
    worker: Worker,
    send: Callable[..., str],
) -> None:
    # given a post whose only upvote is withdrawn before epoch 1 closes: epoch 1 pays nothing
    author, voter = await people(live_server, http, 2)
    await age(db, author, voter)
    community = await create_community_without_sender(author, live_server.settings)
    community_id = await token_deployed(db, community)
    post = await create_post(author, community["name"])
    for direction in ("UP", "NONE"):
        await vote(voter, post["id"], direction)
    assert worker.results(send(until=await clock(db), community_id=community_id)) == "1"
    assert await earned(db, community_id) == {}
    # when the voter casts it again in epoch 2
    await vote(voter, post["id"], "UP")
    assert worker.results(send(until=await clock(db), community_id=community_id)) == "1"
    # then epoch 2 counts it: it was never counted before
    lines = await db.fetch(
        "SELECT epoch_number, votes FROM reward_lines WHERE community_id = $1", community_id
    )
    assert [tuple(r.values()) for r in lines] == [(2, 1)]
    assert await earned(db, community_id) == {author.account.address.lower(): 500 * TOKEN}


async def test_a_vote_cast_before_the_end_and_committed_after_it_counts_in_the_epoch(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
    database_url: str,
    start: Callable[..., Worker],
    send: Callable[..., str],
) -> None:
    # given a post, and a worker that closes an epoch 6 s after its end
    author, voter = await people(live_server, http, 2)
    await age(db, author, voter)
    community = await create_community_without_sender(author, live_server.settings)
    community_id = await token_deployed(db, community)
    post = await create_post(author, community["name"])
    queue = f"{QUEUE}-grace"
    worker = start(queue, REWARD_CLOSE_GRACE_SECONDS="6")
    # and an upvote whose statement has started (its time is its start) but cannot commit yet:
    # the post's row is locked here, and the vote's trigger waits to update the post's score
    blocker = await asyncpg.connect(database_url)
    try:
        held = blocker.transaction()
        await held.start()
        await blocker.execute(
            "SELECT 1 FROM posts WHERE community_id = $1 FOR UPDATE", community_id
        )
        voting = asyncio.create_task(vote(voter, post["id"], "UP"))
        waiting = await eventually(
            lambda: db.fetchval(
                """SELECT count(*) FROM pg_stat_activity
                    WHERE datname = current_database() AND application_name = 'agora'
                      AND wait_event_type = 'Lock'"""
            ),
            within=30,
        )
        assert waiting == 1
        # when the epoch ends now, with the vote still uncommitted, which commits 2 s later
        task = send(queue, until=await clock(db), community_id=community_id)
        await asyncio.sleep(2)
        await held.commit()
    finally:
        await blocker.close()
    assert (await voting)["score"] == 1
    # then the close counted the vote in the epoch it was cast in
    assert worker.results(task) == "1"
    assert await earned(db, community_id) == {author.account.address.lower(): 500 * TOKEN}
    closed = await epoch(db, community_id, 1)
    assert closed is not None and closed["recipients"] == 1


async def test_closing_the_same_epoch_twice_at_once_pays_once(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
    worker: Worker,
    send: Callable[..., str],
) -> None:
    # given a scored community
    community_id, author = await scored_community(live_server, http, db)
    until = await clock(db)
    # when two closes race in the worker's two processes, and a third comes later
    racing = [send(until=until, community_id=community_id) for _ in range(2)]
    results = sorted(worker.results(task) for task in racing)
    late = worker.results(send(until=until, community_id=community_id))
    # then one of them closed the epoch and the others found nothing to do
    assert (results, late) == (["0", "1"], "0")
    # and the author is paid once: one reward, one mint intent
    assert await earned(db, community_id) == {author.account.address.lower(): 500 * TOKEN}
    assert [i["dedupe_key"] for i in await mint_intents(db, community_id)] == [
        f"mint_epoch:{community_id}:1000"
    ]
    assert (
        await db.fetchval(
            "SELECT count(*) FROM ledger_transfers WHERE community_id = $1 AND kind = 'reward'",
            community_id,
        )
        == 1
    )


async def test_a_mint_recorded_mined_is_booked_on_chain_once_and_the_epoch_is_paid(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
    worker: Worker,
    send: Callable[..., str],
) -> None:
    # given a closed epoch whose mint the operator's sender has sent and seen mined, and its
    # author listening to their inbox
    community_id, author = await scored_community(live_server, http, db)
    assert worker.results(send(until=await clock(db), community_id=community_id)) == "1"
    await mint_mined(db, community_id)
    live = await Socket.open(live_server.graphql_url, token=author.token)
    await live.subscribe("inbox", "subscription { notificationAdded { kind } }")
    # when payouts are settled, twice
    first = worker.results(send(task=SETTLE_PAYOUTS))
    second = worker.results(send(task=SETTLE_PAYOUTS))
    # then the points moved once from earned to on-chain, and the epoch is paid
    assert (first, second) == ("1", "0")
    address = author.account.address.lower()
    assert await earned(db, community_id) == {address: 0}
    assert await earned(db, community_id, "onchain") == {address: 500 * TOKEN}
    paid = await epoch(db, community_id, 1)
    assert paid is not None and paid["status"] == "paid"
    # and the author is told once that the community paid them
    told = [edge["node"] for edge in (await author.data(INBOX))["notifications"]["edges"]]
    assert [(n["kind"], n["actor"]) for n in told if n["kind"] == "REWARD_PAID"] == [
        ("REWARD_PAID", None)
    ]
    # live, as the ledger's settle committed it
    await live.until(lambda: bool(live.data("inbox")), seconds=15)
    assert live.data("inbox") == [{"notificationAdded": {"kind": "REWARD_PAID"}}]
    await live.close()


async def test_a_reward_owed_to_a_deleted_account_is_booked_to_it_not_to_the_addresss_new_one(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
    worker: Worker,
    send: Callable[..., str],
) -> None:
    # given a closed epoch whose author then deleted their account and signed in again
    community_id, author = await scored_community(live_server, http, db)
    assert worker.results(send(until=await clock(db), community_id=community_id)) == "1"
    assert author.account is not None
    old_id = await db.fetchval(
        "SELECT id FROM users WHERE address = $1", author.account.address.lower()
    )
    await author.data(DELETE_ACCOUNT, {"confirm": author.account.address})
    await sign_in(Client(live_server.graphql_url, http), author.account)
    # when the mint to the address is mined and settled
    await mint_mined(db, community_id)
    assert worker.results(send(task=SETTLE_PAYOUTS)) == "1"
    # then the deleted account's points went on-chain, and the new account has none
    balances = await db.fetch(
        """SELECT b.user_id, b.kind, b.balance FROM ledger_balances b
            WHERE b.community_id = $1 AND b.user_id IS NOT NULL""",
        community_id,
    )
    assert {(r["user_id"], r["kind"]): int(r["balance"]) for r in balances} == {
        (old_id, "earned"): 0,
        (old_id, "onchain"): 500 * TOKEN,
    }


async def test_a_worker_killed_mid_payout_pays_once_after_restart(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
    database_url: str,
    start: Callable[..., Worker],
    send: Callable[..., str],
) -> None:
    # given a scored community, and a worker (alone on its queue) whose broker redelivers an
    # unacknowledged task after 5 s
    community_id, author = await scored_community(live_server, http, db)
    queue = f"{QUEUE}-killed"
    first = start(queue, LEDGER_VISIBILITY_TIMEOUT_SECONDS="5")
    # when the close is delivered and the worker is SIGKILLed while it waits for the reward
    # lines, held locked: after booking, before its lines
    until = await clock(db)
    task = await kill_while_waiting_on(
        "reward_lines",
        first,
        db,
        database_url,
        lambda: send(queue, until=until, community_id=community_id),
    )
    # then nothing of the half-done payout remains
    still = await epoch(db, community_id, 1)
    assert still is not None and still["status"] == "open"
    assert await earned(db, community_id) == {}
    # when a new worker starts (no task is sent again: the broker redelivers the unacked one)
    second = start(queue, LEDGER_VISIBILITY_TIMEOUT_SECONDS="5")
    # then it runs the very task the killed worker had taken, and the epoch is paid once
    assert second.results(task, timeout=40) == "1"
    paid = await epoch(db, community_id, 1)
    assert paid is not None and paid["status"] == "closed"
    assert await earned(db, community_id) == {author.account.address.lower(): 500 * TOKEN}
    assert len(await mint_intents(db, community_id)) == 1


async def closed_up_to(db: asyncpg.Connection, community_id: int, number: int) -> None:
    """Waits until epoch `number` of the community is closed (the beat's work)."""

    async def closed() -> bool:
        found = await epoch(db, community_id, number)
        return found is not None and found["status"] != "open"

    assert await eventually(closed, within=30)


async def test_beat_started_twice_closes_short_epochs_one_after_another_once_each(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
    tmp_path: Path,
    start: Callable[..., Worker],
) -> None:
    # given epochs of 2 seconds, a worker and two beats each looking every half second
    economy = {"REWARD_EPOCH_SECONDS": "2", "LEDGER_BEAT_SECONDS": "0.5"}
    queue = f"{QUEUE}-beat"
    start(queue, **economy)
    for n in range(2):
        start(queue, "beat", AGORA_DATA_DIR=str(tmp_path / f"beat{n}"), **economy)
    # when a community with a scored post lives through a few epochs
    community_id, author = await scored_community(live_server, http, db)
    await closed_up_to(db, community_id, 3)
    # then its epochs follow each other without gap or overlap, each closed once, and each
    # emitted 1000 tokens, all distributed or in the pool
    epochs = await db.fetch(
        """SELECT number, starts_at, ends_at, emission, distributed, undistributed
             FROM reward_epochs WHERE community_id = $1 AND status <> 'open' ORDER BY number""",
        community_id,
    )
    assert [e["number"] for e in epochs] == list(range(1, len(epochs) + 1))
    assert all(a["ends_at"] == b["starts_at"] for a, b in zip(epochs, epochs[1:], strict=False))
    assert all(e["emission"] == 1000 * TOKEN for e in epochs)
    assert all(e["distributed"] + e["undistributed"] == e["emission"] for e in epochs)
    emitted = await db.fetchval(
        """SELECT count(*) FROM ledger_transfers WHERE community_id = $1 AND kind = 'emission'""",
        community_id,
    )
    assert emitted == len(epochs)
    # and the one vote was paid once (in the epoch it was cast in): one mint intent in all
    assert await earned(db, community_id) == {author.account.address.lower(): 500 * TOKEN}
    assert len(await mint_intents(db, community_id)) == 1


# A line of the ledger's log less its time stamp (the format of `agora`'s logging).
STAMPED = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (.*)$")


async def test_the_worker_and_the_beat_say_what_they_did_and_never_the_same_line_again(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
    tmp_path: Path,
    start: Callable[..., Worker],
) -> None:
    # given a worker and a beat run as an operator runs them, the beat's four tasks due every
    # half second, and epochs of a second
    economy = {"REWARD_EPOCH_SECONDS": "1", "LEDGER_BEAT_SECONDS": "0.5"}
    queue = f"{QUEUE}-quiet"
    worker = start(queue, log_tasks=False, **economy)
    beat = start(queue, "beat", AGORA_DATA_DIR=str(tmp_path / "beat"), **economy)
    # when a community with a scored post lives through a few epochs (a dozen ticks or more)
    community_id, _ = await scored_community(live_server, http, db)
    await closed_up_to(db, community_id, 3)
    # then each said once what it uses, and the worker what it did: each epoch closed once
    worker_said, beat_said = (
        [found.group(1) for found in map(STAMPED.match, process.text().splitlines()) if found]
        for process in (worker, beat)
    )
    assert any(line.startswith("agora ledger worker: queue") for line in worker_said)
    assert any(line.startswith("agora ledger beat: every 0.5 s") for line in beat_said)
    closed = [line for line in worker_said if f"of community {community_id} closed" in line]
    assert [line.split(" ")[2] for line in closed[:3]] == ["1", "2", "3"], worker_said
    # and neither said a line twice: not Celery's for each task sent, received and finished
    for lines in (worker_said, beat_said):
        assert {line for line in lines if lines.count(line) > 1} == set(), lines
        assert not [line for line in lines if "Sending due task" in line or "succeeded in" in line]
