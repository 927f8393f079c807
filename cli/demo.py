"""The second half of `agora seed`: governance and the token economy, alive on a first run.

After the forum's demo data (`api.seed`), the community `governance` gets:

1. a genesis grant: points for its members, booked by the ledger (`ledger.genesis`) and minted
   by the operator's sender like an epoch (the demo never uses the operator's key itself);
2. an executed election (the candidate is a moderator since), a defeated election and an
   active one, proposed, voted and executed by the members themselves: they are anvil's dev
   accounts, whose keys everyone knows, and each signs its own transactions. Voting waits a
   day and lasts three, so the demo moves the chain's clock (anvil's `evm_increaseTime`) and
   says so; it only runs on anvil;
3. a paid reward epoch: the seed's votes count once the demo people are old enough accounts
   (they are backdated), the epoch is closed now (as `agora ledger close --now`), its review
   ended now (as `agora ledger release --now`), and paid: its CSV and merkle root published,
   the root in its mint's `EpochMinted` event.

Every step looks at what is done first (the books, the outbox, the chain), so running it again
does nothing twice and picks up where an interrupted run stopped. It needs the chain and its
deployment (`agora up`); the sender and the indexer are started here if none runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeVar

import asyncpg
from eth_account import Account
from web3 import Web3

import sender as operator_sender
from agora.chain import ChainError, connect, send_transaction
from agora.settings import Settings
from agora.sql import load
from api.core.ids import encode as encode_id
from api.seed import ANVIL_MNEMONIC, DEMO_PEOPLE, dev_accounts
from cli.stack import INDEXER, SENDER, services
from governance.anvil import CHAIN_ID as ANVIL_CHAIN_ID
from governance.deploy import (
    Deployment,
    contract_at,
    deployed_contract,
    is_live,
    load_deployment,
)
from governance.devchain import advance_time
from governance.governor import Ballot, Governor
from governance.operator import POINT
from governance.proposals import Proposal, Support
from governance.tips import item_ref, sign_permit
from indexer import repository as indexer_repository
from ledger import epochs, genesis, release, settlement
from ledger.connection import connect as connect_ledger

queries = load(__file__, "demo.sql")

COMMUNITY = "governance"
# The demo people are anvil's dev accounts 0-7 (api.seed); account 0 is the operator's key,
# which only the sender uses, so the members who hold points and vote are accounts 1-7.
MEMBER_INDEXES = range(1, 8)
GENESIS_POINTS = 100 * POINT
# Each demo tip: members tip each other's posts in a ring, so nobody ends poorer than the genesis.
DEMO_TIP = 5 * POINT
WAIT_SECONDS = 180.0
POLL_SECONDS = 0.2

T = TypeVar("T")


def say(line: str) -> None:
    print(f"agora seed: {line}", flush=True)


@dataclass(frozen=True, slots=True)
class Member:
    index: int
    address: str  # checksummed
    key: str


def members() -> list[Member]:
    Account.enable_unaudited_hdwallet_features()
    found = []
    for index in MEMBER_INDEXES:
        account = Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
        found.append(Member(index, account.address, "0x" + bytes(account.key).hex()))
    return found


class DemoUnavailable(Exception):
    """The demo cannot run here; the message says what to run."""


def chain_of(settings: Settings) -> tuple[Web3, Deployment]:
    """The deployment's chain, checked to be anvil (the demo moves its clock)."""
    if not settings.deployment_file.exists():
        raise DemoUnavailable(
            f"no deployment at {settings.deployment_file}: start `agora up` (or `make up`) in "
            "another terminal, then run `agora seed` again"
        )
    deployment = load_deployment(settings.deployment_file)
    rpc_url = settings.chain_rpc_url or str(deployment["rpcUrl"])
    try:
        w3 = connect(rpc_url, timeout=10)
    except ChainError:
        raise DemoUnavailable(
            f"no chain answers at {rpc_url}: start `agora up` (or `make up`) in another "
            "terminal, then run `agora seed` again"
        ) from None
    if w3.eth.chain_id != ANVIL_CHAIN_ID:
        raise DemoUnavailable(
            f"the chain at {rpc_url} is not anvil (chain id {w3.eth.chain_id}): the demo "
            "moves the chain's clock, which only a local chain allows"
        )
    if not is_live(w3, deployment):
        raise DemoUnavailable(
            f"the chain at {rpc_url} does not hold the contracts of {settings.deployment_file}: "
            "`agora up` deploys them; then run `agora seed` again"
        )
    return w3, deployment


async def _running(conn: asyncpg.Connection, lock_key: int) -> bool:
    if await conn.fetchval(queries.try_lock, lock_key):
        await conn.fetchval(queries.unlock, lock_key)
        return False
    return True


async def forum_seeded(database_url: str) -> bool:
    """Whether the forum's demo data (api.seed) is there."""
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchrow(queries.get_community, COMMUNITY) is not None
    finally:
        await conn.close()


async def missing_services(database_url: str) -> list[str]:
    """The `agora` services the demo needs that no process runs: `send`, `index`."""
    conn = await asyncpg.connect(database_url)
    try:
        missing = []
        if not await _running(conn, operator_sender.LOCK_KEY):
            missing.append("send")
        if not await _running(conn, indexer_repository.LOCK_KEY):
            missing.append("index")
        return missing
    finally:
        await conn.close()


async def _wait(what: str, hint: str, check: Callable[[], Awaitable[T | None]]) -> T:
    """`check()`'s first answer that is neither None nor False, polled up to WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        answer = await check()
        if answer is not None and answer is not False:
            return answer
        if time.monotonic() > deadline:
            raise DemoUnavailable(f"waited {WAIT_SECONDS:.0f} s for {what}: {hint}")
        await asyncio.sleep(POLL_SECONDS)


SENDER_HINT = "is `agora send` running (agora up starts it)? See its log"
INDEXER_HINT = "is `agora index` running (agora up starts it)? See its log"


class Clock:
    """Moves anvil's clock past a timepoint, adding up how far it moved."""

    def __init__(self, w3: Web3) -> None:
        self.w3 = w3
        self.moved = 0

    def past(self, timepoint: int) -> None:
        """The next block is stamped after `timepoint`."""
        now = int(self.w3.eth.get_block("latest")["timestamp"])
        if now <= timepoint:
            advance_time(self.w3, timepoint - now + 1)
            self.moved += timepoint - now + 1


def run_tips(w3: Web3, deployment: Deployment, token: str, posts: list[tuple[str, str]]) -> int:
    """Each author of `posts` ((GraphQL id, author address)) tips the next one's post, from
    their wallet with a permit; returns how many tips were sent."""
    if len(posts) < 2 or "tips" not in deployment["contracts"]:
        return 0
    tips = deployed_contract(w3, deployment, "tips")
    community_token = contract_at(w3, "CommunityToken", token)
    keys = {m.address.lower(): m.key for m in members()}
    deadline = int(w3.eth.get_block("latest")["timestamp"]) + 3600
    for (_, tipper), (post_id, author) in zip(posts, posts[1:] + posts[:1], strict=True):
        permit = sign_permit(community_token, keys[tipper], tips.address, DEMO_TIP, deadline)
        call = tips.functions.tipWithPermit(
            community_token.address,
            Web3.to_checksum_address(author),
            DEMO_TIP,
            item_ref(post_id),
            *permit.args(),
        )
        send_transaction(w3, keys[tipper], call)
    return len(posts)


def _ballots(people: list[Member], support: Support, *indexes: int) -> list[Ballot]:
    return [Ballot(m, support) for m in people if m.index in indexes]


def run_governance(w3: Web3, deployment: Deployment, governor: str) -> dict[str, Proposal]:
    """Members propose, vote and execute; returns the proposals by the state they are left in.
    Each step is skipped when the chain shows it done."""
    people = members()
    by_index = {m.index: m for m in people}
    gov = Governor(w3, deployment, governor, COMMUNITY)
    clock = Clock(w3)
    elected = gov.election(
        by_index[2], "They answer reports within a day and wrote the community's rules."
    )
    defeated = gov.election(by_index[3], "A second opinion: they joined last week.")
    active = gov.election(by_index[4], "Weekends need a moderator too.")

    if not (gov.exists(elected) and gov.exists(defeated)):
        # A proposer's votes are read a second before the proposal: a block after the mint.
        clock.past(int(w3.eth.get_block("latest")["timestamp"]))
    proposed = [p for p, who in ((elected, 1), (defeated, 2)) if gov.propose(p, by_index[who])]
    if proposed:
        say(f"members proposed {len(proposed)} moderator election(s)")
    clock.past(max(gov.snapshot(elected), gov.snapshot(defeated)))
    cast = gov.vote(elected, _ballots(people, Support.FOR, 1, 2, 3))
    cast += gov.vote(elected, _ballots(people, Support.AGAINST, 5))
    cast += gov.vote(defeated, _ballots(people, Support.AGAINST, 1, 2, 4))
    cast += gov.vote(defeated, _ballots(people, Support.FOR, 3))
    clock.past(max(gov.deadline(elected), gov.deadline(defeated)))
    if gov.execute(elected, by_index[1]):
        say(f"the election of {by_index[2].address} passed and was executed")
    if gov.propose(active, by_index[3]):
        say("a member proposed another election, left open for votes")
    clock.past(gov.snapshot(active))
    cast += gov.vote(active, _ballots(people, Support.FOR, 3, 6))
    cast += gov.vote(active, _ballots(people, Support.AGAINST, 7))
    if cast:
        say(f"members cast {cast} vote(s), each with their own key")
    if clock.moved:
        say(
            f"moved the chain's clock {clock.moved} s ({clock.moved / 86400:.1f} days) ahead "
            "(anvil evm_increaseTime): voting starts a day after a proposal and lasts three; "
            "the chain's time stays that far ahead of the wall clock"
        )
    return {"EXECUTED": elected, "DEFEATED": defeated, "ACTIVE": active}


async def _grant_genesis(conn: asyncpg.Connection, community: int) -> None:
    people = members()
    users = await conn.fetch(queries.get_users_by_addresses, [m.address.lower() for m in people])
    amounts = {int(r["id"]): GENESIS_POINTS for r in users}
    if await genesis.grant(conn, community, amounts):
        say(
            f"genesis grant of {GENESIS_POINTS // POINT} points to each of {len(amounts)} members "
            f"of {COMMUNITY} booked in the ledger; its mint is queued for the operator's sender"
        )


def _points(amount: int) -> Decimal:
    return Decimal(amount) / POINT


async def _close_reward_epoch(conn: asyncpg.Connection, settings: Settings, community: int) -> bool:
    """Closes the community's open epoch now unless one paid someone already, and ends its review
    now; whether one has paid (or will, once its mint is mined)."""
    if not await conn.fetchval(queries.count_paid_epochs, community):
        for closed in await epochs.close_due_epochs(
            conn, settings, until=datetime.now(UTC), community_id=community
        ):
            say(
                f"closed reward epoch {closed.number} of {COMMUNITY}: "
                f"{_points(closed.distributed)} of {_points(closed.emission)} points to "
                f"{closed.recipients} authors, for the seed's votes"
            )
    # The demo does not wait the review window (a day): it ends now, as `agora ledger release
    # --now` ends it, here or after an interrupted run.
    for released in await release.release_reviewed_epochs(
        conn, settings, until=datetime.now(UTC), community_id=community
    ):
        root = "0x" + released.root.hex() if released.root else "none"
        say(
            f"ended the review of reward epoch {released.number} of {COMMUNITY} now (as `agora "
            f"ledger release --now`): {_points(released.distributed)} points to mint, merkle "
            f"root {root}, distribution at /rewards/{COMMUNITY}/{released.number}.csv"
        )
    if await conn.fetchval(queries.count_paid_epochs, community):
        return True
    say(
        f"no reward epoch of {COMMUNITY} pays anyone: its votes were counted in an epoch "
        "closed before the demo ran (a forum seeded by an older `agora seed`)"
    )
    return False


async def run_economy_and_governance(
    settings: Settings, database_url: str, w3: Web3, deployment: Deployment
) -> None:
    conn = await connect_ledger(database_url, settings)
    try:
        community = await conn.fetchrow(queries.get_community, COMMUNITY)
        if community is None:
            raise DemoUnavailable(f"no community {COMMUNITY!r}: the forum's seed did not run")
        community_id_ = int(community["id"])
        # The seed's voters become old enough accounts for their votes to earn rewards.
        await conn.execute(
            queries.backdate_users,
            [address.lower() for address in dev_accounts(DEMO_PEOPLE)],
            community["created_at"],
            float(settings.reward_min_account_age_seconds + 3600),
        )

        async def mirrored() -> asyncpg.Record | None:
            row: asyncpg.Record | None = await conn.fetchrow(
                queries.get_mirrored_community, COMMUNITY
            )
            return row

        chain = await _wait(
            f"{COMMUNITY} to be created on-chain and mirrored",
            f"{SENDER_HINT}; {INDEXER_HINT}",
            mirrored,
        )
        token, governor = str(chain["token"]), str(chain["governor"])

        await _grant_genesis(conn, community_id_)

        async def genesis_booked() -> bool:
            if await genesis.status(conn, community_id_) == "failed":
                raise DemoUnavailable(
                    f"the genesis mint failed: see the error of its intent "
                    f"{genesis.dedupe_key(community_id_)!r} in operator_transactions"
                )
            return await genesis.settle(conn, community_id_)

        await _wait("the genesis mint", SENDER_HINT, genesis_booked)
        addresses = [m.address.lower() for m in members()]

        async def holders() -> bool:
            count: int = await conn.fetchval(queries.count_holders, token, addresses)
            return count == len(addresses)

        await _wait("the members' points in the mirror", INDEXER_HINT, holders)
        say(f"members of {COMMUNITY} hold points (mirrored from the chain by the indexer)")

        proposals = await asyncio.to_thread(run_governance, w3, deployment, governor)
        contract = contract_at(w3, "CommunityGovernor", governor)
        ids = {state: str(p.id(contract)) for state, p in proposals.items()}

        async def governance_mirrored() -> bool:
            rows = await conn.fetch(queries.get_proposal_states, governor, list(ids.values()))
            states = {r["proposal_id"]: r["state"] for r in rows}
            return all(states.get(i) == state for state, i in ids.items())

        await _wait("the proposals' states in the mirror", INDEXER_HINT, governance_mirrored)
        say(f"{COMMUNITY} shows an executed, a defeated and an active election")

        if await conn.fetchval(queries.count_tips, token) == 0:
            rows = await conn.fetch(queries.get_tippable_posts, COMMUNITY, addresses)
            posts = [(encode_id("Post", int(r["id"])), str(r["address"])) for r in rows]
            sent = await asyncio.to_thread(run_tips, w3, deployment, token, posts)

            async def tips_mirrored() -> bool:
                count: int = await conn.fetchval(queries.count_tips, token)
                return count >= sent

            await _wait("the tips in the mirror", INDEXER_HINT, tips_mirrored)
            if sent:
                say(f"members of {COMMUNITY} tipped each other's posts ({sent} tips)")

        if not await _close_reward_epoch(conn, settings, community_id_):
            return

        async def paid() -> bool:
            await settlement.settle_payouts(conn)
            paid: int = await conn.fetchval(queries.count_paid_epochs, community_id_, column=1)
            return paid > 0

        await _wait("a paid reward epoch", SENDER_HINT, paid)
        say(f"a reward epoch of {COMMUNITY} is paid (its mint mined and booked)")
    finally:
        await conn.close()


@contextlib.contextmanager
def services_for_demo(
    settings: Settings, database_url: str, redis_url: str, missing: list[str]
) -> Iterator[None]:
    """Runs the missing `agora send` / `agora index` for the demo's length."""
    commands: dict[str, list[str]] = {}
    if "send" in missing:
        say("no `agora send` runs: starting one for the demo")
        commands |= SENDER
    if "index" in missing:
        say("no `agora index` runs: starting one for the demo")
        commands |= INDEXER
    with services(settings, database_url, redis_url, commands):
        yield


def run(settings: Settings, database_url: str, redis_url: str) -> bool:
    """The demo after the forum's seed; False (having said why and what to run) when it cannot
    run here."""
    try:
        w3, deployment = chain_of(settings)
        settings = dataclasses.replace(
            settings, chain_rpc_url=settings.chain_rpc_url or str(deployment["rpcUrl"])
        )
        missing = asyncio.run(missing_services(database_url))
        with services_for_demo(settings, database_url, redis_url, missing):
            asyncio.run(run_economy_and_governance(settings, database_url, w3, deployment))
    except DemoUnavailable as error:
        say(f"governance demo not done: {error}")
        return False
    return True
