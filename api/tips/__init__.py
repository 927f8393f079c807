"""Tips: points a member paid an author on-chain for a post or comment, read from the mirror."""
