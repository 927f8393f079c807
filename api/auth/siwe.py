"""Sign-In with Ethereum (EIP-4361): the message we ask a wallet to sign, and its strict check.

Why not the `siwe` package: it pins web3 < 8 and eth-account < 0.14 (we use web3 8) and breaks on
import with abnf 2.9.1. The message grammar is small and fixed, so we parse it strictly here (every
line in its place, nothing extra) and recover the signer with eth_account, which does the
cryptography.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import is_checksum_address, to_checksum_address

from api.core.errors import shown
from api.core.rows import columns

STATEMENT = (
    "Sign in to Agora. This request will not trigger a blockchain transaction or cost any gas."
)

_MESSAGE = re.compile(
    r"^(?P<domain>[^\s/]+) wants you to sign in with your Ethereum account:\n"
    r"(?P<address>0x[0-9a-fA-F]{40})\n"
    r"\n"
    r"(?:(?P<statement>[^\n]+)\n)?"
    r"\n"
    r"URI: (?P<uri>[^\s]+)\n"
    r"Version: (?P<version>1)\n"
    r"Chain ID: (?P<chain_id>[0-9]+)\n"
    r"Nonce: (?P<nonce>[A-Za-z0-9]{8,})\n"
    r"Issued At: (?P<issued_at>[0-9T:.\-+Z]+)"
    r"(?:\nExpiration Time: (?P<expiration_time>[0-9T:.\-+Z]+))?"
    r"(?:\nNot Before: (?P<not_before>[0-9T:.\-+Z]+))?"
    r"(?:\nRequest ID: (?P<request_id>[^\n]*))?"
    r"(?:\nResources:(?P<resources>(?:\n- [^\n]+)+))?$"
)


# Far longer than any message we issue (about 400 characters): nothing past this is parsed.
MAX_MESSAGE_LENGTH = 4096
# EIP-155 chain ids fit in 64 bits (EIP-2294), so 20 digits at most.
MAX_CHAIN_ID = 2**64 - 1
MAX_NONCE_LENGTH = 64


class SiweError(ValueError):
    """The message or signature is not acceptable; the text says why."""


@dataclass(frozen=True, slots=True)
class SiweMessage:
    domain: str
    address: str
    statement: str | None
    uri: str
    version: str
    chain_id: int
    nonce: str
    issued_at: datetime
    expiration_time: datetime | None
    not_before: datetime | None

    def text(self) -> str:
        lines = [
            f"{self.domain} wants you to sign in with your Ethereum account:",
            self.address,
            "",
        ]
        if self.statement:
            lines.append(self.statement)
        lines += [
            "",
            f"URI: {self.uri}",
            f"Version: {self.version}",
            f"Chain ID: {self.chain_id}",
            f"Nonce: {self.nonce}",
            f"Issued At: {_iso(self.issued_at)}",
        ]
        if self.expiration_time:
            lines.append(f"Expiration Time: {_iso(self.expiration_time)}")
        if self.not_before:
            lines.append(f"Not Before: {_iso(self.not_before)}")
        return "\n".join(lines)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _time(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SiweError(f"The {name} of the message is not an RFC 3339 time.") from None
    if moment.tzinfo is None:
        raise SiweError(f"The {name} of the message has no time zone.")
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # within a day of year 1 or 9999
        raise SiweError(f"The {name} of the message is out of range.") from None


def new_nonce() -> str:
    return secrets.token_hex(12)


def challenge(
    *,
    domain: str,
    uri: str,
    chain_id: int,
    address: str,
    nonce: str,
    ttl: timedelta,
    now: datetime | None = None,
) -> SiweMessage:
    issued = (now or datetime.now(UTC)).replace(microsecond=0)
    return SiweMessage(
        domain=domain,
        address=to_checksum_address(address),
        statement=STATEMENT,
        uri=uri,
        version="1",
        chain_id=chain_id,
        nonce=nonce,
        issued_at=issued,
        expiration_time=issued + ttl,
        not_before=None,
    )


def parse(text: str) -> SiweMessage:
    if len(text) > MAX_MESSAGE_LENGTH:
        raise SiweError(f"The message is too long (the limit is {MAX_MESSAGE_LENGTH} characters).")
    match = _MESSAGE.match(text.replace("\r\n", "\n"))
    if match is None:
        raise SiweError("This is not a Sign-In with Ethereum (EIP-4361) message.")
    fields = match.groupdict()
    if not is_checksum_address(fields["address"]):
        raise SiweError("The address in the message is not in its checksummed (EIP-55) form.")
    if len(fields["chain_id"]) > 20 or int(fields["chain_id"]) > MAX_CHAIN_ID:
        raise SiweError("The chain id of the message is out of range.")
    if len(fields["nonce"]) > MAX_NONCE_LENGTH:
        raise SiweError("The nonce of the message is too long.")
    issued_at = _time(fields["issued_at"], "issued-at time")
    assert issued_at is not None
    return SiweMessage(
        **columns(fields, "domain", "address", "statement", "uri", "version", "nonce"),
        chain_id=int(fields["chain_id"]),
        issued_at=issued_at,
        expiration_time=_time(fields["expiration_time"], "expiration time"),
        not_before=_time(fields["not_before"], "not-before time"),
    )


def verify(
    text: str,
    signature: str,
    *,
    domain: str,
    uri: str,
    chain_id: int,
    now: datetime | None = None,
    clock_skew: timedelta = timedelta(minutes=1),
) -> SiweMessage:
    """Check every field against what this server expects, then the signature.

    The nonce is checked (and spent) by the caller, which owns the nonce store.
    """
    message = parse(text)
    now = now or datetime.now(UTC)
    if message.domain != domain:
        raise SiweError(f"This message is for {shown(message.domain)}, not {domain}.")
    if message.uri != uri:
        raise SiweError(f"This message is for {shown(message.uri)}, not {uri}.")
    if message.chain_id != chain_id:
        raise SiweError(
            f"This message is for chain {message.chain_id}; switch your wallet to chain {chain_id}."
        )
    if message.expiration_time is not None and message.expiration_time <= now:
        raise SiweError("This sign-in request has expired; ask for a new one.")
    if message.not_before is not None and message.not_before > now + clock_skew:
        raise SiweError("This sign-in request is not valid yet.")
    if message.issued_at > now + clock_skew:
        raise SiweError("This sign-in request was issued in the future; check your clock.")
    try:
        signer = Account.recover_message(encode_defunct(text=text), signature=signature)
    except Exception:  # eth_account raises several types for malformed signatures
        raise SiweError("The signature is malformed.") from None
    if signer != message.address:
        raise SiweError("The signature was not made by the address in the message.")
    return message
