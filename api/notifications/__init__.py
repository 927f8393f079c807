"""The inbox's GraphQL: `notifications`, `markNotificationsRead` and the Notification type (the
writes are in api.inbox, low enough for every domain that causes one)."""
