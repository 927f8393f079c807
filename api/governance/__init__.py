"""Governance as the forum shows it: a community's token and governor, its proposals and votes,
and where the indexer is. Read only, and only from the indexer's mirror of the chain (migration
0004's `chain_*` tables and views): the API never writes them nor calls the chain on a read."""
