"""Governance as the forum shows it: a community's token and governor, its proposals and votes,
and where the indexer is, read only from the indexer's mirror of the chain (migration 0004's
`chain_*` tables and views); and what members do with it (`mutations.py`): drafts of proposals
for their wallets, and signed ballots relayed by the operator, checked against the chain first
(`chain.py`, the API's only reads of the chain). `updates.py` finds the proposals that changed
for the `proposalUpdated` subscription."""
