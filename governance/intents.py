"""The kinds of intent the operator's outbox (`operator_transactions`) holds, declared once.

`KINDS` is the table: for each kind, one class gives its key (`KIND`, and `dedupe_key` of one
intent), the type of its payload (the dataclass's fields: `payload()` records them,
`from_payload` reads them back), the contract call it makes (`call`), and how the chain shows it
already done (`done_on_chain`). Every writer (the API's relays, the ledger's mints, the seed)
builds its intent here, and the sender (`agora send`, the `sender` package) reads it back
through `KINDS`: a kind is added in one place.

Why in `governance`: the call and the chain's proof are contract knowledge, and `governance` is
the layer under every service (`api`, `ledger`, `sender`), so each imports the table without
importing another service sideways; `agora`, below it, knows no contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Protocol, Self

from eth_typing import ChecksumAddress
from eth_utils import keccak
from hexbytes import HexBytes
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from governance import operator
from governance.deploy import Deployment, contract_at
from governance.tips import Permit, SignedTip, tip_by_sig_call

# A payload or result as the outbox stores it (jsonb), read field by field by `from_payload`.
JsonObject = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Done:
    """An intent the chain shows done: by which transaction (when known), and what it did."""

    tx_hash: bytes | None
    block_number: int | None
    result: JsonObject


class Intent(Protocol):
    """One intent of the outbox; `deployment` is the chain's, given by the sender."""

    KIND: ClassVar[str]

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        """The intent its recorded payload describes (KeyError, TypeError or ValueError when
        the payload is malformed)."""
        ...

    def dedupe_key(self) -> str:
        """The outbox's unique key of this intent: the same intent twice is one row."""
        ...

    def payload(self) -> JsonObject:
        """What the outbox records in `payload`."""
        ...

    def call(self, w3: Web3, deployment: Deployment) -> ContractFunction:
        """The contract call that carries out the intent."""
        ...

    def done_on_chain(self, w3: Web3, deployment: Deployment) -> Done | None:
        """The chain's state says the intent is done already: how; None if it is not."""
        ...

    def result(self, w3: Web3, deployment: Deployment, receipt: TxReceipt) -> JsonObject:
        """What a successful receipt of the call says, kept in the intent's `result`."""
        ...

    def gas_headroom(self) -> int:
        """Gas the call may need beyond its estimate."""
        ...


def _address(value: object) -> ChecksumAddress:
    return Web3.to_checksum_address(str(value))


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def _found(found: Mapping[str, Any] | None, result: JsonObject) -> Done:
    """Done by the transaction `found` (`{txHash, blockNumber}`), or by one not found."""
    if found is None:
        return Done(None, None, result)
    return Done(bytes(HexBytes(found["txHash"])), int(found["blockNumber"]), result)


@dataclass(frozen=True, slots=True)
class CreateCommunity:
    """A forum community created on-chain by the factory, for its creator.

    The API records it in the very statement that creates the community
    (`api/communities/queries.sql`, `create_community`: the community exists if and only if its
    creation on-chain will be attempted), so that statement writes this key and payload in SQL."""

    KIND: ClassVar[str] = "create_community"

    community_id: int
    name: str
    creator: ChecksumAddress

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(int(payload["communityId"]), str(payload["name"]), _address(payload["creator"]))

    @classmethod
    def key_of(cls, community_id: int | str) -> str:
        return f"{cls.KIND}:{community_id}"

    def dedupe_key(self) -> str:
        return self.key_of(self.community_id)

    def payload(self) -> JsonObject:
        return {"communityId": self.community_id, "name": self.name, "creator": self.creator}

    def call(self, w3: Web3, deployment: Deployment) -> ContractFunction:
        return operator.create_community_call(w3, deployment, self.name, self.creator)

    def done_on_chain(self, w3: Web3, deployment: Deployment) -> Done | None:
        if not operator.community_exists(w3, deployment, self.name):
            return None
        creation = operator.find_community_creation(w3, deployment, self.name)
        # A community of that name made by someone else is not this intent done.
        if creation is None or str(creation["creator"]).lower() != self.creator.lower():
            return None
        return _found(creation, _addresses(creation))

    def result(self, w3: Web3, deployment: Deployment, receipt: TxReceipt) -> JsonObject:
        creation = operator.creation_in_receipt(w3, deployment, receipt)
        if creation is None:
            raise RuntimeError("a mined createCommunity without its CommunityCreated event")
        return _addresses(creation)

    def gas_headroom(self) -> int:
        return 0


def _addresses(creation: Mapping[str, Any]) -> JsonObject:
    return {
        "communityId": creation["communityId"],
        "token": creation["token"],
        "governor": creation["governor"],
    }


@dataclass(frozen=True, slots=True)
class MintEpoch:
    """One batch of a community's epoch (or genesis grant), minted by its token.

    The ledger records the community (`community_id`), whose token is known only once its
    creation is mined: the sender fills `token` in (`with_token`) before it sends."""

    KIND: ClassVar[str] = "mint_epoch"

    community_id: int | None
    epoch: int
    recipients: tuple[ChecksumAddress, ...]
    amounts: tuple[int, ...]
    # The root of the epoch's published distribution, carried by its EpochMinted event; an
    # intent queued before roots were published carries none: the zero root.
    root: bytes = bytes(32)
    token: ChecksumAddress | None = None

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        community = payload.get("communityId")
        token = payload.get("token")
        return cls(
            community_id=None if community is None else int(community),
            epoch=int(payload["epoch"]),
            recipients=tuple(_address(a) for a in payload["recipients"]),
            amounts=tuple(int(amount) for amount in payload["amounts"]),
            root=bytes(HexBytes(payload.get("root") or bytes(32))),
            token=None if token is None else _address(token),
        )

    @classmethod
    def key_of(cls, community_id: int, chain_epoch: int) -> str:
        return f"{cls.KIND}:{community_id}:{chain_epoch}"

    def with_token(self, token: str) -> MintEpoch:
        return MintEpoch(
            self.community_id, self.epoch, self.recipients, self.amounts, self.root, _address(token)
        )

    def dedupe_key(self) -> str:
        if self.community_id is None:
            raise ValueError("a mint is keyed by its community")
        return self.key_of(self.community_id, self.epoch)

    def payload(self) -> JsonObject:
        payload: JsonObject = {
            "epoch": self.epoch,
            "root": _hex(self.root),
            "recipients": list(self.recipients),
            "amounts": [str(amount) for amount in self.amounts],
        }
        if self.community_id is not None:
            payload["communityId"] = self.community_id
        if self.token is not None:
            payload["token"] = self.token
        return payload

    def _token(self) -> ChecksumAddress:
        if self.token is None:
            raise ValueError("the mint's token is not known yet (see `with_token`)")
        return self.token

    def call(self, w3: Web3, deployment: Deployment) -> ContractFunction:
        return operator.mint_epoch_call(
            w3, self._token(), self.epoch, self.recipients, self.amounts, self.root
        )

    def done_on_chain(self, w3: Web3, deployment: Deployment) -> Done | None:
        token = self._token()
        if not operator.epoch_minted(w3, token, self.epoch):
            return None
        mint = operator.find_epoch_mint(w3, token, self.epoch, int(deployment["deployBlock"]))
        return _found(mint, {"token": token, "epoch": str(self.epoch)})

    def result(self, w3: Web3, deployment: Deployment, receipt: TxReceipt) -> JsonObject:
        return {"token": self.token, "epoch": str(self.epoch), "gasUsed": receipt["gasUsed"]}

    def gas_headroom(self) -> int:
        return operator.mint_epoch_gas_headroom(len(self.recipients))


@dataclass(frozen=True, slots=True)
class CastVoteBySig:
    """A voter's signed ballot, sent with the operator's gas (the API checked it first).

    Each relay is an intent of its own: the outbox ends `dedupe_key()` with the intent's id
    (`api/governance/queries.sql`, `record_vote_relay`), so a failed ballot never holds the key
    the voter's correct one would need."""

    KIND: ClassVar[str] = "cast_vote_by_sig"

    governor: ChecksumAddress
    proposal_id: int
    support: int
    voter: ChecksumAddress
    signature: bytes
    reason: str | None
    # The voter's ballot nonce at the governor: one unsettled ballot per nonce (migration 0021).
    nonce: int

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(
            governor=_address(payload["governor"]),
            proposal_id=int(payload["proposalId"]),
            support=int(payload["support"]),
            voter=_address(payload["voter"]),
            signature=bytes(HexBytes(payload["signature"])),
            reason=payload.get("reason"),
            nonce=int(payload.get("nonce") or 0),
        )

    def dedupe_key(self) -> str:
        governor, voter = self.governor.lower(), self.voter.lower()
        return f"{self.KIND}:{governor}:{self.proposal_id}:{voter}:{self.nonce}"

    def payload(self) -> JsonObject:
        return {
            "governor": self.governor,
            "proposalId": str(self.proposal_id),
            "support": self.support,
            # Lower-case, as the relay's reads compare it (`api/governance/queries.sql`).
            "voter": self.voter.lower(),
            "signature": _hex(self.signature),
            "reason": self.reason,
            "nonce": self.nonce,
        }

    def call(self, w3: Web3, deployment: Deployment) -> ContractFunction:
        return operator.cast_vote_by_sig_call(
            w3,
            self.governor,
            self.proposal_id,
            self.support,
            self.voter,
            self.signature,
            reason=self.reason,
        )

    def done_on_chain(self, w3: Web3, deployment: Deployment) -> Done | None:
        # The governor counts one vote per voter: once it has one, this intent is done, by
        # this ballot or by the voter's own vote.
        if not operator.has_voted(w3, self.governor, self.proposal_id, self.voter):
            return None
        vote = operator.find_vote(
            w3, self.governor, self.proposal_id, self.voter, int(deployment["deployBlock"])
        )
        return _found(vote, {"governor": self.governor, "proposalId": str(self.proposal_id)})

    def result(self, w3: Web3, deployment: Deployment, receipt: TxReceipt) -> JsonObject:
        return {
            "governor": self.governor,
            "proposalId": str(self.proposal_id),
            "gasUsed": receipt["gasUsed"],
        }

    def gas_headroom(self) -> int:
        return 0


@dataclass(frozen=True, slots=True)
class TipBySig:
    """A tipper's signed tip, sent with the operator's gas (the API checked it first)."""

    KIND: ClassVar[str] = "tip_by_sig"

    signed: SignedTip
    # The tipper's nonce at the tips contract the signature is for.
    nonce: int

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(
            signed=SignedTip(
                token=_address(payload["token"]),
                tipper=_address(payload["tipper"]),
                to=_address(payload["to"]),
                amount=int(payload["amount"]),
                item_ref=bytes(HexBytes(payload["itemRef"])),
                permit=Permit(
                    deadline=int(payload["deadline"]),
                    v=int(payload["permitV"]),
                    r=bytes(HexBytes(payload["permitR"])),
                    s=bytes(HexBytes(payload["permitS"])),
                ),
                signature=bytes(HexBytes(payload["signature"])),
            ),
            nonce=int(payload["nonce"]),
        )

    def dedupe_key(self) -> str:
        # The same signed tip twice is one intent.
        signature = keccak(self.signed.signature).hex()
        return f"{self.KIND}:{self.signed.tipper.lower()}:{self.nonce}:{signature}"

    def payload(self) -> JsonObject:
        signed = self.signed
        return {
            "token": signed.token,
            "tipper": signed.tipper,
            "to": signed.to,
            "amount": str(signed.amount),
            "itemRef": _hex(signed.item_ref),
            "deadline": str(int(signed.permit.deadline)),
            "permitV": signed.permit.v,
            "permitR": _hex(signed.permit.r),
            "permitS": _hex(signed.permit.s),
            "signature": _hex(signed.signature),
            "nonce": self.nonce,
        }

    def call(self, w3: Web3, deployment: Deployment) -> ContractFunction:
        return tip_by_sig_call(w3, _tips(deployment), self.signed)

    def done_on_chain(self, w3: Web3, deployment: Deployment) -> Done | None:
        # The tipper's nonce moved past the signed one: this tip was sent (or can never be).
        contract = contract_at(w3, "Tips", _tips(deployment))
        if contract.functions.nonces(self.signed.tipper).call() <= self.nonce:
            return None
        return Done(None, None, {"tipper": self.signed.tipper, "nonce": str(self.nonce)})

    def result(self, w3: Web3, deployment: Deployment, receipt: TxReceipt) -> JsonObject:
        return {"tipper": self.signed.tipper, "gasUsed": receipt["gasUsed"]}

    def gas_headroom(self) -> int:
        return 0


def _tips(deployment: Deployment) -> str:
    return str(deployment["contracts"]["tips"]["address"])


# The table: every kind the outbox holds, by the name recorded in `operator_transactions.kind`.
KINDS: Final[Mapping[str, type[Intent]]] = {
    kind.KIND: kind for kind in (CreateCommunity, MintEpoch, CastVoteBySig, TipBySig)
}
