"""Gasless tips: `relayTip` checks everything the chain would refuse, then queues the tipper's
signed tip in the operator's outbox for `agora send` (kind `tip_by_sig`), so that a refused tip
costs the operator nothing."""

from __future__ import annotations

from typing import Annotated

import strawberry
from web3 import Web3
from web3.exceptions import ContractLogicError

from agora.chain import decode_revert
from api.core import ids, permissions, ratelimit, validation
from api.core.errors import (
    BadSignature,
    BadUserInput,
    ChainUnavailable,
    Conflict,
    NoPoints,
    NotFound,
    NotOnChain,
    SelfTip,
)
from api.core.scalars import BigInt
from api.core.types import Info
from api.governance import chain
from api.governance.relays import Outcome, RelayStatus
from api.tips import repository
from api.tips.loaders import ref_of
from api.users.types import checksummed
from governance.deploy import contract_at
from governance.intents import TipBySig
from governance.operator import POINT
from governance.tips import Permit, SignedTip, tip_by_sig_call


# A schema type, field by field: alike in shape to others by design (see api/core/types.py).
@strawberry.type(description="A signed tip the operator sends for the tipper.")
class RelayedTip:
    """A signed tip the operator sends for the tipper."""

    tipper: str = strawberry.field(description="The tipper's address (EIP-55).")
    recipient: str = strawberry.field(
        description="The author's address (EIP-55), who receives the tip."
    )
    amount: BigInt = strawberry.field(description="The points tipped, in base units.")
    status: RelayStatus = strawberry.field(description="Where it stands.")
    # The transaction that carries the tip; null while PENDING.
    tx_hash: str | None = strawberry.field(
        description="The transaction that carries the tip; null while PENDING."
    )
    error: str | None = strawberry.field(description="Why the chain refused it, when FAILED.")


def _refusal(facts: str | None, tipper: str) -> None:
    """What the chain said to the very transaction the operator would send."""
    if facts is None:
        return
    # The chain's clock, not ours, decides (a local chain's may run ahead).
    if facts.startswith("TipsExpiredSignature("):
        raise BadSignature("Those signatures expired: sign the tip again.")
    if facts.startswith(("TipsInvalidSignature(", "ERC20InsufficientAllowance(")):
        raise BadSignature(
            "Those signatures are not this tipper's permit and tip for this item and amount "
            "(signed with another account, for other values, or with an old nonce): sign them "
            "again."
        )
    if facts.startswith("ERC20InsufficientBalance("):
        raise NoPoints(f"{checksummed(tipper)} does not hold that many points.")
    raise Conflict(f"The chain would refuse this tip now: {facts}.")


def _facts(on_chain: chain.Chain, signed: SignedTip) -> tuple[int, str | None]:
    """The tipper's nonce at the Tips contract and the chain's answer to the relay itself."""
    tips = str(on_chain.deployment["contracts"]["tips"]["address"])
    call = tip_by_sig_call(on_chain.w3, tips, signed)
    nonce: int = contract_at(on_chain.w3, "Tips", tips).functions.nonces(signed.tipper).call()
    try:
        call.call({"from": on_chain.deployment["operator"]})
    except ContractLogicError as error:
        return nonce, decode_revert(error)
    return nonce, None


# Its arguments as the schema declares them: alike in shape by design (see api/core/types.py).
async def relay_tip(
    info: Info,
    community: Annotated[
        str, strawberry.argument(description="The community whose points are tipped (its name).")
    ],
    item_id: Annotated[
        strawberry.ID, strawberry.argument(description="The tipped post's or comment's global id.")
    ],
    amount: Annotated[
        BigInt, strawberry.argument(description="The points to give, in base units.")
    ],
    tipper: Annotated[str, strawberry.argument(description="The tipper's wallet address.")],
    deadline: Annotated[
        BigInt,
        strawberry.argument(
            description="When the signatures expire (seconds since the epoch), as signed."
        ),
    ],
    permit: Annotated[
        str,
        strawberry.argument(
            description=(
                "The tipper's EIP-2612 permit signature for the Tips contract (0x-hex, 65 bytes)."
            )
        ),
    ],
    signature: Annotated[
        str,
        strawberry.argument(
            description="The tipper's EIP-712 signature of the tip (0x-hex, 65 bytes)."
        ),
    ],
) -> RelayedTip:
    """Sends a tip with the operator's gas. The tipper signs two EIP-712 messages with the same
    `deadline` (Unix seconds): the community token's `Permit(owner, spender = the Tips contract,
    value = amount, nonce, deadline)` and the Tips contract's `Tip(token, from, to, amount,
    itemRef, nonce, deadline)` naming the item's author and `itemRef = keccak256(itemId)`. No
    session is needed: the signatures are the tipper's consent."""
    ctx = info.context
    await permissions.limit_writes(info, account=ctx.viewer.user_id if ctx.viewer else None)
    tipper_address = validation.address(tipper, field="tipper")
    value = int(amount)
    if value <= 0:
        raise BadUserInput("A tip must be more than nothing.", field="amount")
    kind, row_id = ids.decode(item_id, "Post", "Comment", field="itemId")
    target = await repository.get_tip_target(ctx.pool, kind=kind, item_id=row_id)
    if target is None or target["community"] != community:
        raise NotFound(f"There is no such post or comment in c/{community}.")
    if target["token"] is None:
        raise NotOnChain(f"c/{community} is not on-chain yet: its points cannot be tipped.")
    author = str(target["author"])
    if author == tipper_address:
        raise SelfTip("You cannot tip your own post or comment.")
    token = bytes(target["token"])
    points = await repository.get_points(
        ctx.pool, token=token, holder=bytes.fromhex(tipper_address[2:])
    )
    if points < value:
        raise NoPoints(
            f"{checksummed(tipper_address)} holds {points / POINT:g} points of c/{community}, "
            "fewer than the tip."
        )
    permit_bytes = chain.signature_bytes(permit, field="permit")
    signed = SignedTip(
        token=Web3.to_checksum_address("0x" + token.hex()),
        tipper=Web3.to_checksum_address(tipper_address),
        to=Web3.to_checksum_address(author),
        amount=value,
        item_ref=ref_of(kind, row_id),
        permit=Permit(int(deadline), permit_bytes[64], permit_bytes[:32], permit_bytes[32:64]),
        signature=chain.signature_bytes(signature, field="signature"),
    )
    on_chain = chain.chain_of(ctx.settings)
    if "tips" not in on_chain.deployment["contracts"]:
        raise NotOnChain("The platform's deployment has no Tips contract.")
    nonce, refusal = await chain.read(lambda: _facts(on_chain, signed))
    _refusal(refusal, tipper_address)
    await ratelimit.hit(
        ctx.redis,
        [f"tip:{tipper_address}"],
        limit=ctx.settings.write_rate_limit,
        window=ctx.settings.write_rate_window_seconds,
    )
    intent = TipBySig(signed, nonce)
    recorded = await repository.record_tip_relay(
        ctx.pool, key=intent.dedupe_key(), payload=intent.payload()
    )
    if recorded is None:
        raise Conflict("This tip is being relayed already.")
    relay_id = int(recorded["id"])
    outcome = Outcome.of(
        await chain.await_signed(
            lambda: repository.get_tip_relay(info.context.pool, relay_id=relay_id)
        )
    )
    return RelayedTip(
        tipper=signed.tipper,
        recipient=signed.to,
        amount=BigInt(value),
        status=outcome.status,
        tx_hash=outcome.tx_hash,
        error=outcome.error,
    )


async def tips_contract(info: Info) -> str | None:
    """The address of the Tips contract wallets send tips to (and sign gasless tips for); null
    when the platform is not deployed on a chain, or was deployed before tips."""
    try:
        on_chain = chain.chain_of(info.context.settings)
    except ChainUnavailable:
        return None
    entry = on_chain.deployment["contracts"].get("tips")
    return None if entry is None else checksummed(str(entry["address"]).lower())


@strawberry.type
class TipQuery:
    tips_contract = strawberry.field(
        description=(
            "The address of the Tips contract wallets send tips to (and sign "
            "gasless tips for); null when the platform is not deployed on a "
            "chain, or was deployed before tips."
        ),
        resolver=tips_contract,
    )


@strawberry.type
class TipMutation:
    relay_tip = strawberry.mutation(
        description=(
            "Sends the tipper's signed tip with the operator's gas, once the "
            "chain would take it (no session needed: the signatures are the "
            "tipper's consent)."
        ),
        resolver=relay_tip,
    )
