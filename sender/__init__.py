"""The one sender of the operator's transactions: `agora send`, a service of its own.

The API and the ledger record what the operator must do on-chain as intents in the outbox
(`operator_transactions`), in the database transaction of the change that needs it. This process
alone sends them, one at a time in id order, and alone uses the operator's nonce: it holds a
PostgreSQL advisory lock for its whole life, so a second sender stands by (and says so once), and
takes over within a second when the first ends, killed or not (`agora.service.stand_by`).
What each kind of intent calls, and how the chain shows it done, is the intent table's
(`governance.intents`).

The parts: `outbox` (the loop: which intent next, and back-off after errors), `broadcast` (sign
and broadcast, and settle by receipt), `reconcile` (a sent intent against the chain, after a
restart), `replace` (stuck transactions, with higher fees).

An intent goes pending -> sent -> mined | failed, and each step is recorded before it is taken:

1. pending: the call is built and its gas estimated. If the estimate reverts, the chain's state
   decides: when it shows the intent already done (a community of that name by that creator, an
   epoch already minted, a vote the governor already counts for that voter) the intent is
   mined, with the transaction that did it; otherwise it fails with the decoded revert, and
   nothing was sent.
2. The transaction is signed at the operator's pending nonce, and its nonce, hash and bytes are
   committed as `sent`; only then is it broadcast.
3. Its receipt settles it: mined (the block, and what the receipt says in `result`) or failed
   (the revert, decoded), unless the chain shows the intent done by another transaction.

A transaction not mined SENDER_REPLACE_AFTER_SECONDS after it was signed (underpriced, stuck in
the node's pool, or dropped) is replaced: the same call at the same nonce, each fee raised by at
least 10% (and to at least what the chain asks now), signed and recorded as the intent's hash,
the old one kept in `replaced_tx_hashes`, before it is broadcast (one that offers what the chain
asks already is replaced only up to `TIP_CEILING`). Only one of a nonce's transactions can be
mined, and whichever it is settles the intent.

A crash at any instant leaves an intent pending (nothing was broadcast) or sent with the hashes
its nonce may have. On restart a sent intent is resolved from the chain before anything else
is signed: a receipt of any of its hashes settles it (mined); a transaction the node still
holds is waited for, and replaced when due; one the node does not know (dropped) is broadcast
again, the same bytes, while its nonce is unused; if a transaction not recorded here took the
nonce (replaced by another tool), the recorded ones can never be mined and the intent goes back
to pending, through step 1, where the chain shows whether that transaction did it. So nothing
is sent twice and nothing is lost.

Which failure is final: a revert is (step 1 or 3), unless the chain shows the intent done; a
refusal by the node at broadcast ("nonce too low", "already known", underpriced) is not: the
chain is read again. While the chain (or the database) cannot be reached the sender retries,
backing off up to 5 s, and says so once when it is lost and once when it is back. Any other
error is recorded on the intent (`error`, `attempts`) and the intent backs off, from 1 s up to
a minute, retried until it settles (it may be a bug, fixed by a new release: never a reason to
lose an intent). Meanwhile the intents after it go on if it is pending (it has no nonce, so it
leaves no gap; an epoch waits for its community's creation rather than failing), but not if it
is sent: its nonce comes before any other.
"""

from __future__ import annotations

import logging

import asyncpg

from agora import service
from agora.settings import ANVIL_OPERATOR_KEY, Settings
from governance.deploy import Deployment, load_deployment
from sender.operator import ChainUnreachable, Operator
from sender.outbox import Sender

__all__ = ["CHANNEL", "LOCK_KEY", "ChainUnreachable", "run", "send_pending"]

log = logging.getLogger("agora.sender")

# Any constant every sender shares: one sender per database ("AGORASND").
LOCK_KEY = 0x4147_4F52_4153_4E44
# The outbox's trigger notifies this channel when an intent is recorded.
CHANNEL = "operator_transactions"
# Its connection's name in pg_stat_activity: its own connection, not the pool's, as it holds the
# lock for the sender's life.
APPLICATION_NAME = "agora-send"


def _chain_of(settings: Settings) -> tuple[Deployment, str, str]:
    """The deployment, the RPC URL and the operator's key the sender uses."""
    try:
        deployment = load_deployment(settings.deployment_file)
    except FileNotFoundError:
        raise SystemExit(
            f"no deployment at {settings.deployment_file}: deploy the contracts first "
            "(agora deploy, or agora up)"
        ) from None
    rpc_url = service.chain_rpc_url(settings, deployment)
    return deployment, rpc_url, settings.operator_key or ANVIL_OPERATOR_KEY


async def send_pending(settings: Settings, database_url: str) -> int | None:
    """Settles every intent recorded so far, then returns how many steps it took; None at
    once if another sender holds the lock. For a periodic task (e.g. Celery's) instead of the
    long-lived `agora send`; raises `ChainUnreachable` when the chain does not answer."""
    deployment, rpc_url, operator_key = _chain_of(settings)
    db = await service.connect(database_url, settings, name=APPLICATION_NAME)
    try:
        if not await service.try_lock(db, LOCK_KEY):
            return None
        sender = Sender(Operator(settings, db, deployment, rpc_url, operator_key))
        steps = 0
        while await sender.step():
            steps += 1
        return steps
    finally:
        await db.close()  # and with it the lock


async def run(settings: Settings, database_url: str) -> None:
    """Sends the outbox's intents until the process is stopped (`agora send`)."""
    deployment, rpc_url, operator_key = _chain_of(settings)

    async def send(db: asyncpg.Connection) -> None:
        operator = Operator(settings, db, deployment, rpc_url, operator_key)
        sender = Sender(operator)
        await db.add_listener(CHANNEL, sender.notified)
        log.info("sending the transactions of the operator %s to %s", operator.address, rpc_url)
        await sender.run_forever()

    # The lock goes with a lost connection: taken again before anything is sent.
    await service.run_active(
        lambda: service.connect(database_url, settings, name=APPLICATION_NAME),
        LOCK_KEY,
        send,
        service="`agora send`",
        log=log,
    )
