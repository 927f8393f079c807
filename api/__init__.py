"""Agora's GraphQL API: the forum's communities, posts, comments, votes, users and moderation."""
