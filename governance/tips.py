"""Tips: what the API, the seed and the tests share about the `Tips` contract.

A tip's `itemRef` is `keccak256` of the GraphQL id of the post or comment it pays for (the opaque
id the API serves, e.g. `UG9zdDo0Mg` for post 42); the indexer stores it as is, and the API hashes
the ids of the items it shows to find their tips (PostgreSQL has no keccak).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_utils import keccak
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction

from governance import eip712, load_artifact
from governance.eip712 import Domain

PERMIT_TYPE = [
    {"name": "owner", "type": "address"},
    {"name": "spender", "type": "address"},
    {"name": "value", "type": "uint256"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]


def item_ref(graphql_id: str) -> bytes:
    """The `itemRef` of a tip for the item whose GraphQL id is `graphql_id`."""
    return keccak(text=graphql_id)


@dataclass(frozen=True, slots=True)
class Permit:
    """An EIP-2612 permit's signature, split as `permit` and `tipWithPermit` take it."""

    deadline: int
    v: int
    r: bytes
    s: bytes

    def args(self) -> tuple[int, int, bytes, bytes]:
        return (self.deadline, self.v, self.r, self.s)


def sign_permit(token: Contract, owner_key: str, spender: str, value: int, deadline: int) -> Permit:
    """The holder's permit for `spender` to move `value` of `token`, with its next nonce."""
    owner = Account.from_key(owner_key).address
    permit = {
        "owner": owner,
        "spender": spender,
        "value": value,
        "nonce": token.functions.nonces(owner).call(),
        "deadline": deadline,
    }
    signed = eip712.sign(owner_key, Domain.of(token), "Permit", PERMIT_TYPE, permit)
    return Permit(deadline, signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big"))


TIP_TYPE = [
    {"name": "token", "type": "address"},
    {"name": "from", "type": "address"},
    {"name": "to", "type": "address"},
    {"name": "amount", "type": "uint256"},
    {"name": "itemRef", "type": "bytes32"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]
TIPS_DOMAIN_NAME = "Agora Tips"


@dataclass(frozen=True, slots=True)
class SignedTip:
    """A gasless tip as its tipper signed it: what `tipBySig` takes beside the tip itself."""

    token: str
    tipper: str
    to: str
    amount: int
    item_ref: bytes
    permit: Permit
    signature: bytes

    def args(self) -> tuple[Any, ...]:
        return (
            self.token,
            self.tipper,
            self.to,
            self.amount,
            self.item_ref,
            self.permit.args(),
            self.signature,
        )


def sign_tip(
    tips: Contract,
    token: Contract,
    tipper_key: str,
    to: str,
    amount: int,
    ref: bytes,
    deadline: int,
) -> SignedTip:
    """A tipper's two signatures for a relayed tip: the token's permit and the tip's message, which
    names the author and the item."""
    tipper = Account.from_key(tipper_key).address
    permit = sign_permit(token, tipper_key, tips.address, amount, deadline)
    tip = {
        "token": token.address,
        "from": tipper,
        "to": to,
        "amount": amount,
        "itemRef": ref,
        "nonce": tips.functions.nonces(tipper).call(),
        "deadline": deadline,
    }
    signed = eip712.sign(tipper_key, Domain.of(tips, TIPS_DOMAIN_NAME), "Tip", TIP_TYPE, tip)
    return SignedTip(token.address, tipper, to, amount, ref, permit, bytes(signed.signature))


def tip_by_sig_call(w3: Web3, tips: str, signed: SignedTip) -> ContractFunction:
    """The relay of a signed tip, as the operator sends it."""
    contract = w3.eth.contract(
        address=Web3.to_checksum_address(tips), abi=load_artifact("Tips")["abi"]
    )
    return contract.functions.tipBySig(*signed.args())
