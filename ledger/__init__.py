"""The ledger: rewards per epoch, a double-entry journal, mints sent exactly once (Celery).

Born inside the checked layers: it imports the plumbing (`agora`) and `governance`, never `api`
or `indexer`, and mypy checks it strictly.
"""
