"""Blocks: a member hides a person or a community from their own listings."""
