"""What every domain of the API uses: the request context and `Info`, errors, ids, pagination,
loaders, permissions (authorization in one place), validation, visibility, caches and pub/sub."""
