// Every GraphQL operation the app sends, in one place.
import { graphql, type ResultOf } from "./graphql";

export const UserBrief = graphql(`
  fragment UserBrief on User {
    id
    address
    displayName
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
            recipients
            status
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
            epoch { number endsAt }
            amount
            status
            txHash
            items {
              votes
              score
              amount
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
    indexer { chainId headBlock indexedBlock lagBlocks }
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

export const RelayVoteMutation = graphql(`
  mutation RelayVote($proposalId: String!, $support: VoteSupport!, $voter: String!, $signature: String!, $reason: String) {
    relayVote(proposalId: $proposalId, support: $support, voter: $voter, signature: $signature, reason: $reason) {
      proposalId voter support status txHash error
    }
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
