"""Saved posts and comments: the list a member keeps of what they want to find again."""
