// Every GraphQL operation the app sends, in one place. Each is written out whole: gql.tada types
// it from its literal text, so no document is assembled. The paged lists repeat one shape by
// design (deliberate: a connection's edges, cursors and pageInfo, asked for each list).
import { graphql, type ResultOf } from "./graphql";

export const UserBrief = graphql(`
  fragment UserBrief on User {
    id
    address
    displayName
    deletedAt
  }
`);

export const PostFields = graphql(
  `
  fragment PostFields on Post {
    id
    title
    body
    bodyHtml
    url
    createdAt
    editedAt
    isDeleted
    isRemoved
    score
    upvotes
    downvotes
    commentCount
    viewerVote
    viewerSaved
    tips { count total viewerTotal }
    author { ...UserBrief }
    community { id name title viewerIsModerator }
  }
`,
  [UserBrief],
);

/** What a feed shows of a post: fewer fields than the post page, as a feed has 25 of them. */
export const PostCardFields = graphql(
  `
  fragment PostCardFields on Post {
    id
    title
    body
    url
    createdAt
    isDeleted
    isRemoved
    score
    commentCount
    viewerVote
    viewerSaved
    tips { count total viewerTotal }
    author { ...UserBrief }
    community { id name viewerIsModerator }
  }
`,
  [UserBrief],
);

/** A comment without its author (the comment tree asks the author with their points). */
export const CommentBody = graphql(`
  fragment CommentBody on Comment {
    id
    postId
    parentId
    depth
    body
    bodyHtml
    createdAt
    editedAt
    isDeleted
    isRemoved
    score
    upvotes
    downvotes
    replyCount
    viewerVote
    viewerSaved
    isBlocked
  }
`);

/**
 * A post's comments' tips, apart from the comments: with them, the comment listing could return
 * more objects than the API allows one query (docs/api.md, "Limits").
 */
export const CommentTipsQuery = graphql(`
  query CommentTips($postId: ID!) {
    comments(postId: $postId) { id tips { count total viewerTotal } }
  }
`);

export const CommentFields = graphql(
  `
  fragment CommentFields on Comment {
    ...CommentBody
    author { ...UserBrief }
  }
`,
  [CommentBody, UserBrief],
);

export const CommunityFields = graphql(
  `
  fragment CommunityFields on Community {
    id
    name
    title
    description
    descriptionHtml
    rules
    createdAt
    memberCount
    postCount
    viewerIsMember
    viewerIsModerator
    viewerIsBanned
    creator { ...UserBrief }
    moderators { ...UserBrief }
    chain { status communityId tokenAddress governorAddress }
  }
`,
  [UserBrief],
);

export type Post = ResultOf<typeof PostFields>;
export type PostCardPost = ResultOf<typeof PostCardFields>;
export type Comment = ResultOf<typeof CommentFields>;
export type Community = ResultOf<typeof CommunityFields>;
export type UserRef = ResultOf<typeof UserBrief>;

// ---- session -------------------------------------------------------------

export const ViewerQuery = graphql(
  `
  query Viewer {
    viewer {
      csrfToken
      user { ...UserBrief karma }
      joinedCommunities { id name title }
    }
  }
`,
  [UserBrief],
);
export type Viewer = NonNullable<ResultOf<typeof ViewerQuery>["viewer"]>;

export const SignInChallengeMutation = graphql(`
  mutation SignInChallenge($address: String!) {
    signInChallenge(address: $address) { message nonce expiresAt }
  }
`);

export const SignInMutation = graphql(
  `
  mutation SignIn($message: String!, $signature: String!) {
    signIn(message: $message, signature: $signature) {
      csrfToken
      expiresAt
      user { ...UserBrief karma }
    }
  }
`,
  [UserBrief],
);

export const SignOutMutation = graphql(`
  mutation SignOut { signOut }
`);

export const DeleteAccountMutation = graphql(`
  mutation DeleteAccount($confirm: String!) { deleteAccount(confirm: $confirm) }
`);

// ---- reading -------------------------------------------------------------

export const PostsQuery = graphql(
  `
  query Posts($community: String, $sort: PostSort!, $first: Int!, $after: String) {
    posts(community: $community, sort: $sort, first: $first, after: $after) {
      edges { node { ...PostCardFields } }
      pageInfo { hasNextPage endCursor }
    }
  }
`,
  [PostCardFields],
);

export const PostQuery = graphql(
  `
  query Post($id: ID!, $community: String!) {
    post(id: $id) { ...PostFields author { id points(community: $community) } }
  }
`,
  [PostFields],
);

// The author is asked once, with their points: a second `author` would count twice against the
// query's cost limit (a post's whole comment tree is a large list).
export const CommentsQuery = graphql(
  `
  query Comments($postId: ID!, $sort: CommentSort!, $community: String!) {
    comments(postId: $postId, sort: $sort) { ...CommentBody author { ...UserBrief points(community: $community) } }
  }
`,
  [CommentBody, UserBrief],
);

export const CommunityQuery = graphql(
  `
  query Community($name: String!) {
    community(name: $name) { ...CommunityFields }
  }
`,
  [CommunityFields],
);

export const CommunitiesQuery = graphql(`
  query Communities($sort: CommunitySort!, $first: Int!, $after: String) {
    communities(sort: $sort, first: $first, after: $after) {
      edges {
        cursor
        node { id name title description memberCount postCount viewerIsMember }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const UserQuery = graphql(
  `
  query User($address: String!) {
    user(address: $address) {
      ...UserBrief
      bio
      karma
      postKarma
      commentKarma
      createdAt
    }
  }
`,
  [UserBrief],
);

export const UserPostsQuery = graphql(
  `
  query UserPosts($address: String!, $first: Int!, $after: String) {
    user(address: $address) {
      id
      posts(first: $first, after: $after) {
        edges { node { ...PostCardFields } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`,
  [PostCardFields],
);

export const UserCommentsQuery = graphql(
  `
  query UserComments($address: String!, $first: Int!, $after: String) {
    user(address: $address) {
      id
      comments(first: $first, after: $after) {
        edges {
          cursor
          node {
            ...CommentFields
            post { id title community { id name } }
          }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`,
  [CommentFields],
);

export const ModlogQuery = graphql(
  `
  query Modlog($community: String!, $first: Int!, $after: String) {
    modlog(community: $community, first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          action
          reason
          createdAt
          targetPostId
          targetCommentId
          moderator { ...UserBrief }
          targetUser { ...UserBrief }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`,
  [UserBrief],
);

export const ReportsQuery = graphql(
  `
  query Reports($community: String!, $first: Int!, $after: String, $unresolvedOnly: Boolean!) {
    reports(community: $community, first: $first, after: $after, unresolvedOnly: $unresolvedOnly) {
      edges {
        cursor
        node {
          id
          targetId
          reason
          createdAt
          resolvedAt
          resolvedBy { ...UserBrief }
          reporter { ...UserBrief }
          post { id title isRemoved author { ...UserBrief } }
          comment { id postId body isRemoved author { ...UserBrief } }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`,
  [UserBrief],
);

export const BansQuery = graphql(
  `
  query Bans($community: String!, $first: Int!, $after: String) {
    bans(community: $community, first: $first, after: $after) {
      edges {
        cursor
        node {
          reason
          expiresAt
          createdAt
          user { ...UserBrief }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`,
  [UserBrief],
);

export const RenderMarkdownQuery = graphql(`
  query RenderMarkdown($source: String!) {
    renderMarkdown(source: $source)
  }
`);

// ---- writing -------------------------------------------------------------

export const CreateCommunityMutation = graphql(`
  mutation CreateCommunity($input: CreateCommunityInput!) {
    createCommunity(input: $input) { id name }
  }
`);

export const JoinCommunityMutation = graphql(`
  mutation JoinCommunity($name: String!) {
    joinCommunity(name: $name) { id name viewerIsMember memberCount }
  }
`);

export const LeaveCommunityMutation = graphql(`
  mutation LeaveCommunity($name: String!) {
    leaveCommunity(name: $name) { id name viewerIsMember memberCount }
  }
`);

export const CreatePostMutation = graphql(`
  mutation CreatePost($input: CreatePostInput!) {
    createPost(input: $input) { id community { id name } }
  }
`);

export const EditPostMutation = graphql(
  `
  mutation EditPost($input: EditPostInput!) {
    editPost(input: $input) { ...PostFields }
  }
`,
  [PostFields],
);

export const DeletePostMutation = graphql(`
  mutation DeletePost($id: ID!) {
    deletePost(id: $id) { id isDeleted body bodyHtml }
  }
`);

export const CreateCommentMutation = graphql(
  `
  mutation CreateComment($input: CreateCommentInput!) {
    createComment(input: $input) { ...CommentFields }
  }
`,
  [CommentFields],
);

export const EditCommentMutation = graphql(
  `
  mutation EditComment($input: EditCommentInput!) {
    editComment(input: $input) { ...CommentFields }
  }
`,
  [CommentFields],
);

export const DeleteCommentMutation = graphql(`
  mutation DeleteComment($id: ID!) {
    deleteComment(id: $id) { id isDeleted body bodyHtml }
  }
`);

export const VoteMutation = graphql(`
  mutation Vote($targetId: ID!, $direction: VoteDirection!) {
    vote(targetId: $targetId, direction: $direction) {
      targetId score upvotes downvotes viewerVote
    }
  }
`);

export const ReportMutation = graphql(`
  mutation Report($targetId: ID!, $reason: String!) {
    report(targetId: $targetId, reason: $reason)
  }
`);

export const RemovePostMutation = graphql(`
  mutation RemovePost($id: ID!, $reason: String) {
    removePost(id: $id, reason: $reason) { id isRemoved }
  }
`);

export const RemoveCommentMutation = graphql(`
  mutation RemoveComment($id: ID!, $reason: String) {
    removeComment(id: $id, reason: $reason) { id isRemoved }
  }
`);

export const BanUserMutation = graphql(`
  mutation BanUser($input: BanUserInput!) {
    banUser(input: $input) { reason expiresAt user { id address } community { id name } }
  }
`);

export const UnbanUserMutation = graphql(`
  mutation UnbanUser($community: String!, $address: String!) {
    unbanUser(community: $community, address: $address)
  }
`);

/** unbanUser answers a Boolean, which names no type: send it (and read ban lists) with this
 * context so that urql's cache refreshes the lists of bans after an unban. */
export const BAN_TYPES = { additionalTypenames: ["Ban"] };

export const ResolveReportMutation = graphql(
  `
  mutation ResolveReport($id: ID!) {
    resolveReport(id: $id) { id resolvedAt resolvedBy { ...UserBrief } }
  }
`,
  [UserBrief],
);

export const ReopenReportMutation = graphql(
  `
  mutation ReopenReport($id: ID!) {
    reopenReport(id: $id) { id resolvedAt resolvedBy { ...UserBrief } }
  }
`,
  [UserBrief],
);

export const UpdateProfileMutation = graphql(
  `
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) { ...UserBrief bio }
  }
`,
  [UserBrief],
);

// ---- live ----------------------------------------------------------------

export const PostCreatedSubscription = graphql(`
  subscription PostCreated($community: String) {
    postCreated(community: $community) { id title author { id address } community { id name } }
  }
`);

export const CommentCreatedSubscription = graphql(
  `
  subscription CommentCreated($postId: ID!) {
    commentCreated(postId: $postId) { ...CommentFields }
  }
`,
  [CommentFields],
);

// A literal page size: the cost limit counts a variable `first` as the largest page, and each
// epoch lists its mints.
export const RewardEpochsQuery = graphql(`
  query RewardEpochs($community: String!, $after: String) {
    community(name: $community) {
      id
      rewardEpochs(first: 10, after: $after) {
        edges {
          cursor
          node {
            number
            startsAt
            endsAt
            emission
            distributed
            undistributed
            voided
            recipients
            status
            reviewEndsAt
            merkleRoot
            payouts { chainEpochId recipients amount status txHash }
          }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`);

// The same page of epochs with their lines' farming signals, which only the community's
// moderators are given (null for anyone else): the Rewards tab asks for it for moderators.
export const RewardEpochSignalsQuery = graphql(`
  query RewardEpochSignals($community: String!, $after: String) {
    community(name: $community) {
      id
      rewardEpochs(first: 10, after: $after) {
        edges {
          node {
            number
            lines {
              votes
              amount
              lowStandingShare
              coVotingShare
              post { id title }
              comment { id body }
            }
          }
        }
      }
    }
  }
`);

// A member's rewards, per epoch, with the items that earned them (a literal page size: see
// RewardEpochsQuery).
export const UserRewardsQuery = graphql(`
  query UserRewards($address: String!, $after: String) {
    user(address: $address) {
      id
      rewards(first: 10, after: $after) {
        edges {
          cursor
          node {
            community { id name }
            epoch { number endsAt status reviewEndsAt }
            amount
            status
            txHash
            items {
              votes
              score
              amount
              voided
              post { id title }
              comment { id body post { id title } }
            }
          }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`);

// ---- governance ----------------------------------------------------------

/** What the Governance tab and a proposal page show of a proposal. */
export const ProposalFields = graphql(
  `
  fragment ProposalFields on Proposal {
    id
    proposalId
    description
    descriptionHtml
    kind
    state
    forVotes
    againstVotes
    abstainVotes
    quorum
    voteStart
    voteEnd
    createdTx
    executedTx
    proposer { ...UserBrief }
    candidate { ...UserBrief }
    viewerVote { support weight reason }
  }
`,
  [UserBrief],
);
export type ProposalSummary = ResultOf<typeof ProposalFields>;

// A literal page size: the cost limit counts a variable `first` as the largest page.
export const GovernanceQuery = graphql(
  `
  query Governance($community: String!, $state: ProposalState, $after: String) {
    community(name: $community) {
      id
      governance {
        tokenAddress
        governorAddress
        tokenSymbol
        totalSupply
        quorumPercent
        votingDelaySeconds
        votingPeriodSeconds
        proposalThreshold
        proposals(state: $state, first: 10, after: $after) {
          edges { cursor node { ...ProposalFields } }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }
`,
  [ProposalFields],
);

/** The chain-side settings only (the proposal and propose pages need the governor's address). */
export const GovernanceSettingsQuery = graphql(`
  query GovernanceSettings($community: String!) {
    community(name: $community) {
      id
      chain { communityId }
      governance {
        tokenAddress
        governorAddress
        tokenSymbol
        totalSupply
        quorumPercent
        votingDelaySeconds
        votingPeriodSeconds
        proposalThreshold
      }
    }
  }
`);

export const ProposalQuery = graphql(
  `
  query Proposal($id: ID!, $after: String) {
    proposal(id: $id) {
      ...ProposalFields
      community { id name }
      targets
      values
      calldatas
      descriptionHash
      viewerVotingPower
      viewerCanVote
      timeline { kind at done txHash }
      votes(first: 25, after: $after) {
        edges { cursor node { voter { ...UserBrief } support weight reason txHash } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`,
  [ProposalFields, UserBrief],
);

/** A member's standing in a community: points (token balance), voting power and delegate. */
export const HoldingsQuery = graphql(
  `
  query Holdings($address: String!) {
    user(address: $address) {
      id
      holdings { community tokenSymbol points votingPower delegate { ...UserBrief } }
    }
  }
`,
  [UserBrief],
);

export const StandingQuery = graphql(
  `
  query Standing($address: String!, $community: String!) {
    user(address: $address) {
      id
      points(community: $community)
      votingPower(community: $community)
      delegate(community: $community) { ...UserBrief }
    }
  }
`,
  [UserBrief],
);

export const IndexerQuery = graphql(`
  query Indexer {
    indexer { chainId headBlock indexedBlock lagBlocks chainHead indexedTime }
    explorerUrl
  }
`);

// ---- points beside names -------------------------------------------------

/** A community's feed with each author's points in it (the front page's PostsQuery has none). */
export const CommunityPostsQuery = graphql(
  `
  query CommunityPosts($community: String!, $sort: PostSort!, $first: Int!, $after: String) {
    posts(community: $community, sort: $sort, first: $first, after: $after) {
      edges { node { ...PostCardFields author { id points(community: $community) } } }
      pageInfo { hasNextPage endCursor }
    }
  }
`,
  [PostCardFields],
);

// ---- governance actions --------------------------------------------------

export const ProposeElectionMutation = graphql(`
  mutation ProposeElection($community: String!, $candidate: String!, $description: String) {
    proposeModeratorElection(community: $community, candidate: $candidate, description: $description) {
      governorAddress targets values calldatas description proposalId id
    }
  }
`);

export const ProposeImpeachmentMutation = graphql(`
  mutation ProposeImpeachment($community: String!, $moderator: String!, $description: String) {
    proposeImpeachment(community: $community, moderator: $moderator, description: $description) {
      governorAddress targets values calldatas description proposalId id
    }
  }
`);
export type ProposalDraft = ResultOf<typeof ProposeElectionMutation>["proposeModeratorElection"];

/** What the Tip dialog needs: where tips go, the community's token, and the tipper's points. */
export const TipSetupQuery = graphql(`
  query TipSetup($community: String!, $viewer: String!) {
    tipsContract
    indexer { chainId }
    community(name: $community) { id chain { status tokenAddress } }
    user(address: $viewer) { id points(community: $community) }
  }
`);

export const RelayTipMutation = graphql(`
  mutation RelayTip($community: String!, $itemId: ID!, $amount: BigInt!, $tipper: String!, $deadline: BigInt!, $permit: String!, $signature: String!) {
    relayTip(community: $community, itemId: $itemId, amount: $amount, tipper: $tipper, deadline: $deadline, permit: $permit, signature: $signature) {
      tipper recipient amount status txHash error
    }
  }
`);

/** The tips a person received, newest first (their profile). */
export const UserTipsQuery = graphql(
  `
  query UserTips($address: String!) {
    user(address: $address) {
      id
      tipsReceived(first: 10) {
        edges { node { amount community createdAt txHash tipper { ...UserBrief } } }
      }
    }
  }
`,
  [UserBrief],
);

export const RelayVoteMutation = graphql(`
  mutation RelayVote($proposalId: String!, $support: VoteSupport!, $voter: String!, $signature: String!, $reason: String) {
    relayVote(proposalId: $proposalId, support: $support, voter: $voter, signature: $signature, reason: $reason) {
      proposalId voter support status txHash error
    }
  }
`);

/** A community's delegates, most voting power first. */
export const DelegatesQuery = graphql(
  `
  query Delegates($community: String!, $after: String) {
    community(name: $community) {
      id
      delegates(first: 25, after: $after) {
        edges {
          cursor
          node { user { ...UserBrief } votingPower delegators votesCast participation statementHtml }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`,
  [UserBrief],
);

export const SetDelegateStatementMutation = graphql(`
  mutation SetDelegateStatement($community: String!, $statement: String!) {
    setDelegateStatement(community: $community, statement: $statement) { statement statementHtml }
  }
`);

/** A community's proposals as their tallies or states change (the indexer's view). */
export const ProposalUpdatedSubscription = graphql(`
  subscription ProposalUpdated($community: String!) {
    proposalUpdated(community: $community) {
      id state forVotes againstVotes abstainVotes quorum executedTx
    }
  }
`);

// ---- inbox ---------------------------------------------------------------

export const UnreadNotificationsQuery = graphql(`
  query UnreadNotifications {
    viewer { unreadNotifications }
  }
`);

export const NotificationsQuery = graphql(
  `
  query Notifications($after: String) {
    notifications(first: 25, after: $after) {
      edges {
        node {
          id kind createdAt read
          actor { ...UserBrief }
          post { id title community { name } }
          comment { id body }
          community { name }
          proposal { id description community { name } }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`,
  [UserBrief],
);
export type Notification = ResultOf<typeof NotificationsQuery>["notifications"]["edges"][number]["node"];

// ---- saved, blocks, edit history ----------------------------------------

export const SaveMutation = graphql(`
  mutation Save($targetId: ID!, $saved: Boolean!) { save(targetId: $targetId, saved: $saved) }
`);

export const BlockUserMutation = graphql(`
  mutation BlockUser($address: String!, $blocked: Boolean!) { blockUser(address: $address, blocked: $blocked) }
`);

export const BlockCommunityMutation = graphql(`
  mutation BlockCommunity($name: String!, $blocked: Boolean!) { blockCommunity(name: $name, blocked: $blocked) }
`);

/** A block changes which posts and comments any listing holds: every cached one is asked again. */
export const BLOCK_TYPES = { additionalTypenames: ["Post", "Comment", "Community", "User"] };
/** A save changes `viewerSaved` of a post or comment and the saved list. */
export const SAVE_TYPES = { additionalTypenames: ["Post", "Comment"] };

export const SavedQuery = graphql(
  `
  query Saved($first: Int!, $after: String) {
    viewer {
      saved(first: $first, after: $after) {
        edges {
          node {
            __typename
            ... on Post { ...PostCardFields }
            ... on Comment { ...CommentFields post { id title community { name } } }
          }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`,
  [PostCardFields, CommentFields],
);

export const BlockedQuery = graphql(
  `
  query Blocked {
    viewer {
      blockedUsers { ...UserBrief }
      blockedCommunities { id name title }
    }
  }
`,
  [UserBrief],
);

export const MarkNotificationsReadMutation = graphql(`
  mutation MarkNotificationsRead($ids: [ID!]) {
    markNotificationsRead(ids: $ids)
  }
`);

export const NotificationAddedSubscription = graphql(`
  subscription NotificationAdded {
    notificationAdded { id kind }
  }
`);

export const PostRevisionsQuery = graphql(`
  query PostRevisions($id: ID!) {
    post(id: $id) { id editedAt revisions { title body editedAt } }
  }
`);

export const CommentRevisionsQuery = graphql(`
  query CommentRevisions($id: ID!) {
    comment(id: $id) { id editedAt revisions { body editedAt } }
  }
`);

// ---- feeds, search, permalinks ---------------------------------------------

/** The front page of the communities the viewer joined. The feed is written in the document,
 * not a variable: the server then knows, from the document alone, that this answer is the
 * viewer's own and never the shared one (api/server/viewer_overlay.py). */
export const SubscribedPostsQuery = graphql(
  `
  query SubscribedPosts($sort: PostSort!, $first: Int!, $after: String) {
    posts(feed: SUBSCRIBED, sort: $sort, first: $first, after: $after) {
      edges { node { ...PostCardFields } }
      pageInfo { hasNextPage endCursor }
    }
  }
`,
  [PostCardFields],
);

/** A search of posts, communities or people: every reader shares its answer, with their own
 * votes laid over it (api/server/viewer_overlay.py); comments, whose fields may not be shared,
 * have a query of their own. */
export const SearchQuery = graphql(
  `
  query Search($query: String!, $kind: SearchKind!, $community: String, $first: Int!, $after: String) {
    search(query: $query, kind: $kind, community: $community, first: $first, after: $after) {
      edges {
        node {
          __typename
          ... on Post { ...PostCardFields }
          ... on Community { id name title memberCount }
          ... on User { id address displayName bio }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`,
  [PostCardFields],
);

export const SearchCommentsQuery = graphql(
  `
  query SearchComments($query: String!, $community: String, $first: Int!, $after: String) {
    search(query: $query, kind: COMMENTS, community: $community, first: $first, after: $after) {
      edges {
        node {
          __typename
          ... on Comment { id postId body createdAt score author { ...UserBrief } post { id title community { name } } }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`,
  [UserBrief],
);

/** What the submit form shows as the title is typed: the community's posts most like it. */
export const SimilarPostsQuery = graphql(`
  query SimilarPosts($query: String!, $community: String) {
    search(query: $query, kind: POSTS, community: $community, first: 5) {
      edges { node { __typename ... on Post { id title commentCount community { name } } } }
    }
  }
`);

export const CommentPermalinkQuery = graphql(
  `
  query CommentPermalink($id: ID!) {
    comment(id: $id) {
      ...CommentFields
      post { id title community { name } }
      parents { ...CommentFields }
    }
  }
`,
  [CommentFields],
);
