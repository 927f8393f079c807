"""The errors a client can see. Each carries a stable `extensions.code` and a message a person can
act on; anything else becomes INTERNAL with a generic message, so no stack trace or SQL leaks."""

from __future__ import annotations

from typing import Any


# One class per stable code below, by design (deliberate repeats of one shape): a resolver raises
# the refusal by name, and the class holds its code and what it means.
class AgoraError(Exception):
    code = "INTERNAL"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = {"code": self.code, **extensions}


class Unauthenticated(AgoraError):
    code = "UNAUTHENTICATED"


class Forbidden(AgoraError):
    code = "FORBIDDEN"


class NotFound(AgoraError):
    code = "NOT_FOUND"


class BadUserInput(AgoraError):
    """Bad input; `field` names the input field at fault when there is one."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        if field is None:
            super().__init__(message)
        else:
            super().__init__(message, field=field)


class RateLimited(AgoraError):
    code = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, retryAfter=retry_after)


class Conflict(AgoraError):
    code = "CONFLICT"


# Governance actions (api/governance/drafts.py, relays.py): each refusal a client may want to
# explain differently has its own code. All are decided from the mirror or a read of the chain,
# before anything is recorded, so a refused action costs the operator nothing.


class NotOnChain(AgoraError):
    """The community has no governor the indexer has mirrored (not created on-chain yet, or the
    indexer has not reached its creation)."""

    code = "NOT_ON_CHAIN"


class BelowProposalThreshold(AgoraError):
    code = "BELOW_PROPOSAL_THRESHOLD"


class AlreadyModerator(AgoraError):
    code = "ALREADY_MODERATOR"


class NotModerator(AgoraError):
    code = "NOT_MODERATOR"


class BadSignature(AgoraError):
    """A signed ballot that does not recover to its voter (wrong key, data or nonce)."""

    code = "BAD_SIGNATURE"


class ProposalNotActive(AgoraError):
    code = "PROPOSAL_NOT_ACTIVE"


class AlreadyVoted(AgoraError):
    """The voter has voted on the proposal, or a relay of their vote is already under way."""

    code = "ALREADY_VOTED"


class NoVotingPower(AgoraError):
    """The voter had no votes at the proposal's snapshot: a vote of weight zero changes nothing,
    and relaying it would spend the operator's gas for nothing."""

    code = "NO_VOTING_POWER"


class NoPoints(AgoraError):
    """The tipper holds fewer of the community's points than the tip."""

    code = "NO_POINTS"


class SelfTip(AgoraError):
    """A member tried to tip their own post or comment."""

    code = "SELF_TIP"


class ChainUnavailable(AgoraError):
    """The chain's node (or the deployment file) the check needs could not be reached."""

    code = "CHAIN_UNAVAILABLE"


CODES = frozenset(
    cls.code
    for cls in (
        Unauthenticated,
        Forbidden,
        NotFound,
        BadUserInput,
        RateLimited,
        Conflict,
        NotOnChain,
        BelowProposalThreshold,
        AlreadyModerator,
        NotModerator,
        BadSignature,
        ProposalNotActive,
        AlreadyVoted,
        NoVotingPower,
        NoPoints,
        SelfTip,
        ChainUnavailable,
    )
) | {"INTERNAL"}

INTERNAL_MESSAGE = "Something went wrong on our side. Please try again in a moment."


def shown(value: str, limit: int = 40) -> str:
    """`value` as an error message may quote it: at most `limit` characters, and only ones that
    JSON can carry, so a client's 100,000-character id is not sent back to it whole."""
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return value.encode("utf-8", "replace").decode("utf-8")
