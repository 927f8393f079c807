"""Full-text search of posts, comments, communities and people."""
