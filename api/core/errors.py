"""The errors a client can see. Each carries a stable `extensions.code` and a message a person can
act on; anything else becomes INTERNAL with a generic message, so no stack trace or SQL leaks."""

from __future__ import annotations

from typing import Any


# One class per stable code below: a resolver raises the refusal by name, and the class states
# its code (`class Forbidden(AgoraError, code="FORBIDDEN")`) and what it means.
class AgoraError(Exception):
    code = "INTERNAL"

    def __init_subclass__(cls, *, code: str) -> None:
        super().__init_subclass__()
        cls.code = code

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = {"code": self.code, **extensions}


class Unauthenticated(AgoraError, code="UNAUTHENTICATED"): ...


class Forbidden(AgoraError, code="FORBIDDEN"): ...


class NotFound(AgoraError, code="NOT_FOUND"): ...


class BadUserInput(AgoraError, code="BAD_USER_INPUT"):
    """Bad input; `field` names the input field at fault when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        if field is None:
            super().__init__(message)
        else:
            super().__init__(message, field=field)


class RateLimited(AgoraError, code="RATE_LIMITED"):
    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, retryAfter=retry_after)


class Conflict(AgoraError, code="CONFLICT"): ...


# Governance actions (api/governance/drafts.py, relays.py): each refusal a client may want to
# explain differently has its own code. All are decided from the mirror or a read of the chain,
# before anything is recorded, so a refused action costs the operator nothing.


class NotOnChain(AgoraError, code="NOT_ON_CHAIN"):
    """The community has no governor the indexer has mirrored (not created on-chain yet, or the
    indexer has not reached its creation)."""


class BelowProposalThreshold(AgoraError, code="BELOW_PROPOSAL_THRESHOLD"): ...


class AlreadyModerator(AgoraError, code="ALREADY_MODERATOR"): ...


class NotModerator(AgoraError, code="NOT_MODERATOR"): ...


class BadSignature(AgoraError, code="BAD_SIGNATURE"):
    """A signed ballot that does not recover to its voter (wrong key, data or nonce)."""


class ProposalNotActive(AgoraError, code="PROPOSAL_NOT_ACTIVE"): ...


class AlreadyVoted(AgoraError, code="ALREADY_VOTED"):
    """The voter has voted on the proposal, or a relay of their vote is already under way."""


class NoVotingPower(AgoraError, code="NO_VOTING_POWER"):
    """The voter had no votes at the proposal's snapshot: a vote of weight zero changes nothing,
    and relaying it would spend the operator's gas for nothing."""


class NoPoints(AgoraError, code="NO_POINTS"):
    """The tipper holds fewer of the community's points than the tip."""


class SelfTip(AgoraError, code="SELF_TIP"):
    """A member tried to tip their own post or comment."""


class ChainUnavailable(AgoraError, code="CHAIN_UNAVAILABLE"):
    """The chain's node (or the deployment file) the check needs could not be reached."""


# Every stable code a client may see: each refusal's, and INTERNAL for the rest.
CODES = frozenset({AgoraError.code} | {cls.code for cls in AgoraError.__subclasses__()})

INTERNAL_MESSAGE = "Something went wrong on our side. Please try again in a moment."


def shown(value: str, limit: int = 40) -> str:
    """`value` as an error message may quote it: at most `limit` characters, and only ones that
    JSON can carry, so a client's 100,000-character id is not sent back to it whole."""
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return value.encode("utf-8", "replace").decode("utf-8")
