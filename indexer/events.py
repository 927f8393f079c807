"""The events the indexer mirrors: their decoders and their handlers, keyed by `Contract:Event`.

A handler turns one decoded log into one row of one mirror table (`Rows`); the follower writes
the rows of a block range in one transaction. Decoding uses eth_abi on the raw JSON-RPC logs
rather than web3.py's log formatting, which costs most of the time of a naive indexer.

The chain takes any bytes as a string, so strings are decoded as bytes: each is kept as it is
(a `*_raw` bytea column) beside its text made safe to show (`agora.text.safe_text`). A log that
cannot be decoded at all (its data too short, an offset past its end) becomes a row of
`undecodable_logs` instead of its table's: the mirror records it and goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import event_abi_to_log_topic, keccak, to_checksum_address

from agora.text import DESCRIPTION_CHARS, NAME_CHARS, REASON_CHARS, safe_text
from governance import load_artifact

# A raw log as eth_getLogs returns it (hex strings), with its block's `blockTimestamp` (which
# recent nodes include and the follower adds otherwise).
RawLog = dict[str, Any]
Row = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Log:
    """A log with what every row needs: where it is on the chain."""

    address: bytes
    block_number: int
    block_hash: bytes
    tx_hash: bytes
    log_index: int
    block_timestamp: int
    args: dict[str, Any]


@dataclass(slots=True)
class Rows:
    """Rows to write, by table, in chain order."""

    by_table: dict[str, list[Row]] = field(default_factory=dict)
    events: int = 0

    def add(self, table: str, row: Row) -> None:
        self.by_table.setdefault(table, []).append(row)
        self.events += 1


@dataclass(frozen=True, slots=True)
class EventDecoder:
    key: str  # "Contract:Event"
    contract: str
    topic: bytes
    indexed: tuple[tuple[str, str], ...]  # (name, type)
    data_names: tuple[str, ...]
    data_types: tuple[str, ...]
    abi_types: tuple[str, ...]  # data_types with strings read as bytes (any bytes are kept)
    static: bool  # every data argument is one word (no string, bytes or array)
    simple: bool  # every data argument is one word or a string or bytes (no array)

    def decode(self, topics: Sequence[str], data: str) -> dict[str, Any]:
        args: dict[str, Any] = {}
        for (name, kind), topic in zip(self.indexed, topics[1:], strict=True):
            args[name] = _word(kind, bytes.fromhex(topic[2:]))
        if self.data_types:
            raw = bytes.fromhex(data[2:])
            if len(raw) < 32 * len(self.data_types):
                raise ValueError(f"{len(raw)} bytes of data, fewer than its arguments' words")
            if self.static:
                # Words read directly: eth_abi's general decoder (with its address checksums)
                # was most of the indexer's time on Transfer and DelegateVotesChanged.
                for i, (name, kind) in enumerate(
                    zip(self.data_names, self.data_types, strict=True)
                ):
                    args[name] = _word(kind, raw[32 * i : 32 * i + 32])
            elif self.simple:
                # Strings and bytes read through their offset (VoteCast's reason): eth_abi's
                # general decoder was most of the time of a catch-up full of votes.
                for i, (name, kind) in enumerate(
                    zip(self.data_names, self.data_types, strict=True)
                ):
                    word = raw[32 * i : 32 * i + 32]
                    if kind in _DYNAMIC:
                        args[name] = _dynamic(kind, raw, int.from_bytes(word, "big"))
                    else:
                        args[name] = _word(kind, word)
            else:
                values = abi_decode(list(self.abi_types), raw)
                args.update(zip(self.data_names, values, strict=True))
        return args


def _is_static_word(kind: str) -> bool:
    return kind in ("address", "bytes32", "bool") or kind.startswith("uint")


_DYNAMIC = ("string", "bytes")


def _dynamic(kind: str, data: bytes, offset: int) -> bytes:
    """A string or bytes argument at `offset` of `data`: its length word, then its bytes (a
    string's too: the chain does not check that they are UTF-8)."""
    if offset + 32 > len(data):
        raise ValueError(f"{kind} at offset {offset} past the end of the data")
    length = int.from_bytes(data[offset : offset + 32], "big")
    value = data[offset + 32 : offset + 32 + length]
    if len(value) != length:
        raise ValueError(f"{kind} of {length} bytes past the end of the data")
    return value


def _word(kind: str, word: bytes) -> Any:
    """One 32-byte ABI word of a static type: addresses as their 20 bytes."""
    if kind == "address":
        return word[12:]
    if kind == "bytes32":
        return word
    if kind == "bool":
        return word[-1] == 1
    if kind.startswith("uint"):
        return int.from_bytes(word, "big")
    raise ValueError(f"not a static word type: {kind}")


def _addr(value: str | bytes) -> bytes:
    """An address as its 20 bytes (eth_abi gives hex strings, `_word` bytes)."""
    return value if isinstance(value, bytes) else bytes.fromhex(value[2:])


Handler = Callable[[Log, Rows], None]


def _community_created(log: Log, rows: Rows) -> None:
    a = log.args
    rows.add(
        "communities",
        (
            a["communityId"],
            safe_text(a["name"], NAME_CHARS),
            _addr(a["token"]),
            _addr(a["governor"]),
            _addr(a["creator"]),
            *_where(log),
            a["name"],
        ),
    )


def _moderator(elected: bool) -> Handler:
    def handle(log: Log, rows: Rows) -> None:
        a = log.args
        rows.add("moderator_events", (a["communityId"], _addr(a["account"]), elected, *_where(log)))

    return handle


def _proposal_created(log: Log, rows: Rows) -> None:
    a = log.args
    rows.add(
        "proposals",
        (
            log.address,
            a["proposalId"],
            _addr(a["proposer"]),
            safe_text(a["description"], DESCRIPTION_CHARS),
            [to_checksum_address(t) for t in a["targets"]],
            [str(v) for v in a["values"]],
            [safe_text(s, REASON_CHARS) for s in a["signatures"]],
            ["0x" + bytes(c).hex() for c in a["calldatas"]],
            a["voteStart"],
            a["voteEnd"],
            *_where(log),
            a["description"],
            # What `execute` and `hashProposal` take: the hash of the bytes, not of the text.
            keccak(a["description"]),
            list(a["signatures"]),
        ),
    )


def _proposal_event(kind: str) -> Handler:
    def handle(log: Log, rows: Rows) -> None:
        a = log.args
        eta = a.get("etaSeconds")
        rows.add("proposal_events", (log.address, a["proposalId"], kind, eta, *_where(log)))

    return handle


def _vote(log: Log, rows: Rows) -> None:
    a = log.args
    params = a.get("params")
    rows.add(
        "votes",
        (
            log.address,
            a["proposalId"],
            _addr(a["voter"]),
            a["support"],
            a["weight"],
            safe_text(a["reason"], REASON_CHARS),
            None if params is None else bytes(params),
            *_where(log),
            a["reason"],
        ),
    )


def _transfer(log: Log, rows: Rows) -> None:
    a = log.args
    rows.add("transfers", (log.address, _addr(a["from"]), _addr(a["to"]), a["value"], *_where(log)))


def _delegate_changed(log: Log, rows: Rows) -> None:
    a = log.args
    rows.add(
        "delegate_changes",
        (
            log.address,
            _addr(a["delegator"]),
            _addr(a["fromDelegate"]),
            _addr(a["toDelegate"]),
            *_where(log),
        ),
    )


def _delegate_votes(log: Log, rows: Rows) -> None:
    a = log.args
    rows.add(
        "delegate_votes",
        (log.address, _addr(a["delegate"]), a["previousVotes"], a["newVotes"], *_where(log)),
    )


def _where(log: Log) -> tuple[int, bytes, int, int]:
    return (log.block_number, log.tx_hash, log.log_index, log.block_timestamp)


def _setting(name: str, argument: str) -> Handler:
    def handle(log: Log, rows: Rows) -> None:
        rows.add("governor_settings", (log.address, name, log.args[argument], *_where(log)))

    return handle


HANDLERS: dict[str, Handler] = {
    "CommunityFactory:CommunityCreated": _community_created,
    "ModeratorRegistry:ModeratorElected": _moderator(True),
    "ModeratorRegistry:ModeratorImpeached": _moderator(False),
    "CommunityGovernor:ProposalCreated": _proposal_created,
    "CommunityGovernor:VoteCast": _vote,
    "CommunityGovernor:VoteCastWithParams": _vote,
    "CommunityGovernor:ProposalQueued": _proposal_event("queued"),
    "CommunityGovernor:ProposalExecuted": _proposal_event("executed"),
    "CommunityGovernor:ProposalCanceled": _proposal_event("canceled"),
    "CommunityGovernor:VotingDelaySet": _setting("voting_delay", "newVotingDelay"),
    "CommunityGovernor:VotingPeriodSet": _setting("voting_period", "newVotingPeriod"),
    "CommunityGovernor:ProposalThresholdSet": _setting(
        "proposal_threshold", "newProposalThreshold"
    ),
    "CommunityGovernor:QuorumNumeratorUpdated": _setting("quorum_numerator", "newQuorumNumerator"),
    "CommunityToken:Transfer": _transfer,
    "CommunityToken:DelegateChanged": _delegate_changed,
    "CommunityToken:DelegateVotesChanged": _delegate_votes,
}


def _decoder(contract: str, event: str) -> EventDecoder:
    abi = load_artifact(contract)["abi"]
    (entry,) = [e for e in abi if e.get("type") == "event" and e["name"] == event]
    inputs = entry["inputs"]
    return EventDecoder(
        key=f"{contract}:{event}",
        contract=contract,
        topic=event_abi_to_log_topic(entry),
        indexed=tuple((i["name"], i["type"]) for i in inputs if i["indexed"]),
        data_names=tuple(i["name"] for i in inputs if not i["indexed"]),
        data_types=tuple(i["type"] for i in inputs if not i["indexed"]),
        abi_types=tuple(i["type"].replace("string", "bytes") for i in inputs if not i["indexed"]),
        static=all(_is_static_word(i["type"]) for i in inputs if not i["indexed"]),
        simple=all(
            _is_static_word(i["type"]) or i["type"] in _DYNAMIC for i in inputs if not i["indexed"]
        ),
    )


# By contract, then by topic 0: one contract's events never share a topic.
DECODERS: dict[str, dict[bytes, EventDecoder]] = {}
for _key in HANDLERS:
    _contract, _event = _key.split(":")
    _d = _decoder(_contract, _event)
    DECODERS.setdefault(_contract, {})[_d.topic] = _d

# Every topic 0 the indexer asks the node for.
TOPICS: list[str] = sorted(
    {"0x" + topic.hex() for decoders in DECODERS.values() for topic in decoders}
)


def handle(contract: str, raw: RawLog, rows: Rows) -> Log | None:
    """Decodes `raw`, emitted by a contract of kind `contract`, into `rows` (None: not mirrored,
    or not decodable: then it is a row of `undecodable_logs`)."""
    topics: list[str] = raw["topics"]
    if not topics:
        return None
    decoder = DECODERS[contract].get(bytes.fromhex(topics[0][2:]))
    if decoder is None:
        return None
    block_number = int(raw["blockNumber"], 16)
    tx_hash = bytes.fromhex(raw["transactionHash"][2:])
    log_index = int(raw["logIndex"], 16)
    block_timestamp = int(raw["blockTimestamp"], 16)
    try:
        log = Log(
            address=_addr(raw["address"]),
            block_number=block_number,
            block_hash=bytes.fromhex(raw["blockHash"][2:]),
            tx_hash=tx_hash,
            log_index=log_index,
            block_timestamp=block_timestamp,
            args=decoder.decode(topics, raw["data"]),
        )
        HANDLERS[decoder.key](log, rows)
    except Exception as error:  # noqa: BLE001 - whatever a log holds, the mirror goes on
        rows.add(
            "undecodable_logs",
            (
                _addr(raw["address"]),
                decoder.key,
                [_loose_hex(topic) for topic in topics],
                _loose_hex(raw["data"]),
                safe_text(f"{type(error).__name__}: {error}".encode(), REASON_CHARS),
                block_number,
                tx_hash,
                log_index,
                block_timestamp,
            ),
        )
        return None
    return log


def _loose_hex(value: str) -> bytes:
    """Hex from the node as bytes; its text's bytes if it is not hex (kept, not judged)."""
    try:
        return bytes.fromhex(value.removeprefix("0x"))
    except ValueError:
        return value.encode()
