-- The token economy's books (ledger/): reward epochs per community, the line-by-line reason of
-- every reward, and a double-entry journal in TigerBeetle's shape.
--
-- A transfer moves a positive amount from one account (debit) to another (credit) of the same
-- community, so every entry balances by construction: its two postings are -amount and +amount.
-- Transfers are immutable (a correction is a new transfer) and their id is chosen by the writer
-- from what they pay (e.g. 'epoch:<community>:<number>:reward:<user>'), so a retried task hits the
-- primary key instead of paying twice. Balances are derived, never stored.
--
-- Accounts per community: 'emission' (the source; its balance is minus everything emitted),
-- 'pool' (emitted, not given to anyone: what the caps left), and per user 'earned' (owed, not yet
-- on-chain) and 'onchain' (minted to the user's address). A reward is pool -> earned; a mined
-- mint is earned -> onchain. Amounts are token base units (18 decimals), numeric(78,0) like a uint256.

CREATE TABLE ledger_accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    community_id bigint NOT NULL REFERENCES communities (id),
    kind text NOT NULL CHECK (kind IN ('emission', 'pool', 'earned', 'onchain')),
    user_id bigint REFERENCES users (id),
    CHECK ((user_id IS NULL) = (kind IN ('emission', 'pool'))),
    UNIQUE NULLS NOT DISTINCT (community_id, kind, user_id),
    -- Target of the transfers' foreign keys: both sides of a transfer are in its community.
    UNIQUE (id, community_id)
);

CREATE TABLE ledger_transfers (
    id text PRIMARY KEY CHECK (char_length(id) BETWEEN 1 AND 200),
    community_id bigint NOT NULL REFERENCES communities (id),
    debit_account_id bigint NOT NULL,
    credit_account_id bigint NOT NULL,
    amount numeric(78, 0) NOT NULL CHECK (amount > 0),
    kind text NOT NULL CHECK (kind IN ('emission', 'reward', 'payout', 'grant')),
    epoch_number integer,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (debit_account_id <> credit_account_id),
    FOREIGN KEY (debit_account_id, community_id) REFERENCES ledger_accounts (id, community_id),
    FOREIGN KEY (credit_account_id, community_id) REFERENCES ledger_accounts (id, community_id)
);
CREATE INDEX ledger_transfers_debit ON ledger_transfers (debit_account_id);
CREATE INDEX ledger_transfers_credit ON ledger_transfers (credit_account_id);
CREATE INDEX ledger_transfers_epoch ON ledger_transfers (community_id, epoch_number);

CREATE FUNCTION ledger_transfers_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger transfers are immutable: post a correcting transfer instead'
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER ledger_transfers_immutable BEFORE UPDATE OR DELETE ON ledger_transfers
    FOR EACH ROW EXECUTE FUNCTION ledger_transfers_immutable();
CREATE TRIGGER ledger_transfers_not_truncated BEFORE TRUNCATE ON ledger_transfers
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_transfers_immutable();

-- Each transfer as its two postings (-amount on the debited account, +amount on the credited).
CREATE VIEW ledger_postings AS
SELECT id AS transfer_id, community_id, debit_account_id AS account_id, -amount AS amount
  FROM ledger_transfers
UNION ALL
SELECT id, community_id, credit_account_id, amount FROM ledger_transfers;

CREATE VIEW ledger_balances AS
SELECT a.id AS account_id, a.community_id, a.kind, a.user_id,
       coalesce((SELECT sum(t.amount) FROM ledger_transfers t WHERE t.credit_account_id = a.id), 0)
     - coalesce((SELECT sum(t.amount) FROM ledger_transfers t WHERE t.debit_account_id = a.id), 0)
       AS balance
  FROM ledger_accounts a;

-- A community's reward epochs: consecutive, one open at a time. The emission is fixed when the
-- epoch opens (the schedule of ledger/schedule.py); closing it records what was distributed and
-- what stayed in the pool, which always add up to the emission.
CREATE TABLE reward_epochs (
    community_id bigint NOT NULL REFERENCES communities (id),
    number integer NOT NULL CHECK (number >= 1),
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
    emission numeric(78, 0) NOT NULL CHECK (emission >= 0),
    -- open: counting votes; closed: rewards computed and booked, mint intents recorded;
    -- paid: every mint mined (or nothing to mint).
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'paid')),
    distributed numeric(78, 0) CHECK (distributed >= 0),
    undistributed numeric(78, 0) CHECK (undistributed >= 0),
    recipients integer CHECK (recipients >= 0),
    closed_at timestamptz,
    PRIMARY KEY (community_id, number),
    CHECK ((status = 'open') = (closed_at IS NULL)),
    CHECK (status = 'open' OR (distributed IS NOT NULL AND undistributed IS NOT NULL
                               AND recipients IS NOT NULL AND distributed + undistributed = emission))
);
CREATE UNIQUE INDEX reward_epochs_one_open ON reward_epochs (community_id) WHERE status = 'open';
CREATE INDEX reward_epochs_due ON reward_epochs (ends_at) WHERE status = 'open';

-- Why each reward: one line per post or comment that scored in a closed epoch.
CREATE TABLE reward_lines (
    community_id bigint NOT NULL,
    epoch_number integer NOT NULL,
    post_id bigint REFERENCES posts (id),
    comment_id bigint REFERENCES comments (id),
    author_id bigint NOT NULL REFERENCES users (id),
    -- Eligible votes cast in the epoch, and their balance (up - down): the score.
    votes integer NOT NULL CHECK (votes > 0),
    score integer NOT NULL CHECK (score > 0),
    -- The item's proportional share of the emission, then what it got after the item's and the
    -- author's caps (the difference stayed in the pool).
    share numeric(78, 0) NOT NULL CHECK (share >= 0),
    amount numeric(78, 0) NOT NULL CHECK (amount >= 0 AND amount <= share),
    FOREIGN KEY (community_id, epoch_number) REFERENCES reward_epochs (community_id, number),
    CHECK ((post_id IS NULL) <> (comment_id IS NULL)),
    UNIQUE NULLS NOT DISTINCT (community_id, epoch_number, post_id, comment_id)
);
CREATE INDEX reward_lines_author ON reward_lines (author_id, community_id, epoch_number);

-- The mints of an epoch: recipients in batches that fit a block, each its own on-chain epoch id
-- (number * 1000 + batch) and its own intent in the operator's outbox.
CREATE TABLE reward_payouts (
    community_id bigint NOT NULL,
    epoch_number integer NOT NULL,
    batch integer NOT NULL CHECK (batch BETWEEN 0 AND 999),
    chain_epoch_id numeric(78, 0) NOT NULL,
    recipients integer NOT NULL CHECK (recipients > 0),
    amount numeric(78, 0) NOT NULL CHECK (amount > 0),
    operator_transaction_id bigint NOT NULL UNIQUE REFERENCES operator_transactions (id),
    -- When the mint was seen mined and booked (earned -> onchain for each recipient).
    settled_at timestamptz,
    PRIMARY KEY (community_id, epoch_number, batch),
    UNIQUE (community_id, chain_epoch_id),
    FOREIGN KEY (community_id, epoch_number) REFERENCES reward_epochs (community_id, number)
);
