"""The types of governance: a community's Governance, its Proposals and their votes, and the
indexer's status. Built from rows of the indexer's mirror."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from eth_utils import keccak

from api.core.errors import BadUserInput, shown
from api.core.pagination import MAX_ITEMS, Connection, Keyset, int32, row_id
from api.core.scalars import BigInt
from api.core.types import After, First, Info
from api.core.types import field as resolver_field
from api.governance import repository
from api.governance.loaders import USER_BY_ADDRESS, VOTE
from api.users.types import User, checksummed

if TYPE_CHECKING:
    import asyncpg


# A schema enum, value by value: alike in shape to others by design (see api/core/types.py).
@strawberry.enum(description="A proposal's state, as OpenZeppelin's Governor has it.")
class ProposalState(Enum):
    PENDING = strawberry.enum_value("PENDING", description="Proposed; voting has not opened yet.")
    ACTIVE = strawberry.enum_value("ACTIVE", description="Voting is open.")
    CANCELED = strawberry.enum_value("CANCELED", description="Canceled by its proposer.")
    DEFEATED = strawberry.enum_value(
        "DEFEATED", description="Voting closed without a majority for it, or without quorum."
    )
    SUCCEEDED = strawberry.enum_value(
        "SUCCEEDED", description="Voting closed and it passed: anyone may execute it."
    )
    QUEUED = strawberry.enum_value("QUEUED", description="Passed and queued for execution.")
    EXPIRED = strawberry.enum_value("EXPIRED", description="Passed but not executed in time.")
    EXECUTED = strawberry.enum_value("EXECUTED", description="Executed: its calls were made.")


@strawberry.enum(description="What a proposal does.")
class ProposalKind(Enum):
    ELECT_MODERATOR = strawberry.enum_value(
        "ELECT_MODERATOR", description="Makes `candidate` a moderator of its community."
    )
    IMPEACH_MODERATOR = strawberry.enum_value(
        "IMPEACH_MODERATOR", description="Removes `candidate` from its community's moderators."
    )
    OTHER = strawberry.enum_value("OTHER", description="Any other calls.")


# A schema enum, value by value: alike in shape to others by design (see api/core/types.py).
@strawberry.enum(description="A step of a proposal's life.")
class ProposalStepKind(Enum):
    CREATED = strawberry.enum_value("CREATED", description="It was proposed.")
    VOTING_OPENS = strawberry.enum_value("VOTING_OPENS", description="Voting opens (its snapshot).")
    VOTING_CLOSES = strawberry.enum_value(
        "VOTING_CLOSES", description="Voting closes (its deadline)."
    )
    EXECUTED = strawberry.enum_value("EXECUTED", description="It was executed.")
    CANCELED = strawberry.enum_value("CANCELED", description="It was canceled.")


@strawberry.enum(description="A vote on a proposal (GovernorCountingSimple's choices).")
class VoteSupport(Enum):
    # GovernorCountingSimple's numbering (the mirror stores the number).
    AGAINST = strawberry.enum_value(0, description="Against the proposal.")
    FOR = strawberry.enum_value(1, description="For the proposal.")
    ABSTAIN = strawberry.enum_value(2, description="Neither: counts toward quorum only.")

    @property
    def number(self) -> int:
        """The choice's number, as a ballot signs it: the members are in GovernorCountingSimple's
        order (and strawberry's enum_value hides the plain value from the type checker)."""
        return list(VoteSupport).index(self)


# --- what a proposal does -----------------------------------------------------------------------

_KINDS = {
    keccak(text="electModerator(bytes32,address)")[:4]: ProposalKind.ELECT_MODERATOR,
    keccak(text="impeachModerator(bytes32,address)")[:4]: ProposalKind.IMPEACH_MODERATOR,
}


def decode_kind(
    calldatas: list[str], values: list[str], community_id: bytes
) -> tuple[ProposalKind, str | None]:
    """What a proposal does, and its candidate (lower-case address): one call without value
    of the registry's electModerator / impeachModerator for this very community; anything else
    is OTHER. The mirror does not hold the registry's address, so the call's target is not
    compared with it (the registry only obeys a community's own governor anyway; a look-alike
    contract would show as an election that changes no moderator)."""
    if len(calldatas) != 1 or values != ["0"]:
        return ProposalKind.OTHER, None
    try:
        data = bytes.fromhex(calldatas[0].removeprefix("0x"))
    except ValueError:
        return ProposalKind.OTHER, None
    kind = _KINDS.get(data[:4])
    if kind is None or len(data) != 4 + 64 or data[4:36] != community_id:
        return ProposalKind.OTHER, None
    word = data[36:68]
    if any(word[:12]):
        return ProposalKind.OTHER, None
    return kind, "0x" + word[12:].hex()


# --- ids ----------------------------------------------------------------------------------------

_PROPOSAL_ID = re.compile(r"Proposal:0x([0-9a-f]{40}):(0|[1-9][0-9]{0,77})")


def encode_proposal_id(governor: bytes, proposal_id: int) -> str:
    """A proposal's global id: its governor and the governor's id for it (a uint256, too large
    for a row id)."""
    raw = f"Proposal:0x{governor.hex()}:{proposal_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_proposal_id(global_id: str) -> tuple[bytes, int]:
    """(governor, proposal id) from a global id `encode_proposal_id` wrote."""
    try:
        if len(global_id) > 200:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode((global_id + "=" * (-len(global_id) % 4)).encode())
        match = _PROPOSAL_ID.fullmatch(raw.decode())
        if match is None or int(match[2]) >= 2**256:
            raise ValueError("not a proposal's id")
    except (binascii.Error, UnicodeError, ValueError):
        raise BadUserInput(
            f"'{shown(global_id)}' is not the id of a proposal.", field="id"
        ) from None
    return bytes.fromhex(match[1]), int(match[2])


# --- times --------------------------------------------------------------------------------------

# The governor's clock is a uint48 of seconds: past the year 9999 Python has no datetime.
_LAST_SECOND = int(datetime.max.replace(tzinfo=UTC).timestamp())


def moment_of(seconds: Any) -> datetime:
    return datetime.fromtimestamp(min(int(seconds), _LAST_SECOND), UTC)


def _person(account: asyncpg.Record | None, address: bytes, *, seen_at: int) -> User:
    """The forum's account for `address` if it has one (`account`, a users row joined to the
    chain's row, or None), else a User built from the address alone (a read never creates
    accounts; see `User.from_address`)."""
    if account is not None:
        return User.from_row(account)
    return User.from_address("0x" + address.hex(), seen_at=seen_at)


async def _user_at(info: Info, address: str, *, seen_at: int) -> User:
    row = await info.context.loaders.get(USER_BY_ADDRESS).load(address)
    return User.from_row(row) if row else User.from_address(address, seen_at=seen_at)


async def chain_now(info: Info) -> int | None:
    """The governor's clock as the mirror knows it: the indexed head block's time (null before
    the indexer has run). Every "now" of governance is this, never the server's or the
    browser's clock: a chain's clock drifts from theirs (and a devnet's jumps ahead)."""
    row = await repository.get_indexer_state(info.context.pool)
    return None if row is None else int(row["block_timestamp"])


def _viewer_account(info: Info) -> bytes | None:
    viewer = info.context.viewer
    return None if viewer is None else bytes.fromhex(viewer.address.removeprefix("0x"))


# --- the types ----------------------------------------------------------------------------------


@strawberry.type(
    description=(
        "A step of a proposal's life: when it happened or will, and whether "
        "the chain's clock has passed it."
    )
)
class ProposalStep:
    """A step of a proposal's life: when it happened or will (`at`), whether the chain's clock
    has passed it (`done`), and the transaction that made it, for the steps a transaction
    makes (CREATED, EXECUTED, CANCELED)."""

    kind: ProposalStepKind = strawberry.field(description="Which step.")
    at: datetime = strawberry.field(
        description="When it happened or will happen, by the chain's clock."
    )
    done: bool = strawberry.field(description="Whether the chain's clock has passed it.")
    tx_hash: str | None = strawberry.field(
        description=(
            "The transaction that made it, for the steps a transaction makes "
            "(CREATED, EXECUTED, CANCELED)."
        )
    )


@strawberry.type(description="A vote cast on a proposal, from the mirror of the chain.")
class ProposalVote:
    voter: User = strawberry.field(description="Who voted.")
    support: VoteSupport = strawberry.field(description="Their choice.")
    weight: BigInt = strawberry.field(
        description=(
            "The votes it counts (their voting power at the proposal's snapshot), in base units."
        )
    )
    reason: str | None = strawberry.field(
        description=(
            "The reason they gave, made safe to show and capped as the "
            "proposal's description; null if none."
        )
    )  # made safe to show and capped, as `Proposal.description`
    tx_hash: str = strawberry.field(description="The transaction that cast it.")

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> ProposalVote:
        return cls(
            voter=_person(row["voter_account"], row["voter"], seen_at=row["block_timestamp"]),
            support=VoteSupport(row["support"]),
            weight=BigInt(int(row["weight"])),
            reason=row["reason"] or None,
            tx_hash="0x" + row["tx_hash"].hex(),
        )


_VOTES = Keyset("proposal_votes", (row_id, int32), lambda r: [r["block_number"], r["log_index"]])
_PROPOSALS = Keyset("proposals", (row_id, int32), lambda r: [r["block_number"], r["log_index"]])


# A schema type, field by field: alike in shape to others by design (see api/core/types.py).
@strawberry.type(
    description="A proposal to a community's governor, from the indexer's mirror of the chain."
)
class Proposal:
    governor: strawberry.Private[bytes]
    block_timestamp: strawberry.Private[int]
    candidate_address: strawberry.Private[str | None]
    id: strawberry.ID = strawberry.field(
        description="The proposal's global id (its governor and its number)."
    )
    # The governor's uint256 id, in decimal.
    proposal_id: str = strawberry.field(description="The governor's uint256 id of it, in decimal.")
    # The forum's communities row of its community: `community` is attached by the
    # communities domain, which sits above this one (see api.communities.resolvers.attach).
    community_row_id: strawberry.Private[int]
    proposer: User = strawberry.field(description="Who proposed it.")
    # As the mirror shows it: the chain's bytes made safe to show and capped (agora/text.py);
    # `description_hash` is of the bytes themselves.
    description: str = strawberry.field(
        description=(
            "Its description as the chain holds it, made safe to show and cut "
            "for display (the hash is of the whole)."
        )
    )
    # The calls it makes if it passes, as `ProposalDraft` gives them to `propose`; with the
    # description's keccak256 they are the arguments of the governor's `execute`.
    targets: list[str] = strawberry.field(
        description=(
            "The contracts it calls if it passes (the arguments of the governor's `execute`)."
        )
    )
    values: list[BigInt] = strawberry.field(description="The wei sent with each call.")
    calldatas: list[str] = strawberry.field(description="The data of each call (0x-hex).")
    # keccak256 of the description's bytes as the chain holds them (the indexer stores it).
    description_hash: str = strawberry.field(
        description=(
            "keccak256 of the description's bytes as the chain holds them: with "
            "the calls, what `execute` takes."
        )
    )
    kind: ProposalKind = strawberry.field(description="What it does.")
    state: ProposalState = strawberry.field(description="Its state as the mirror shows it.")
    for_votes: BigInt = strawberry.field(description="The votes for it, in base units.")
    against_votes: BigInt = strawberry.field(description="The votes against it, in base units.")
    abstain_votes: BigInt = strawberry.field(description="The abstaining votes, in base units.")
    quorum: BigInt = strawberry.field(
        description="The votes (for and abstaining) it needs to pass, in base units."
    )
    vote_start: datetime = strawberry.field(
        description="When voting opens: its snapshot of voting power."
    )
    vote_end: datetime = strawberry.field(description="When voting closes.")
    created_tx: str = strawberry.field(description="The transaction that proposed it.")
    executed_tx: str | None = strawberry.field(
        description="The transaction that executed it; null until executed."
    )

    @resolver_field(description="The description rendered from markdown to sanitized HTML.")
    async def description_html(self, info: Info) -> str:
        """The description rendered from markdown (sanitized). The chain takes any length
        (100,000 characters were accepted); the mirror's `description` is already cut for
        display (agora/text.py, DESCRIPTION_CHARS) and its raw bytes are kept whole."""
        return await info.context.renderer.remembered(
            (self.governor, self.proposal_id), self.description
        )

    @resolver_field(
        metadata={MAX_ITEMS: len(ProposalStepKind)},
        description=(
            "Created, voting opens, voting closes, then executed or canceled "
            "once the chain says so; a canceled proposal shows only the steps "
            "it reached."
        ),
    )
    async def timeline(self, info: Info) -> list[ProposalStep]:
        """Created, voting opens, voting closes, then executed or canceled once the chain says
        so; `done` against the chain's clock. Voting opens once the clock is past the snapshot
        and closes once it is past the deadline (OpenZeppelin's Governor). A canceled proposal
        shows only the steps it reached, then its cancellation."""
        now = await chain_now(info)
        events = await repository.get_proposal_events(
            info.context.pool, governor=self.governor, proposal_id=int(self.proposal_id)
        )
        start, end = (int(t.timestamp()) for t in (self.vote_start, self.vote_end))
        steps = [
            ProposalStep(
                kind=ProposalStepKind.CREATED,
                at=moment_of(self.block_timestamp),
                done=True,
                tx_hash=self.created_tx,
            )
        ]
        canceled = next((e for e in events if e["kind"] == "canceled"), None)
        for kind, at in (
            (ProposalStepKind.VOTING_OPENS, start),
            (ProposalStepKind.VOTING_CLOSES, end),
        ):
            passed = now is not None and now > at
            if canceled is not None and (not passed or at >= canceled["block_timestamp"]):
                continue
            steps.append(ProposalStep(kind=kind, at=moment_of(at), done=passed, tx_hash=None))
        for event in events:
            if event["kind"] in ("executed", "canceled"):
                steps.append(
                    ProposalStep(
                        kind=ProposalStepKind[event["kind"].upper()],
                        at=moment_of(event["block_timestamp"]),
                        done=True,
                        tx_hash="0x" + bytes(event["tx_hash"]).hex(),
                    )
                )
        return steps

    @resolver_field(
        description=(
            "The signed-in person's votes at its snapshot: what their vote "
            "counts. Null when not signed in."
        )
    )
    async def viewer_voting_power(self, info: Info) -> BigInt | None:
        """The signed-in person's votes at the proposal's snapshot (`voteStart`): what their
        vote counts, whatever they hold or delegated since. Null when not signed in."""
        votes = await self._power_at_snapshot(info)
        return None if votes is None else BigInt(votes)

    @resolver_field(
        description=(
            "Whether the signed-in person can vote on it now: it is ACTIVE, "
            "they have not voted, and they had votes at its snapshot."
        )
    )
    async def viewer_can_vote(self, info: Info) -> bool:
        """Whether the signed-in person can vote on it now: it is ACTIVE, they have not voted,
        and they had votes at its snapshot."""
        if self.state is not ProposalState.ACTIVE or _viewer_account(info) is None:
            return False
        if await self._viewer_vote_row(info) is not None:
            return False
        power = await self._power_at_snapshot(info)
        return power is not None and power > 0

    @resolver_field(
        description="Whom an election or impeachment is about; null for other proposals."
    )
    async def candidate(self, info: Info) -> User | None:
        """Whom an election or impeachment is about; null for other proposals."""
        if self.candidate_address is None:
            return None
        return await _user_at(info, self.candidate_address, seen_at=self.block_timestamp)

    @resolver_field(description="Its votes, newest first.")
    async def votes(
        self, info: Info, first: First = 25, after: After = None
    ) -> Connection[ProposalVote]:
        """Its votes, newest first."""
        key = _VOTES.start(first, after)
        rows = await repository.list_votes(
            info.context.pool,
            governor=self.governor,
            proposal_id=int(self.proposal_id),
            after=(key[0], key[1]) if key else None,
            limit=first + 1,
        )
        return _VOTES.page(rows, first, ProposalVote.from_row)

    @resolver_field(
        description=(
            "The signed-in person's vote; null if they have not voted (or nobody is signed in)."
        )
    )
    async def viewer_vote(self, info: Info) -> ProposalVote | None:
        """The signed-in person's vote; null if they have not voted (or are not signed in)."""
        row = await self._viewer_vote_row(info)
        return ProposalVote.from_row(row) if row else None

    async def _viewer_vote_row(self, info: Info) -> asyncpg.Record | None:
        voter = _viewer_account(info)
        if voter is None:
            return None
        key = (self.governor, int(self.proposal_id), voter)
        row: asyncpg.Record | None = await info.context.loaders.get(VOTE).load(key)
        return row

    async def _power_at_snapshot(self, info: Info) -> int | None:
        account = _viewer_account(info)
        if account is None:
            return None
        return await repository.get_votes_at_snapshot(
            info.context.pool,
            governor=self.governor,
            account=account,
            timepoint=int(self.vote_start.timestamp()),
        )

    @classmethod
    def from_row(cls, row: asyncpg.Record, *, community_row_id: int) -> Proposal:
        """Build from a list_proposals / get_proposal row; `community_row_id` is the id of its
        community's forum row."""
        kind, candidate = decode_kind(
            list(row["calldatas"]), list(row["values"]), bytes(row["community_id"])
        )
        return cls(
            governor=bytes(row["governor"]),
            block_timestamp=row["block_timestamp"],
            candidate_address=candidate,
            id=strawberry.ID(encode_proposal_id(bytes(row["governor"]), int(row["proposal_id"]))),
            proposal_id=str(int(row["proposal_id"])),
            community_row_id=community_row_id,
            proposer=_person(
                row["proposer_account"], row["proposer"], seen_at=row["block_timestamp"]
            ),
            description=row["description"],
            targets=list(row["targets"]),
            values=[BigInt(int(value)) for value in row["values"]],
            calldatas=list(row["calldatas"]),
            # Of the bytes the chain holds: `description` is their text made safe to show.
            description_hash="0x" + bytes(row["description_hash"]).hex(),
            kind=kind,
            state=ProposalState(row["state"]),
            for_votes=BigInt(int(row["for_votes"])),
            against_votes=BigInt(int(row["against_votes"])),
            abstain_votes=BigInt(int(row["abstain_votes"])),
            quorum=BigInt(int(row["quorum"])),
            vote_start=moment_of(row["vote_start"]),
            vote_end=moment_of(row["vote_end"]),
            created_tx="0x" + row["tx_hash"].hex(),
            executed_tx="0x" + row["executed_tx"].hex() if row["executed_tx"] else None,
        )


# A schema type, field by field: alike in shape to others by design (see api/core/types.py).
@strawberry.type(
    description="A community's token and governor as the chain has them (through the indexer)."
)
class Governance:
    """A community's token and governor as the chain has them (through the indexer)."""

    governor: strawberry.Private[bytes]
    community_row_id: strawberry.Private[int]
    token_address: str = strawberry.field(description="The token's address (EIP-55).")
    governor_address: str = strawberry.field(description="The governor's address (EIP-55).")
    token_symbol: str = strawberry.field(description="The token's symbol.")
    total_supply: BigInt = strawberry.field(description="The points in existence, in base units.")
    quorum_percent: int = strawberry.field(
        description=(
            "The share of the supply (percent) a proposal needs, for and abstaining, to pass."
        )
    )
    voting_delay_seconds: int = strawberry.field(
        description="How long after a proposal its voting opens."
    )
    voting_period_seconds: int = strawberry.field(description="How long its voting lasts.")
    proposal_threshold: BigInt = strawberry.field(
        description="The voting power it takes to propose, in base units."
    )

    @resolver_field(description="Its proposals, newest first.")
    async def proposals(
        self,
        info: Info,
        state: Annotated[
            ProposalState | None,
            strawberry.argument(description="Only those in this state; null for all."),
        ] = None,
        first: First = 25,
        after: After = None,
    ) -> Connection[Proposal]:
        """Its proposals, newest first; only those in `state` if given."""
        key = _PROPOSALS.start(first, after)
        rows = await repository.list_proposals(
            info.context.pool,
            governor=self.governor,
            # The state's name is the mirror's (proposal_views.state).
            state=state.name if state else None,
            after=(key[0], key[1]) if key else None,
            limit=first + 1,
        )
        return _PROPOSALS.page(
            rows, first, lambda r: Proposal.from_row(r, community_row_id=self.community_row_id)
        )

    @classmethod
    def from_row(
        cls, row: asyncpg.Record, *, community_row_id: int, token_symbol: str
    ) -> Governance:
        """Build from a get_governance_of_communities row; `community_row_id` is the id of its
        community's forum row."""
        return cls(
            governor=bytes(row["governor"]),
            community_row_id=community_row_id,
            token_address=checksummed("0x" + row["token"].hex()),
            governor_address=checksummed("0x" + row["governor"].hex()),
            token_symbol=token_symbol,
            total_supply=BigInt(int(row["total_supply"])),
            quorum_percent=_small(row["quorum_numerator"]),
            voting_delay_seconds=_small(row["voting_delay"]),
            voting_period_seconds=_small(row["voting_period"]),
            proposal_threshold=BigInt(int(row["proposal_threshold"] or 0)),
        )


def _small(value: Any) -> int:
    # Settings the factory bounds (a uint48 delay, a uint32 period, a percent) but a GraphQL
    # Int is 32 bits: a delay past 68 years shows as the largest Int.
    return min(int(value or 0), 2**31 - 1)


@strawberry.type(
    description=(
        "Where the indexer's mirror of the chain is; nulls before the "
        "indexer has run against this database."
    )
)
class IndexerStatus:
    """Where the indexer is: the chain's head it last saw (`headBlock`), the block it has
    applied, the chain's head now as the node answers (`chainHead`, null when the node does
    not answer within 2 s), and how many blocks the mirror is behind (against `chainHead` when
    known: an indexer that stopped shows a growing lag). Nulls before the indexer has run
    against this database."""

    chain_id: int | None = strawberry.field(description="The chain it mirrors.")
    head_block: int | None = strawberry.field(description="The chain's head block it last saw.")
    indexed_block: int | None = strawberry.field(description="The last block it has applied.")
    lag_blocks: int | None = strawberry.field(
        description=(
            "How many blocks the mirror is behind (against `chainHead` when "
            "known: an indexer that stopped shows a growing lag)."
        )
    )
    chain_head: int | None = strawberry.field(
        description=(
            "The chain's head block as the node answers now; null when it does "
            "not answer within 2 s."
        )
    )
    # The indexed head block's time: the chain's clock, against which every governance time
    # (opens, closes, time left) is told.
    indexed_time: datetime | None = strawberry.field(
        description=(
            "The applied block's time: the chain's clock, against which every "
            "governance time is told."
        )
    )


# A schema type, field by field: alike in shape to others by design (see api/core/types.py).
@strawberry.type(
    description=(
        "An account votes count through in a community (its own, or others' delegated to it)."
    )
)
class Delegate:
    """An account others' votes (or its own) count through in a community, from the mirror;
    its statement is forum text."""

    user: User = strawberry.field(description="The delegate.")
    voting_power: BigInt = strawberry.field(description="Their votes now, in base units.")
    # Accounts whose delegation names them now (themselves included when self-delegated).
    delegators: int = strawberry.field(
        description=(
            "How many accounts delegate to them now (themselves included when self-delegated)."
        )
    )
    # Votes they cast on the community's proposals.
    votes_cast: int = strawberry.field(
        description="How many votes they cast on the community's proposals."
    )
    # Of the community's proposals whose snapshot came after they first held votes, the share
    # they voted on (0 when there was none).
    participation: float = strawberry.field(
        description=(
            "Of the community's proposals whose snapshot came after they first "
            "held votes, the share (0 to 1) they voted on."
        )
    )
    # Markdown as they wrote it; `statementHtml` is it rendered and sanitized.
    statement: str | None = strawberry.field(
        description="What they say, as a delegate, in markdown; null if nothing."
    )
    # Rendered when written (null for a statement written before that was so: rendered when read).
    stored_html: strawberry.Private[str | None]

    @resolver_field(description="The statement rendered to sanitized HTML; null if no statement.")
    async def statement_html(self, info: Info) -> str | None:
        if self.stored_html is not None or self.statement is None:
            return self.stored_html
        return await info.context.renderer.render_stored(self.statement)

    @classmethod
    def from_row(cls, row: asyncpg.Record, *, seen_at: int) -> Delegate:
        """Build from a list_delegates / get_delegate row."""
        eligible = row["eligible"] or 0
        return cls(
            user=_person(row["account"], bytes(row["delegate"]), seen_at=seen_at),
            voting_power=BigInt(int(row["votes"])),
            delegators=row["delegators"],
            votes_cast=row["votes_cast"],
            participation=(row["voted"] / eligible) if eligible else 0.0,
            statement=row["statement"],
            stored_html=row["statement_html"],
        )


def _votes(value: Any) -> int:
    if not isinstance(value, str) or not value.isdigit() or len(value) > 78:
        raise ValueError("not an amount")
    return int(value)


def _hex_address(value: Any) -> bytes:
    raw = bytes.fromhex(value)
    if len(raw) != 20:
        raise ValueError("not an address")
    return raw


_DELEGATES = Keyset(
    "delegates",
    (_votes, _hex_address),
    lambda r: [str(int(r["votes"])), bytes(r["delegate"]).hex()],
)


async def delegates_of(
    info: Info, *, community_row_id: int, governance: asyncpg.Record, first: int, after: str | None
) -> Connection[Delegate]:
    """A community's delegates, most voting power first (`Community.delegates`)."""
    key = _DELEGATES.start(first, after)
    rows = await repository.list_delegates(
        info.context.pool,
        token=bytes(governance["token"]),
        governor=bytes(governance["governor"]),
        community_id=community_row_id,
        after=(key[0], key[1]) if key else None,
        limit=first + 1,
    )
    now = await chain_now(info) or 0
    return _DELEGATES.page(
        rows, first, lambda r: Delegate.from_row(r, seen_at=r["first_power"] or now)
    )
