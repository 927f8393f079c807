"""Shared plumbing of Agora's services: settings, local services, database, chain client, CLI."""
