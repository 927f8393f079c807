"""The one settings object every service reads from the environment."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable
from dataclasses import Field, dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from typing import TypeVar, get_type_hints

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# anvil's first well-known dev account: the platform operator on a local chain.
ANVIL_OPERATOR_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

TOKEN_DECIMALS = 18

T = TypeVar("T")


def token_units(tokens: Decimal) -> int:
    """`tokens` (e.g. 1000 or 0.5) in base units; refuses what no base unit can hold."""
    units = tokens.scaleb(TOKEN_DECIMALS)
    if units != units.to_integral_value() or units < 0:
        raise ValueError(f"{tokens} tokens is not a whole number of base units (18 decimals)")
    return int(units)


def _tokens(value: str) -> int:
    """Whole tokens (e.g. 1000 or 0.5), as an operator writes them, in base units."""
    return token_units(Decimal(value))


def _networks(value: str) -> tuple[str, ...]:
    """A comma-separated list of IP addresses and CIDR networks, each checked (a typo would
    otherwise trust no one, or someone else, without a word)."""
    items = tuple(item.strip() for item in value.split(",") if item.strip())
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or network") from None
    return items


# How a variable's text becomes a field's value, by the field's type (a field of another type
# names its own parser).
_PARSERS: dict[object, Callable[[str], object]] = {
    str: str,
    str | None: str,
    int: int,
    float: float,
    Decimal: Decimal,
    Path: Path,
    # On only for "1": "0", "false" or "no" must not turn a switch on.
    bool: lambda value: value == "1",
}


@dataclass(frozen=True, slots=True)
class Variable:
    """The environment variable a setting is read from."""

    name: str
    # Its text to the field's value; None: the parser of the field's type (_PARSERS).
    parse: Callable[[str], object] | None
    # What `from_env` takes when it is unset, instead of the field's default: a default derived
    # from settings that have no such rule of their own.
    unset: Callable[[Settings], object] | None


_VARIABLE = "agora.variable"


def setting(
    default: T,
    *,
    env: str,
    parse: Callable[[str], T] | None = None,
    unset: Callable[[Settings], T] | None = None,
) -> T:
    """A field of `Settings`: its default and the environment variable `from_env` reads it
    from, with its parser when its type's is not the one (and what an unset variable gives when
    it is not the default)."""
    return field(default=default, metadata={_VARIABLE: Variable(env, parse, unset)})


def _env(name: str) -> str | None:
    """The variable's value; None when it is unset or empty."""
    return os.environ.get(name) or None


@dataclass(frozen=True, slots=True)
class Settings:
    """Configuration of every Agora service.

    A URL left unset means "find or start a local one" (see `agora.services`). Each field names
    its default and its environment variable (read by `from_env`; an empty one counts as
    unset): one line a reader finds by the setting's name, so the list is runs of alike lines
    by nature (deliberate).
    """

    database_url: str | None = setting(None, env="DATABASE_URL")
    # A streaming replica of database_url (a hot standby) for the API's reads; None: all on
    # database_url. A viewer who wrote reads the primary until the replica has replayed the write.
    database_read_url: str | None = setting(None, env="DATABASE_READ_URL")
    redis_url: str | None = setting(None, env="REDIS_URL")
    chain_rpc_url: str | None = setting(None, env="CHAIN_RPC_URL")
    # A block explorer's base URL (e.g. https://etherscan.io): transaction hashes and addresses
    # link to <url>/tx/<hash> and <url>/address/<address>; unset (anvil) they are plain text.
    explorer_url: str | None = setting(None, env="EXPLORER_URL")
    data_dir: Path = setting(PROJECT_ROOT / ".agora", env="AGORA_DATA_DIR")
    # From the environment, deployment.json in its data_dir by default.
    deployment_file: Path = setting(
        PROJECT_ROOT / ".agora" / "deployment.json",
        env="AGORA_DEPLOYMENT_FILE",
        unset=lambda read: read.data_dir / "deployment.json",
    )
    operator_key: str | None = setting(None, env="OPERATOR_KEY")
    host: str = setting("127.0.0.1", env="AGORA_HOST")
    port: int = setting(8000, env="AGORA_PORT")
    # API processes `agora serve` runs on its one port (uvicorn's workers: one that dies is
    # started again); every cache and live update is shared through Redis, so any may answer.
    # From the environment, one per core by default.
    workers: int = setting(1, env="AGORA_WORKERS", unset=lambda _: os.cpu_count() or 1)
    # Who may read GET /metrics: a client sending `Authorization: Bearer <metrics_token>` when
    # it is set; else only a client on this machine (loopback), as its own connection says.
    metrics_token: str | None = setting(None, env="METRICS_TOKEN")
    # Sign-In with Ethereum: the domain and URI that signed messages must name (from the
    # environment, host and port by default).
    siwe_domain: str = setting(
        "127.0.0.1:8000", env="SIWE_DOMAIN", unset=lambda read: f"{read.host}:{read.port}"
    )
    siwe_uri: str = setting(
        "http://127.0.0.1:8000",
        env="SIWE_URI",
        unset=lambda read: f"http://{read.host}:{read.port}",
    )
    chain_id: int = setting(31337, env="CHAIN_ID")
    session_ttl_seconds: int = setting(30 * 24 * 3600, env="SESSION_TTL_SECONDS")
    nonce_ttl_seconds: int = setting(10 * 60, env="NONCE_TTL_SECONDS")
    cookie_secure: bool = setting(False, env="COOKIE_SECURE")
    # The proxies whose X-Forwarded-For names the client (IPs and CIDR networks); no one's when
    # empty: a client could otherwise name any IP and dodge the per-IP limits.
    trusted_proxies: tuple[str, ...] = setting((), env="TRUSTED_PROXIES", parse=_networks)
    # Writes allowed per window, per account and per IP.
    write_rate_limit: int = setting(30, env="WRITE_RATE_LIMIT")
    write_rate_window_seconds: int = setting(60, env="WRITE_RATE_WINDOW_SECONDS")
    # Markdown is rendered in render_workers worker processes per API process, each render
    # abandoned after render_timeout_seconds (api/core/rendering.py); previews
    # (renderMarkdown) allowed per window, per account and per IP.
    render_workers: int = setting(2, env="RENDER_WORKERS")
    render_timeout_seconds: float = setting(5.0, env="RENDER_TIMEOUT_SECONDS")
    render_rate_limit: int = setting(60, env="RENDER_RATE_LIMIT")
    render_rate_window_seconds: int = setting(60, env="RENDER_RATE_WINDOW_SECONDS")
    db_pool_size: int = setting(10, env="DB_POOL_SIZE")
    # Nothing waits on the database forever: a statement, a wait for a row lock, a transaction
    # left idle and a wait for a free pool connection each end with an error after these.
    db_statement_timeout_ms: int = setting(10_000, env="DB_STATEMENT_TIMEOUT_MS")
    db_lock_timeout_ms: int = setting(5_000, env="DB_LOCK_TIMEOUT_MS")
    db_idle_in_transaction_timeout_ms: int = setting(
        30_000, env="DB_IDLE_IN_TRANSACTION_TIMEOUT_MS"
    )
    db_acquire_timeout_seconds: float = setting(10.0, env="DB_ACQUIRE_TIMEOUT_SECONDS")
    # How long a listing page is shared between readers (0 turns the cache off).
    listing_cache_seconds: float = setting(2.0, env="LISTING_CACHE_SECONDS")
    # What the shared answers to anonymous reads may hold in all, in bytes (keys included).
    response_cache_bytes: int = setting(32 * 1024 * 1024, env="RESPONSE_CACHE_BYTES")
    # Refused before they are parsed: a request body (or WebSocket message, or GET query
    # string) larger than max_body_bytes (HTTP 413; a post's body of 40,000 characters is at
    # most 240 KB of JSON, even if every character took a \u escape); JSON nested deeper than
    # max_json_depth (HTTP 400; Agora's variables nest 3 deep); a GraphQL document longer than
    # max_query_bytes (HTTP 400; the web forum's largest is ~2 KB).
    max_body_bytes: int = setting(1024 * 1024, env="MAX_BODY_BYTES")
    max_json_depth: int = setting(32, env="MAX_JSON_DEPTH")
    max_query_bytes: int = setting(32 * 1024, env="MAX_QUERY_BYTES")
    # Live updates (WebSockets at /graphql), per API worker: operations (subscriptions) open at
    # once on one socket, sockets open at once from one client address, and the events a
    # subscription may fall behind by before it is ended.
    max_subscriptions_per_socket: int = setting(20, env="MAX_SUBSCRIPTIONS_PER_SOCKET")
    max_sockets_per_ip: int = setting(50, env="MAX_SOCKETS_PER_IP")
    subscription_queue_size: int = setting(100, env="SUBSCRIPTION_QUEUE_SIZE")
    # The operator's sender (`agora send`): how often it looks for new intents when no
    # notification came, and, for tests only, a step after which it stops moving
    # ("recorded": the transaction is recorded but not broadcast; "broadcast": broadcast but its
    # outcome not recorded; "bumped": its replacement with higher fees is recorded but not
    # broadcast), so that a test can kill it exactly there. A transaction not mined
    # sender_replace_after_seconds after it was signed (stuck in the node's pool, underpriced, or
    # dropped) is replaced: the same call at the same nonce, fees raised by at least 10%.
    sender_poll_seconds: float = setting(0.5, env="SENDER_POLL_SECONDS")
    sender_pause_after: str | None = setting(None, env="SENDER_PAUSE_AFTER")
    sender_replace_after_seconds: float = setting(120.0, env="SENDER_REPLACE_AFTER_SECONDS")
    # Rewards (ledger/, docs/rewards.md): epochs of reward_epoch_seconds per community;
    # epoch n emits reward_emission * reward_decay_factor^floor((n-1)/reward_decay_epochs) units
    # (no decay when reward_decay_epochs is 0), shared by score; no item gets more than
    # reward_max_item_share of an epoch's emission, no author more than reward_max_author_share.
    # Votes of accounts younger than reward_min_account_age_seconds when they voted do not count.
    # An epoch is closed reward_close_grace_seconds after its end, not at it: a vote's time is its
    # transaction's start, so a vote cast just before the end may commit a moment after it. A
    # vote is one statement, so this must exceed db_statement_timeout_ms (10 s by default).
    # REWARD_EMISSION is written in whole tokens (1000 by default), reward_emission in base units.
    reward_epoch_seconds: int = setting(24 * 3600, env="REWARD_EPOCH_SECONDS")
    reward_close_grace_seconds: float = setting(15.0, env="REWARD_CLOSE_GRACE_SECONDS")
    reward_emission: int = setting(1000 * 10**TOKEN_DECIMALS, env="REWARD_EMISSION", parse=_tokens)
    reward_decay_epochs: int = setting(30, env="REWARD_DECAY_EPOCHS")
    reward_decay_factor: Decimal = setting(Decimal("0.9"), env="REWARD_DECAY_FACTOR")
    reward_min_account_age_seconds: int = setting(24 * 3600, env="REWARD_MIN_ACCOUNT_AGE_SECONDS")
    reward_max_item_share: Decimal = setting(Decimal("0.1"), env="REWARD_MAX_ITEM_SHARE")
    reward_max_author_share: Decimal = setting(Decimal("0.2"), env="REWARD_MAX_AUTHOR_SHARE")
    # Recipients per mintEpoch call: a block holds about 170 new holders' mints.
    reward_mint_batch_size: int = setting(150, env="REWARD_MINT_BATCH_SIZE")
    # Between an epoch's close and its mint: its lines are public, and a line whose item is
    # removed or deleted, or whose author is banned in the community, before it ends is voided.
    reward_review_seconds: int = setting(24 * 3600, env="REWARD_REVIEW_SECONDS")
    # How often Celery beat looks for due epochs; the Redis broker's visibility timeout (a task
    # not acknowledged this long after delivery is delivered again: longer than any task).
    ledger_beat_seconds: float = setting(5.0, env="LEDGER_BEAT_SECONDS")
    ledger_visibility_timeout_seconds: int = setting(3600, env="LEDGER_VISIBILITY_TIMEOUT_SECONDS")
    # The Celery queue of the ledger's tasks (a test session uses its own).
    ledger_queue: str = setting("agora-ledger", env="LEDGER_QUEUE")
    # The indexer: blocks after which a block is final (a deeper reorg is an error), blocks it
    # stays behind the head (fewer rollbacks, more latency), and its wait for new heads.
    indexer_finality_blocks: int = setting(65, env="INDEXER_FINALITY_BLOCKS")
    indexer_confirmations: int = setting(0, env="INDEXER_CONFIRMATIONS")
    indexer_poll_seconds: float = setting(1.0, env="INDEXER_POLL_SECONDS")
    # The most blocks one eth_getLogs asks for (the range adapts below it to what the node takes).
    indexer_max_log_range: int = setting(10_000, env="INDEXER_MAX_LOG_RANGE")
    # Count SQL statements (exposed to tests; off in production, it costs a call per query).
    count_queries: bool = setting(False, env="COUNT_QUERIES")
    debug: bool = setting(False, env="AGORA_DEBUG")

    @classmethod
    def from_env(cls) -> Settings:
        """Every setting from its environment variable; an unset one keeps its default."""
        types: dict[str, object] = get_type_hints(cls)
        values: dict[str, object] = {}
        derived: dict[str, Callable[[Settings], object]] = {}
        for each in fields(cls):
            variable = variable_of(each)
            text = _env(variable.name)
            if text is not None:
                parse = variable.parse or _PARSERS[types[each.name]]
                try:
                    values[each.name] = parse(text)
                except ValueError as error:
                    raise ValueError(f"{variable.name}: {error}") from None
            elif variable.unset is not None:
                derived[each.name] = variable.unset
        # The values are checked field by field above (each parser returns its field's type),
        # which no signature can say of a dict.
        construct: Callable[..., Settings] = cls
        read = construct(**values)
        return construct(**values, **{name: unset(read) for name, unset in derived.items()})


def variable_of(declared: Field[object]) -> Variable:
    """The environment variable a field of `Settings` is read from."""
    variable = declared.metadata.get(_VARIABLE)
    if not isinstance(variable, Variable):
        raise TypeError(f"Settings.{declared.name} is not declared with setting()")
    return variable
