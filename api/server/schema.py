"""The root schema: composes each domain's queries and mutations; holds no fields of its own
beyond the markdown preview."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError, OperationDefinitionNode
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from api.account.mutations import AccountMutation
from api.auth.mutations import AuthMutation, AuthQuery
from api.blocks.mutations import BlockMutation
from api.blocks.resolvers import attach as attach_blocks
from api.comments.mutations import CommentMutation
from api.comments.resolvers import CommentQuery
from api.comments.resolvers import attach as attach_comments
from api.communities.mutations import CommunityMutation
from api.communities.resolvers import CommunityQuery
from api.communities.resolvers import attach as attach_communities
from api.core import permissions
from api.core.errors import BadUserInput
from api.core.rendering import RenderFailed
from api.core.scalars import SCALARS
from api.core.types import Info
from api.governance.mutations import GovernanceMutation
from api.governance.resolvers import GovernanceQuery
from api.moderation.mutations import ModerationMutation
from api.moderation.resolvers import ModerationQuery
from api.notifications.resolvers import NotificationMutation, NotificationQuery
from api.posts.mutations import BODY_MAX_LENGTH, PostMutation
from api.posts.resolvers import PostQuery
from api.posts.resolvers import attach as attach_posts
from api.rewards.resolvers import attach as attach_rewards
from api.saved.mutations import SavedMutation
from api.saved.resolvers import attach as attach_saved
from api.search.resolvers import SearchQuery
from api.server.execution import AgoraExecutor
from api.server.extensions import COST, Operations, OperationsConfig
from api.subscriptions import Subscription
from api.tips.mutations import TipMutation, TipQuery
from api.tips.resolvers import attach as attach_tips
from api.users.resolvers import UserMutation, UserQuery
from api.votes.mutations import VoteMutation

MAX_DEPTH = 12
MAX_ALIASES = 15
MAX_TOKENS = 3000
MAX_COST = 5000
# What one renderMarkdown counts against MAX_COST, each time it appears (aliases included): up
# to five previews in one operation.
RENDER_COST = 1000


async def render_markdown(
    info: Info, source: Annotated[str, strawberry.argument(description="The markdown.")]
) -> str:
    """The server's rendering of markdown (sanitized HTML), for previews before submitting."""
    if len(source) > BODY_MAX_LENGTH:
        raise BadUserInput(
            f"That text is too long to preview (the limit is {BODY_MAX_LENGTH}).", field="source"
        )
    await permissions.limit_renders(info)
    try:
        return await info.context.renderer.preview(source)
    except RenderFailed:
        seconds = info.context.settings.render_timeout_seconds
        raise BadUserInput(
            f"This text takes too long to render (over {seconds:g} seconds); simplify its "
            "markup. Posted as it is, it would be shown as plain text.",
            field="source",
        ) from None


# Fields of low types resolved by a higher domain (User.posts, User.comments, User.rewards,
# User.rewardTotals, Community.rewardEpochs, Viewer.saved, Viewer.blockedUsers,
# Viewer.blockedCommunities and Proposal.community), attached here where the schema is composed, so
# that no domain imports one above it (see api.core.extend). In this order, for the schema's.
attach_posts()
attach_comments()
attach_rewards()
attach_saved()
attach_blocks()
attach_tips()
attach_communities()


@strawberry.type(description="What can be read.")
class Query(
    AuthQuery,
    UserQuery,
    CommunityQuery,
    PostQuery,
    CommentQuery,
    ModerationQuery,
    GovernanceQuery,
    NotificationQuery,
    TipQuery,
    SearchQuery,
):
    render_markdown = strawberry.field(
        description=(
            "The sanitized HTML markdown renders to, as a post shows it: the editor's preview."
        ),
        resolver=render_markdown,
        metadata={COST: RENDER_COST},
    )


@strawberry.type(description="What can be done.")
class Mutation(
    AuthMutation,
    UserMutation,
    CommunityMutation,
    PostMutation,
    CommentMutation,
    VoteMutation,
    ModerationMutation,
    GovernanceMutation,
    SavedMutation,
    BlockMutation,
    NotificationMutation,
    AccountMutation,
    TipMutation,
):
    pass


class AgoraSchema(strawberry.Schema):
    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        # A subscription is followed over a WebSocket, where strawberry calls `subscribe`. Sent
        # over HTTP, it would run its resolver as a plain field and fail inside it: an INTERNAL
        # error (and a log line) for a client's mistake. Refused instead, as a 400 that says so.
        allowed = set(allowed_operation_types or OperationType) - {OperationType.SUBSCRIPTION}
        if operation_name is None and query and _operation_count(query) > 1:
            raise UnnamedOperationError(None)
        return await super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed,
            operation_extensions,
        )

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Operations (an ErrorCodes) logs what is ours to fix; client mistakes are not worth a
        # log line.
        return None


class UnnamedOperationError(CannotGetOperationTypeError):
    """A document of several operations sent without the name of the one to run. The GraphQL
    spec asks for an error; strawberry would run the first, so a client's forgotten
    operationName silently ran some other operation than it meant. The view answers it as
    strawberry's own refusals of an operation: a 400 with this reason."""

    def as_http_error_reason(self) -> str:
        return "This document holds several operations: say which one to run in operationName."


def _operation_count(query: str) -> int:
    try:
        document = _OPERATIONS.parse(query)
    except GraphQLError:
        return 0  # (strawberry's own parse reports the syntax error, as for any document)
    return sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)


# Parsing and validating the same document again on every request was most of the CPU of a
# listing request; both are pure functions of the document text, so they are cached by it.
_OPERATIONS = OperationsConfig(
    max_depth=MAX_DEPTH,
    max_aliases=MAX_ALIASES,
    max_tokens=MAX_TOKENS,
    max_cost=MAX_COST,
    cache_size=256,
)

schema = AgoraSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    execution_context_class=AgoraExecutor,
    config=StrawberryConfig(scalar_map=SCALARS),
    extensions=[lambda: Operations(_OPERATIONS)],
)
