"""The notifications of the forum's own events, written in the transaction of the event, then
announced to their recipients' live inboxes once it commits."""

from __future__ import annotations

from agora.db import Executor
from api.core.pubsub import PubSub
from api.inbox.repository import About, Written, notify, notify_mentions


async def replied(
    db: Executor,
    *,
    comment_id: int,
    post_id: int,
    community_id: int,
    actor_id: int,
    replied_to: int,
    mentions: list[str],
) -> list[Written]:
    """A comment was written: REPLY to the author of what it answers, MENTION to the others it
    names (one notification each, as Lemmy sends)."""
    about = About(community_id=community_id, post_id=post_id, comment_id=comment_id)
    key = f"comment:{comment_id}"
    written = await notify(
        db, recipients=[replied_to], kind="REPLY", event_key=key, actor_id=actor_id, about=about
    )
    return written + await notify_mentions(
        db,
        addresses=mentions,
        event_key=key,
        actor_id=actor_id,
        about=about,
        except_user=replied_to,
    )


async def mentioned_in(
    db: Executor, *, about: About, actor_id: int, mentions: list[str]
) -> list[Written]:
    """A post was written or edited, or a comment edited: MENTION to whom it names (once per
    person and item, however often it is edited)."""
    key = f"comment:{about.comment_id}" if about.comment_id else f"post:{about.post_id}"
    return await notify_mentions(
        db, addresses=mentions, event_key=key, actor_id=actor_id, about=about
    )


async def moderated(
    db: Executor, *, kind: str, modlog_id: int, user_id: int, moderator_id: int, about: About
) -> list[Written]:
    """A moderator removed someone's post or comment (CONTENT_REMOVED) or banned them
    (BANNED): keyed by the log entry of the action."""
    return await notify(
        db,
        recipients=[user_id],
        kind=kind,
        event_key=f"modlog:{modlog_id}",
        actor_id=moderator_id,
        about=about,
    )


async def content_written(pubsub: PubSub, written: list[Written] | None = None) -> None:
    """After a transaction that changed posts or comments committed: the shared pages are
    stale, and each notification it wrote goes to its recipient's live inbox."""
    await pubsub.content_changed()
    await announce(pubsub, written or [])


async def announce(pubsub: PubSub, written: list[Written]) -> None:
    """Tell each recipient's live inbox (after the transaction that wrote them committed)."""
    for notification in written:
        await pubsub.notification_added(
            user_id=notification.user_id, notification_id=notification.id
        )
