"""EIP-712 messages to Agora's contracts: the one domain they all sign under (the contract's name,
version 1, the chain and the contract), and a key's signature of a message in it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.datastructures import SignedMessage
from eth_account.messages import encode_typed_data
from web3.contract import Contract

# The fields of the EIP-712 domain of every Agora contract that signs (governor, token, tips).
EIP712_DOMAIN = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]

Fields = list[dict[str, str]]


@dataclass(frozen=True, slots=True)
class Domain:
    name: str
    chain_id: int
    contract: str

    @classmethod
    def of(cls, contract: Contract, name: str | None = None) -> Domain:
        """`contract`'s domain, named by its `name()` unless `name` is given."""
        domain_name: str = name or contract.functions.name().call()
        return cls(domain_name, contract.w3.eth.chain_id, contract.address)


def typed_data(
    domain: Domain, primary: str, fields: Fields, message: dict[str, Any]
) -> dict[str, Any]:
    """The message `primary` (its `fields`) in `domain`, as `eth_signTypedData_v4` takes it."""
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN, primary: fields},
        "primaryType": primary,
        "domain": {
            "name": domain.name,
            "version": "1",
            "chainId": domain.chain_id,
            "verifyingContract": domain.contract,
        },
        "message": message,
    }


def sign(
    key: str, domain: Domain, primary: str, fields: Fields, message: dict[str, Any]
) -> SignedMessage:
    """`key`'s signature of the message `primary` in `domain`."""
    full_message = typed_data(domain, primary, fields, message)
    signed: SignedMessage = Account.sign_message(encode_typed_data(full_message=full_message), key)
    return signed
