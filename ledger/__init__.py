"""The ledger: rewards per epoch, a double-entry journal, mints sent exactly once (Celery); its
README.md says what it holds, its invariants and how to operate it.

Born inside the checked layers: it imports the plumbing (`agora`) and `governance`, never `api`
or `indexer`, and mypy checks it strictly.
"""
