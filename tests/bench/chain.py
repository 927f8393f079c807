"""A governance chain of about 100,000 events on anvil, generated once and cached as a state file.

The shape (`Shape`, defaults): 40 communities (each: CommunityCreated, ModeratorElected and the
governor's four settings events); per community 400 holders minted twice by the operator's
`mintEpoch` (the first mint: Transfer, DelegateChanged and DelegateVotesChanged per new holder;
the second: Transfer and DelegateVotesChanged per existing one), 7 proposals by the operator, and
100 of the holders voting on 5 of them (VoteCast). The 2 proposals left unvoted are what the live
measurement votes on. About 100,440 mirrored events in about 750 blocks.

How it is fast: anvil mines on demand (`evm_mine`, automine off), so each block takes a batch of
transactions signed here and sent in JSON-RPC batches of `eth_sendRawTransaction`; base fee 0 and
balances set by `anvil_setBalance`, so no transaction waits for a receipt or an estimate. Blocks are
kept small (one mint or 40 votes each), like a busy chain rather than one giant block.

The chain is dumped by anvil on exit (`--dump-state`, blocks and receipts included) beside its
deployment file under `bench-results/chain/`; later runs load it (`--load-state`) in a second.
"""

from __future__ import annotations

import hashlib
import json
import logging
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_account import Account
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address

from governance import community_id
from governance.anvil import CHAIN_ID, anvil_binary
from governance.deploy import Deployment, deploy
from governance.operator import CommunitySettings
from tests.bench import config

log = logging.getLogger("bench.chain")

OPERATOR_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"  # anvil's #0
CHAIN_DIR = config.RESULTS_DIR / "chain"
YEAR = 365 * 24 * 3600
GAS_PRICE = 10**9  # base fee is 0: nothing is really paid

_SELECTORS = {
    name: function_signature_to_4byte_selector(name)
    for name in (
        "createCommunity(string,string,address,(uint48,uint32,uint256,uint256))",
        "mintEpoch(uint256,bytes32,address[],uint256[])",
        "propose(address[],uint256[],bytes[],string)",
        "castVote(uint256,uint8)",
        "electModerator(bytes32,address)",
    )
}


@dataclass(frozen=True, slots=True)
class Shape:
    communities: int = 40
    holders: int = 400  # per community, minted twice
    voters: int = 100  # of the holders, per community
    voted_proposals: int = 5  # per community, each voted on by every voter
    live_proposals: int = 2  # per community, left for the live measurement
    first_mint_batch: int = 100  # recipients per mintEpoch (one per block)
    second_mint_batch: int = 200
    votes_per_block: int = 40

    @property
    def events(self) -> int:
        c = self.communities
        return (
            c * 6
            + c * self.holders * (3 + 2)
            + c * (self.voted_proposals + self.live_proposals)
            + c * self.voters * self.voted_proposals
        )

    def key(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:10]


@dataclass(frozen=True, slots=True)
class Community:
    name: str
    id: bytes
    token: str
    governor: str
    voters: list[str]  # private keys
    live_proposals: list[int]


@dataclass(slots=True)
class Chain:
    """A running anvil holding the generated chain."""

    process: subprocess.Popen[bytes]
    rpc_url: str
    deployment_file: Path
    deployment: Deployment
    communities: list[Community]
    head: int
    generated_seconds: float | None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _voter_key(community: int, voter: int) -> str:
    return "0x" + keccak(f"agora-bench-voter:{community}:{voter}".encode()).hex()


def _holder(community: int, holder: int) -> str:
    return "0x" + keccak(f"agora-bench-holder:{community}:{holder}".encode())[12:].hex()


class Rpc:
    """Plain JSON-RPC over one HTTP connection, batches included."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.Client(timeout=120)
        self._id = 0

    def call(self, method: str, params: list[Any]) -> Any:
        (result,) = self.batch([(method, params)])
        return result

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        body = []
        for method, params in calls:
            self._id += 1
            body.append({"jsonrpc": "2.0", "id": self._id, "method": method, "params": params})
        answers = self.client.post(self.url, json=body).json()
        answers.sort(key=lambda a: a["id"])
        results = []
        for answer in answers:
            if "error" in answer:
                raise RuntimeError(f"{answer['error']}")
            results.append(answer.get("result"))
        return results

    def close(self) -> None:
        self.client.close()


def start(
    port: int, *, load: Path | None = None, dump: Path | None = None
) -> subprocess.Popen[bytes]:
    command = [
        str(anvil_binary()),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--chain-id",
        str(CHAIN_ID),
        "--base-fee",
        "0",
        "--silent",
    ]
    if load is not None:
        command += ["--load-state", str(load)]
    if dump is not None:
        command += ["--dump-state", str(dump)]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}, timeout=1)
            return process
        except httpx.HTTPError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"anvil did not start on port {port}") from None
            time.sleep(0.05)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM: anvil writes its --dump-state file on the way out."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(120)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def running(shape: Shape = Shape(), *, regenerate: bool = False) -> Iterator[Chain]:
    """The generated chain in a fresh anvil (from the cached state when there is one)."""
    CHAIN_DIR.mkdir(parents=True, exist_ok=True)
    state = CHAIN_DIR / f"state-{shape.key()}.json"
    meta = CHAIN_DIR / f"meta-{shape.key()}.json"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    generated: float | None = None
    if regenerate or not (state.exists() and meta.exists()):
        started = time.perf_counter()
        process = start(port, dump=state)
        try:
            deployment_file = CHAIN_DIR / f"deployment-{shape.key()}.json"
            deployment_file.unlink(missing_ok=True)
            deployment = deploy(url, OPERATOR_KEY, deployment_file)
            communities = _generate(Rpc(url), deployment, shape)
        finally:
            stop(process)
        generated = round(time.perf_counter() - started, 1)
        meta.write_text(
            json.dumps(
                {
                    "deployment": deployment,
                    "communities": [_community_json(c) for c in communities],
                    "seconds": generated,
                }
            )
        )
        log.info("chain generated in %.1f s, dumped to %s", generated, state)
    saved = json.loads(meta.read_text())
    process = start(port, load=state)
    try:
        deployment = saved["deployment"]
        deployment["rpcUrl"] = url
        deployment_file = CHAIN_DIR / f"deployment-{port}.json"
        deployment_file.write_text(json.dumps(deployment))
        rpc = Rpc(url)
        head = int(rpc.call("eth_blockNumber", []), 16)
        rpc.close()
        yield Chain(
            process,
            url,
            deployment_file,
            deployment,
            [Community(**{**c, "id": bytes.fromhex(c["id"])}) for c in saved["communities"]],
            head,
            generated or saved["seconds"],
        )
    finally:
        stop(process)
        (CHAIN_DIR / f"deployment-{port}.json").unlink(missing_ok=True)


def _community_json(c: Community) -> dict[str, Any]:
    return {**asdict(c), "id": c.id.hex()}


# ---- generation ------------------------------------------------------------------------------


class _Signer:
    def __init__(self, key: str, nonce: int = 0) -> None:
        self.account = Account.from_key(key)
        self.nonce = nonce

    def sign(self, to: str, data: bytes, gas: int) -> str:
        tx = {
            "chainId": CHAIN_ID,
            "nonce": self.nonce,
            "to": to_checksum_address(to),
            "data": data,
            "gas": gas,
            "maxFeePerGas": GAS_PRICE,
            "maxPriorityFeePerGas": 0,
            "value": 0,
        }
        self.nonce += 1
        signed = self.account.sign_transaction(tx)
        return "0x" + bytes(signed.raw_transaction).hex()


def _mine(rpc: Rpc, raw: list[str]) -> None:
    """Sends `raw` and mines blocks until none is pending."""
    for start in range(0, len(raw), 500):
        rpc.batch([("eth_sendRawTransaction", [tx]) for tx in raw[start : start + 500]])
    rpc.call("evm_mine", [])
    while int(rpc.call("txpool_status", [])["pending"], 16):
        rpc.call("evm_mine", [])


def _generate(rpc: Rpc, deployment: Deployment, shape: Shape) -> list[Community]:
    started = time.perf_counter()
    contracts = deployment["contracts"]
    factory = contracts["factory"]["address"]
    registry = contracts["registry"]["address"]
    operator = _Signer(
        OPERATOR_KEY,
        int(rpc.call("eth_getTransactionCount", [deployment["operator"], "pending"]), 16),
    )
    rpc.call("evm_setAutomine", [False])
    settings = CommunitySettings(
        voting_delay=1, voting_period=YEAR, proposal_threshold=0, quorum_percent=4
    )
    names = [f"bench{i}" for i in range(shape.communities)]
    _mine(
        rpc,
        [
            operator.sign(
                factory,
                _SELECTORS["createCommunity(string,string,address,(uint48,uint32,uint256,uint256))"]
                + abi_encode(
                    ["string", "string", "address", "(uint48,uint32,uint256,uint256)"],
                    [name, name.upper(), deployment["operator"], settings.as_tuple()],
                ),
                2_000_000,
            )
            for name in names
        ],
    )
    created = rpc.call(
        "eth_getLogs",
        [
            {
                "fromBlock": hex(deployment["deployBlock"]),
                "toBlock": "latest",
                "address": factory,
                "topics": [
                    "0x"
                    + keccak(text="CommunityCreated(bytes32,string,address,address,address)").hex()
                ],
            }
        ],
    )
    by_id = {}
    for item in created:
        _, token, governor = abi_decode(
            ["string", "address", "address"], bytes.fromhex(item["data"][2:])
        )
        by_id[bytes.fromhex(item["topics"][1][2:])] = (token, governor)
    if len(by_id) != shape.communities:
        raise RuntimeError(f"{len(by_id)} communities created of {shape.communities}")
    log.info("  %d communities (%.1f s)", shape.communities, time.perf_counter() - started)

    voter_keys = [[_voter_key(c, v) for v in range(shape.voters)] for c in range(shape.communities)]
    voters = [[Account.from_key(k).address for k in keys] for keys in voter_keys]
    for start in range(0, shape.communities * shape.voters, 1000):
        flat = [a for addresses in voters for a in addresses][start : start + 1000]
        rpc.batch([("anvil_setBalance", [a, hex(10**21)]) for a in flat])
    holders = [
        voters[c] + [_holder(c, h) for h in range(shape.voters, shape.holders)]
        for c in range(shape.communities)
    ]

    def mint(epoch: int, batch: int) -> None:
        for c, name in enumerate(names):
            token = by_id[community_id(name)][0]
            for number, start in enumerate(range(0, shape.holders, batch)):
                recipients = holders[c][start : start + batch]
                data = _SELECTORS["mintEpoch(uint256,bytes32,address[],uint256[])"] + abi_encode(
                    ["uint256", "bytes32", "address[]", "uint256[]"],
                    [
                        epoch * 1000 + number,
                        bytes(32),
                        recipients,
                        [10**18 * (1 + i % 7) for i in range(len(recipients))],
                    ],
                )
                _mine(rpc, [operator.sign(token, data, 120_000 * len(recipients) + 200_000)])

    mint(1, shape.first_mint_batch)
    log.info("  first mint (%.1f s)", time.perf_counter() - started)
    mint(2, shape.second_mint_batch)
    log.info("  second mint (%.1f s)", time.perf_counter() - started)

    proposals: list[list[int]] = []
    raw = []
    per = shape.voted_proposals + shape.live_proposals
    for c, name in enumerate(names):
        governor = by_id[community_id(name)][1]
        ids = []
        for p in range(per):
            calldata = _SELECTORS["electModerator(bytes32,address)"] + abi_encode(
                ["bytes32", "address"], [community_id(name), voters[c][p + 1]]
            )
            description = f"Elect {voters[c][p + 1]} moderator of {name} ({p})"
            targets, values, calldatas = [registry], [0], [calldata]
            ids.append(_proposal_id(targets, values, calldatas, description))
            raw.append(
                operator.sign(
                    governor,
                    _SELECTORS["propose(address[],uint256[],bytes[],string)"]
                    + abi_encode(
                        ["address[]", "uint256[]", "bytes[]", "string"],
                        [targets, values, calldatas, description],
                    ),
                    1_000_000,
                )
            )
        proposals.append(ids)
    _mine(rpc, raw)
    rpc.call("evm_increaseTime", [5])
    rpc.call("evm_mine", [])
    log.info("  %d proposals (%.1f s)", len(raw), time.perf_counter() - started)

    signers = [[_Signer(k) for k in keys] for keys in voter_keys]
    votes = []
    for c, name in enumerate(names):
        governor = by_id[community_id(name)][1]
        for p in range(shape.voted_proposals):
            for v in range(shape.voters):
                votes.append(
                    signers[c][v].sign(governor, cast_vote(proposals[c][p], (v + p) % 3), 300_000)
                )
    log.info("  %d votes signed (%.1f s)", len(votes), time.perf_counter() - started)
    for start in range(0, len(votes), shape.votes_per_block):
        _mine(rpc, votes[start : start + shape.votes_per_block])
    rpc.call("evm_setAutomine", [True])
    log.info("  votes (%.1f s)", time.perf_counter() - started)
    return [
        Community(
            name,
            community_id(name),
            by_id[community_id(name)][0],
            by_id[community_id(name)][1],
            voter_keys[c],
            proposals[c][shape.voted_proposals :],
        )
        for c, name in enumerate(names)
    ]


def cast_vote(proposal_id: int, support: int) -> bytes:
    return _SELECTORS["castVote(uint256,uint8)"] + abi_encode(
        ["uint256", "uint8"], [proposal_id, support]
    )


def _proposal_id(
    targets: list[str], values: list[int], calldatas: list[bytes], description: str
) -> int:
    # OpenZeppelin's hashProposal: keccak256(abi.encode(targets, values, calldatas, hash)).
    encoded = abi_encode(
        ["address[]", "uint256[]", "bytes[]", "bytes32"],
        [targets, values, calldatas, keccak(text=description)],
    )
    return int.from_bytes(keccak(encoded), "big")


def voter_signer(key: str, nonce: int) -> _Signer:
    return _Signer(key, nonce)
