"""The shared chain client: connect to an RPC, send signed transactions, name the errors of reverts.

Contracts built on OpenZeppelin 5 revert with custom errors, which web3.py hands over undecoded
(`ContractCustomError('0x71c6af49…')`). `decode_revert` names them against the ABIs that the
packages of contracts register here (governance registers Agora's contracts and every error they
may raise), e.g. `GovernorAlreadyCastVote(0xf39F…2266)`, and `send_transaction` raises
`TransactionReverted` carrying that name.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from eth_abi import decode as abi_decode
from eth_account import Account
from eth_utils import function_signature_to_4byte_selector, to_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import ContractLogicError, Web3RPCError
from web3.types import Nonce, TxParams, TxReceipt, Wei

ABI = Sequence[dict[str, Any]]

# Solidity's own errors, present in no ABI.
_BUILTIN_ERRORS: list[dict[str, Any]] = [
    {"type": "error", "name": "Error", "inputs": [{"name": "message", "type": "string"}]},
    {"type": "error", "name": "Panic", "inputs": [{"name": "code", "type": "uint256"}]},
]

# Gas limit = estimate * 6/5 + 60,000. The ratio covers the 63/64 rule of nested calls; the
# constant covers state that moves between the estimate and the block. Votes checkpoints are
# keyed by timestamp: estimated within the second of an earlier write, a delegation updates its
# two checkpoints in place, but mined a second later it writes two fresh slots (about 22,000 gas
# each), which reverted a 67,000-gas delegation out of gas on a loaded machine. Unused gas is
# not charged.
_GAS_MARGIN = (6, 5)
_GAS_HEADROOM = 60_000


class ChainError(RuntimeError):
    """A chain operation failed."""


class TransactionReverted(ChainError):
    """A transaction reverted, in its gas estimate or on chain.

    `error` is the decoded revert, e.g. `GovernorAlreadyCastVote(0x…)`; `error_name` its name alone;
    `data` the raw revert data (None when the node gave none); `receipt` the mined receipt, if any.
    """

    def __init__(self, error: str, data: str | None, receipt: TxReceipt | None = None) -> None:
        super().__init__(f"transaction reverted: {error}")
        self.error = error
        self.error_name = error.split("(", 1)[0]
        self.data = data
        self.receipt = receipt


class Transactable(Protocol):
    """A contract function call or constructor, as web3.py builds them."""

    def build_transaction(self, transaction: TxParams | None = None) -> TxParams: ...

    def estimate_gas(
        self, transaction: TxParams | None = None, *args: Any, **kwargs: Any
    ) -> int: ...


def connect(rpc_url: str, *, timeout: float = 30.0) -> Web3:
    """A Web3 client of the node at `rpc_url` (HTTP), checked to answer."""
    w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
    if not w3.is_connected():
        raise ChainError(f"no Ethereum node answers at {rpc_url}")
    return w3


# Where the ABIs of known errors come from. Plumbing imports no contracts package: each one that
# sends through this client registers a source of its ABIs, read only when a revert is decoded.
_error_sources: list[Callable[[], Iterable[ABI]]] = []


def register_error_abis(source: Callable[[], Iterable[ABI]]) -> None:
    """Make `decode_revert` know, by default, the errors of the ABIs `source()` returns."""
    if source not in _error_sources:
        _error_sources.append(source)
        _default_error_table.cache_clear()


@cache
def _default_error_table() -> dict[bytes, tuple[str, list[str]]]:
    return _error_table([abi for source in _error_sources for abi in source()])


def _error_table(abis: Iterable[ABI]) -> dict[bytes, tuple[str, list[str]]]:
    """Each error's (name, argument types) by selector."""
    table: dict[bytes, tuple[str, list[str]]] = {}
    for abi in [_BUILTIN_ERRORS, *abis]:
        for entry in abi:
            if entry.get("type") != "error":
                continue
            types = [_abi_type(item) for item in entry["inputs"]]
            selector = function_signature_to_4byte_selector(f"{entry['name']}({','.join(types)})")
            table.setdefault(selector, (entry["name"], types))
    return table


def _abi_type(item: dict[str, Any]) -> str:
    kind: str = item["type"]
    if kind.startswith("tuple"):
        return f"({','.join(_abi_type(c) for c in item['components'])}){kind[len('tuple') :]}"
    return kind


def revert_data(error: BaseException | str | bytes | None) -> str | None:
    """The revert data (0x-prefixed hex) carried by a web3.py exception or given as such, if any."""
    if error is None:
        return None
    if isinstance(error, bytes | bytearray):
        return HexBytes(error).to_0x_hex()
    if isinstance(error, str):
        return error if error.startswith("0x") else None
    data: Any = None
    if isinstance(error, ContractLogicError):
        data = error.data
    elif isinstance(error, Web3RPCError) and error.rpc_response:
        rpc_error = error.rpc_response.get("error")
        data = rpc_error.get("data") if isinstance(rpc_error, dict) else None
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("Reverted "):
        data = data.removeprefix("Reverted ")
    return data if isinstance(data, str) and data.startswith("0x") else None


def decode_revert(
    error: BaseException | str | bytes | None, abis: Iterable[ABI] | None = None
) -> str:
    """The revert of `error` as `Name(arg, …)`, e.g. `GovernorAlreadyCastVote(0xf39F…)`.

    `error` is a web3.py exception, or the revert data itself. Errors are looked up in `abis`,
    by default in those registered with `register_error_abis`; `Error(string)` and
    `Panic(uint256)` are always known. Without data it returns `execution reverted`; with an
    unknown selector, `unknown error 0x…`.
    """
    data = revert_data(error)
    if data is None or len(data) < 10:
        return "execution reverted"
    table = _default_error_table() if abis is None else _error_table(abis)
    raw = HexBytes(data)
    known = table.get(bytes(raw[:4]))
    if known is None:
        return f"unknown error {data}"
    name, types = known
    try:
        values = abi_decode(types, bytes(raw[4:]))
    except Exception:  # malformed arguments: still name the error
        return f"{name}(<undecodable {HexBytes(raw[4:]).to_0x_hex()}>)"
    rendered = (_render(value, kind) for value, kind in zip(values, types, strict=True))
    return f"{name}({', '.join(rendered)})"


def _render(value: Any, kind: str) -> str:
    if isinstance(value, list | tuple):
        inner = kind[:-2] if kind.endswith("[]") else kind
        return "[" + ", ".join(_render(v, inner) for v in value) + "]"
    if kind == "address":
        return to_checksum_address(value)
    if isinstance(value, bytes):
        return HexBytes(value).to_0x_hex()
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_nonce_locks: dict[str, threading.Lock] = {}
_nonce_locks_guard = threading.Lock()


def _nonce_lock(address: str) -> threading.Lock:
    with _nonce_locks_guard:
        return _nonce_locks.setdefault(address, threading.Lock())


@dataclass(frozen=True, slots=True)
class SignedTransaction:
    """A signed transaction: its bytes to broadcast, its hash (known before it is sent), its
    nonce, and the parameters it was built from."""

    raw: bytes
    hash: bytes
    nonce: int
    params: TxParams


def gas_limit(call: Transactable, sender: str, *, value: int = 0, headroom: int = 0) -> int:
    """The node's estimate of `call` from `sender`, plus a margin (see `_GAS_MARGIN`) and
    `headroom`: what the caller knows the call may need beyond any estimate.

    Raises `TransactionReverted`, with the decoded error, when the call would revert.
    """
    params: TxParams = {"from": sender, "value": Wei(value)}
    try:
        estimate = call.estimate_gas(params)
    except (ContractLogicError, Web3RPCError) as error:
        data = revert_data(error)
        if data is None and not isinstance(error, ContractLogicError):
            raise
        raise TransactionReverted(decode_revert(error), data) from error
    return estimate * _GAS_MARGIN[0] // _GAS_MARGIN[1] + _GAS_HEADROOM + headroom


def sign_call(
    private_key: str, call: Transactable, *, nonce: int, gas: int, value: int = 0
) -> SignedTransaction:
    """`call` signed with `private_key` at `nonce`, not sent (fees are the node's suggestion)."""
    sender = Account.from_key(private_key).address
    params = call.build_transaction(
        {"from": sender, "value": Wei(value), "gas": gas, "nonce": Nonce(nonce)}
    )
    signed = Account.sign_transaction(params, private_key)
    return SignedTransaction(bytes(signed.raw_transaction), bytes(signed.hash), nonce, params)


def revert_reason(w3: Web3, tx_hash: bytes) -> str:
    """Why the mined transaction `tx_hash` reverted, decoded (replayed on the latest state)."""
    transaction = w3.eth.get_transaction(HexBytes(tx_hash))
    params: TxParams = {"from": transaction["from"], "data": transaction["input"]}
    if transaction.get("to"):
        params["to"] = transaction["to"]
    return decode_revert(_replay(w3, params))


def send_transaction(
    w3: Web3,
    private_key: str,
    call: Transactable,
    *,
    value: int = 0,
    gas: int | None = None,
    headroom: int = 0,
    timeout: float = 120.0,
) -> TxReceipt:
    """Signs `call` with `private_key`, sends it and waits for its receipt.

    `call` is a contract function call (`contract.functions.f(…)`) or constructor. Without `gas`
    the limit is the node's estimate plus a margin and `headroom`. Raises `TransactionReverted`,
    with the decoded error, when the estimate or the mined transaction reverts. Sends from one
    account are serialized within the process so that their nonces do not collide.
    """
    sender = Account.from_key(private_key).address
    if gas is None:
        gas = gas_limit(call, sender, value=value, headroom=headroom)
    with _nonce_lock(sender):
        nonce = w3.eth.get_transaction_count(sender, "pending")
        signed = sign_call(private_key, call, nonce=nonce, gas=gas, value=value)
        tx_hash = w3.eth.send_raw_transaction(signed.raw)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout)
    if receipt["status"] != 1:
        data = _replay(w3, signed.params)
        raise TransactionReverted(decode_revert(data), data, receipt)
    return receipt


def _replay(w3: Web3, transaction: TxParams) -> str | None:
    """The revert data of a mined, failed transaction, replayed as a call on the latest state."""
    call: TxParams = {
        "from": transaction["from"],
        "data": transaction["data"],
        "value": transaction.get("value", Wei(0)),
    }
    if "to" in transaction:  # none for a contract's creation
        call["to"] = transaction["to"]
    try:
        w3.eth.call(call, "latest")
    except (ContractLogicError, Web3RPCError) as error:
        return revert_data(error)
    return None  # it passes now: the state it depended on changed


def deploy_contract(w3: Web3, private_key: str, abi: ABI, bytecode: str, *args: Any) -> TxReceipt:
    """Deploys a contract with constructor `args`; the receipt holds its `contractAddress`."""
    constructor = w3.eth.contract(abi=abi, bytecode=bytecode).constructor(*args)
    return send_transaction(w3, private_key, constructor)
