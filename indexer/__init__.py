"""The indexer: follows the chain and mirrors what it decides into PostgreSQL (`agora index`).

Born inside the checked layers: it imports the plumbing (`agora`) and `governance`, never `api`
or `ledger`, and mypy checks it strictly.
"""
