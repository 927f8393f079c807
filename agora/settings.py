"""The one settings object every service reads from the environment."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# anvil's first well-known dev account: the platform operator on a local chain.
ANVIL_OPERATOR_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def _env(name: str) -> str | None:
    """The variable's value; None when it is unset or empty."""
    return os.environ.get(name) or None


def _str(name: str, default: str) -> str:
    return _env(name) or default


def _int(name: str, default: int) -> int:
    return int(_str(name, str(default)))


def _float(name: str, default: float) -> float:
    return float(_str(name, str(default)))


def _decimal(name: str, default: str) -> Decimal:
    return Decimal(_str(name, default))


def _networks(name: str) -> tuple[str, ...]:
    """A comma-separated list of IP addresses and CIDR networks, each checked (a typo would
    otherwise trust no one, or someone else, without a word)."""
    items = tuple(item.strip() for item in (_env(name) or "").split(",") if item.strip())
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f"{name}: {item!r} is not an IP address or network") from None
    return items


TOKEN_DECIMALS = 18


def token_units(tokens: Decimal) -> int:
    """`tokens` (e.g. 1000 or 0.5) in base units; refuses what no base unit can hold."""
    units = tokens.scaleb(TOKEN_DECIMALS)
    if units != units.to_integral_value() or units < 0:
        raise ValueError(f"{tokens} tokens is not a whole number of base units (18 decimals)")
    return int(units)


@dataclass(frozen=True, slots=True)
class Settings:
    """Configuration of every Agora service.

    A URL left unset means "find or start a local one" (see `agora.services`). The fields are a
    flat list, each read from its own environment variable by `from_env`: runs of alike lines
    by nature (deliberate: a setting is one line a reader can find by its name).
    """

    database_url: str | None = None
    # A streaming replica of database_url (a hot standby) for the API's reads; None: all on
    # database_url. A viewer who wrote reads the primary until the replica has replayed the write.
    database_read_url: str | None = None
    redis_url: str | None = None
    chain_rpc_url: str | None = None
    # A block explorer's base URL (e.g. https://etherscan.io): transaction hashes and addresses
    # link to <url>/tx/<hash> and <url>/address/<address>; unset (anvil) they are plain text.
    explorer_url: str | None = None
    data_dir: Path = field(default_factory=lambda: PROJECT_ROOT / ".agora")
    deployment_file: Path = field(
        default_factory=lambda: PROJECT_ROOT / ".agora" / "deployment.json"
    )
    operator_key: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    # API processes `agora serve` runs on its one port (uvicorn's workers: one that dies is
    # started again); every cache and live update is shared through Redis, so any may answer.
    workers: int = 1
    # Who may read GET /metrics: a client sending `Authorization: Bearer <metrics_token>` when
    # it is set; else only a client on this machine (loopback), as its own connection says.
    metrics_token: str | None = None
    # Sign-In with Ethereum: the domain and URI that signed messages must name.
    siwe_domain: str = "127.0.0.1:8000"
    siwe_uri: str = "http://127.0.0.1:8000"
    chain_id: int = 31337
    session_ttl_seconds: int = 30 * 24 * 3600
    nonce_ttl_seconds: int = 10 * 60
    cookie_secure: bool = False
    # The proxies whose X-Forwarded-For names the client (IPs and CIDR networks); no one's when
    # empty: a client could otherwise name any IP and dodge the per-IP limits.
    trusted_proxies: tuple[str, ...] = ()
    # Writes allowed per window, per account and per IP.
    write_rate_limit: int = 30
    write_rate_window_seconds: int = 60
    # Markdown is rendered in render_workers worker processes per API process, each render
    # abandoned after render_timeout_seconds (api/core/rendering.py); previews
    # (renderMarkdown) allowed per window, per account and per IP.
    render_workers: int = 2
    render_timeout_seconds: float = 5.0
    render_rate_limit: int = 60
    render_rate_window_seconds: int = 60
    db_pool_size: int = 10
    # Nothing waits on the database forever: a statement, a wait for a row lock, a transaction
    # left idle and a wait for a free pool connection each end with an error after these.
    db_statement_timeout_ms: int = 10_000
    db_lock_timeout_ms: int = 5_000
    db_idle_in_transaction_timeout_ms: int = 30_000
    db_acquire_timeout_seconds: float = 10.0
    # How long a listing page is shared between readers (0 turns the cache off).
    listing_cache_seconds: float = 2.0
    # What the shared answers to anonymous reads may hold in all, in bytes (keys included).
    response_cache_bytes: int = 32 * 1024 * 1024
    # Refused before they are parsed: a request body (or WebSocket message, or GET query
    # string) larger than max_body_bytes (HTTP 413; a post's body of 40,000 characters is at
    # most 240 KB of JSON, even if every character took a \u escape); JSON nested deeper than
    # max_json_depth (HTTP 400; Agora's variables nest 3 deep); a GraphQL document longer than
    # max_query_bytes (HTTP 400; the web forum's largest is ~2 KB).
    max_body_bytes: int = 1024 * 1024
    max_json_depth: int = 32
    max_query_bytes: int = 32 * 1024
    # Live updates (WebSockets at /graphql), per API worker: operations (subscriptions) open at
    # once on one socket, sockets open at once from one client address, and the events a
    # subscription may fall behind by before it is ended.
    max_subscriptions_per_socket: int = 20
    max_sockets_per_ip: int = 50
    subscription_queue_size: int = 100
    # The operator's sender (`agora send`): how often it looks for new intents when no
    # notification came, and, for tests only, a step after which it stops moving
    # ("recorded": the transaction is recorded but not broadcast; "broadcast": broadcast but its
    # outcome not recorded; "bumped": its replacement with higher fees is recorded but not
    # broadcast), so that a test can kill it exactly there. A transaction not mined
    # sender_replace_after_seconds after it was signed (stuck in the node's pool, underpriced, or
    # dropped) is replaced: the same call at the same nonce, fees raised by at least 10%.
    sender_poll_seconds: float = 0.5
    sender_pause_after: str | None = None
    sender_replace_after_seconds: float = 120.0
    # Rewards (ledger/, docs/rewards.md): epochs of reward_epoch_seconds per community;
    # epoch n emits reward_emission * reward_decay_factor^floor((n-1)/reward_decay_epochs) units
    # (no decay when reward_decay_epochs is 0), shared by score; no item gets more than
    # reward_max_item_share of an epoch's emission, no author more than reward_max_author_share.
    # Votes of accounts younger than reward_min_account_age_seconds when they voted do not count.
    # An epoch is closed reward_close_grace_seconds after its end, not at it: a vote's time is its
    # transaction's start, so a vote cast just before the end may commit a moment after it. A
    # vote is one statement, so this must exceed db_statement_timeout_ms (10 s by default).
    reward_epoch_seconds: int = 24 * 3600
    reward_close_grace_seconds: float = 15.0
    reward_emission: int = 1000 * 10**TOKEN_DECIMALS
    reward_decay_epochs: int = 30
    reward_decay_factor: Decimal = Decimal("0.9")
    reward_min_account_age_seconds: int = 24 * 3600
    reward_max_item_share: Decimal = Decimal("0.1")
    reward_max_author_share: Decimal = Decimal("0.2")
    # Recipients per mintEpoch call: a block holds about 170 new holders' mints.
    reward_mint_batch_size: int = 150
    # Between an epoch's close and its mint: its lines are public, and a line whose item is
    # removed or deleted, or whose author is banned in the community, before it ends is voided.
    reward_review_seconds: int = 24 * 3600
    # How often Celery beat looks for due epochs; the Redis broker's visibility timeout (a task
    # not acknowledged this long after delivery is delivered again: longer than any task).
    ledger_beat_seconds: float = 5.0
    ledger_visibility_timeout_seconds: int = 3600
    # The Celery queue of the ledger's tasks (a test session uses its own).
    ledger_queue: str = "agora-ledger"
    # The indexer: blocks after which a block is final (a deeper reorg is an error), blocks it
    # stays behind the head (fewer rollbacks, more latency), and its wait for new heads.
    indexer_finality_blocks: int = 65
    indexer_confirmations: int = 0
    indexer_poll_seconds: float = 1.0
    # The most blocks one eth_getLogs asks for (the range adapts below it to what the node takes).
    indexer_max_log_range: int = 10_000
    # Count SQL statements (exposed to tests; off in production, it costs a call per query).
    count_queries: bool = False
    debug: bool = False

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(_str("AGORA_DATA_DIR", str(PROJECT_ROOT / ".agora")))
        host = _str("AGORA_HOST", "127.0.0.1")
        port = _int("AGORA_PORT", 8000)
        origin = f"{host}:{port}"
        return cls(
            database_url=_env("DATABASE_URL"),
            database_read_url=_env("DATABASE_READ_URL"),
            redis_url=_env("REDIS_URL"),
            chain_rpc_url=_env("CHAIN_RPC_URL"),
            explorer_url=_env("EXPLORER_URL"),
            data_dir=data_dir,
            deployment_file=Path(_str("AGORA_DEPLOYMENT_FILE", str(data_dir / "deployment.json"))),
            operator_key=_env("OPERATOR_KEY"),
            host=host,
            port=port,
            workers=_int("AGORA_WORKERS", os.cpu_count() or 1),
            metrics_token=_env("METRICS_TOKEN"),
            siwe_domain=_str("SIWE_DOMAIN", origin),
            siwe_uri=_str("SIWE_URI", f"http://{origin}"),
            chain_id=_int("CHAIN_ID", 31337),
            session_ttl_seconds=_int("SESSION_TTL_SECONDS", 30 * 24 * 3600),
            nonce_ttl_seconds=_int("NONCE_TTL_SECONDS", 600),
            cookie_secure=_str("COOKIE_SECURE", "0") == "1",
            trusted_proxies=_networks("TRUSTED_PROXIES"),
            write_rate_limit=_int("WRITE_RATE_LIMIT", 30),
            write_rate_window_seconds=_int("WRITE_RATE_WINDOW_SECONDS", 60),
            render_workers=_int("RENDER_WORKERS", 2),
            render_timeout_seconds=_float("RENDER_TIMEOUT_SECONDS", 5),
            render_rate_limit=_int("RENDER_RATE_LIMIT", 60),
            render_rate_window_seconds=_int("RENDER_RATE_WINDOW_SECONDS", 60),
            db_pool_size=_int("DB_POOL_SIZE", 10),
            db_statement_timeout_ms=_int("DB_STATEMENT_TIMEOUT_MS", 10_000),
            db_lock_timeout_ms=_int("DB_LOCK_TIMEOUT_MS", 5_000),
            db_idle_in_transaction_timeout_ms=_int("DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", 30_000),
            db_acquire_timeout_seconds=_float("DB_ACQUIRE_TIMEOUT_SECONDS", 10),
            listing_cache_seconds=_float("LISTING_CACHE_SECONDS", 2),
            response_cache_bytes=_int("RESPONSE_CACHE_BYTES", 32 * 1024 * 1024),
            max_body_bytes=_int("MAX_BODY_BYTES", 1024 * 1024),
            max_json_depth=_int("MAX_JSON_DEPTH", 32),
            max_query_bytes=_int("MAX_QUERY_BYTES", 32 * 1024),
            max_subscriptions_per_socket=_int("MAX_SUBSCRIPTIONS_PER_SOCKET", 20),
            max_sockets_per_ip=_int("MAX_SOCKETS_PER_IP", 50),
            subscription_queue_size=_int("SUBSCRIPTION_QUEUE_SIZE", 100),
            sender_poll_seconds=_float("SENDER_POLL_SECONDS", 0.5),
            sender_pause_after=_env("SENDER_PAUSE_AFTER"),
            sender_replace_after_seconds=_float("SENDER_REPLACE_AFTER_SECONDS", 120),
            reward_epoch_seconds=_int("REWARD_EPOCH_SECONDS", 24 * 3600),
            reward_close_grace_seconds=_float("REWARD_CLOSE_GRACE_SECONDS", 15),
            reward_emission=token_units(_decimal("REWARD_EMISSION", "1000")),
            reward_decay_epochs=_int("REWARD_DECAY_EPOCHS", 30),
            reward_decay_factor=_decimal("REWARD_DECAY_FACTOR", "0.9"),
            reward_min_account_age_seconds=_int("REWARD_MIN_ACCOUNT_AGE_SECONDS", 24 * 3600),
            reward_max_item_share=_decimal("REWARD_MAX_ITEM_SHARE", "0.1"),
            reward_max_author_share=_decimal("REWARD_MAX_AUTHOR_SHARE", "0.2"),
            reward_mint_batch_size=_int("REWARD_MINT_BATCH_SIZE", 150),
            reward_review_seconds=_int("REWARD_REVIEW_SECONDS", 24 * 3600),
            ledger_beat_seconds=_float("LEDGER_BEAT_SECONDS", 5),
            ledger_visibility_timeout_seconds=_int("LEDGER_VISIBILITY_TIMEOUT_SECONDS", 3600),
            ledger_queue=_str("LEDGER_QUEUE", "agora-ledger"),
            indexer_finality_blocks=_int("INDEXER_FINALITY_BLOCKS", 65),
            indexer_confirmations=_int("INDEXER_CONFIRMATIONS", 0),
            indexer_poll_seconds=_float("INDEXER_POLL_SECONDS", 1.0),
            indexer_max_log_range=_int("INDEXER_MAX_LOG_RANGE", 10_000),
            count_queries=_str("COUNT_QUERIES", "0") == "1",
            debug=_str("AGORA_DEBUG", "0") == "1",
        )
