// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

/**
 * @title ModeratorRegistry
 * @notice The moderator set of every Agora community, each set governed by that community alone.
 *
 * @dev The {CommunityFactory} that deployed this registry registers each community once, with its
 * governor and its first moderator. From then on only that community's governor may elect or
 * impeach its moderators; since a governor acts only by executing a passed proposal, the set
 * changes only by the community's vote.
 */
contract ModeratorRegistry {
    using EnumerableSet for EnumerableSet.AddressSet;

    address private immutable _factory;

    mapping(bytes32 communityId => address governor) private _governors;
    mapping(bytes32 communityId => EnumerableSet.AddressSet) private _moderators;

    /// @dev A community was registered with `governor` as the only account that may change its moderators.
    event CommunityRegistered(bytes32 indexed communityId, address indexed governor);

    /// @dev `account` became a moderator of the community `communityId`.
    event ModeratorElected(bytes32 indexed communityId, address indexed account);

    /// @dev `account` stopped being a moderator of the community `communityId`.
    event ModeratorImpeached(bytes32 indexed communityId, address indexed account);

    /// @dev `caller` may not perform this operation on the community `communityId`.
    error ModeratorRegistryUnauthorized(bytes32 communityId, address caller);

    /// @dev The community `communityId` is already registered.
    error ModeratorRegistryCommunityExists(bytes32 communityId);

    /// @dev The zero address cannot be a governor or a moderator.
    error ModeratorRegistryInvalidAccount(address account);

    /// @dev `account` is already a moderator of the community `communityId`.
    error ModeratorRegistryAlreadyModerator(bytes32 communityId, address account);

    /// @dev `account` is not a moderator of the community `communityId`.
    error ModeratorRegistryNotModerator(bytes32 communityId, address account);

    /// @dev The deployer becomes the factory, the only account that may register communities.
    constructor() {
        _factory = msg.sender;
    }

    /**
     * @notice The factory allowed to register communities.
     * @return The factory's address.
     */
    function factory() external view returns (address) {
        return _factory;
    }

    /**
     * @notice The governor of a community, the only account that may change its moderators.
     * @param communityId The community's id, `keccak256(bytes(name))`.
     * @return The governor's address, or the zero address for an unknown community.
     */
    function governorOf(bytes32 communityId) external view returns (address) {
        return _governors[communityId];
    }

    /**
     * @notice Whether `account` is a moderator of a community.
     * @param communityId The community's id.
     * @param account The account to check.
     * @return True if `account` is currently one of the community's moderators.
     */
    function isModerator(bytes32 communityId, address account) external view returns (bool) {
        return _moderators[communityId].contains(account);
    }

    /**
     * @notice The moderators of a community, in no particular order.
     * @dev Copies the whole set to memory: meant for off-chain reads. See {moderatorAt} to page.
     * @param communityId The community's id.
     * @return The moderators' addresses.
     */
    function moderators(bytes32 communityId) external view returns (address[] memory) {
        return _moderators[communityId].values();
    }

    /**
     * @notice The number of moderators of a community.
     * @param communityId The community's id.
     * @return The size of the community's moderator set.
     */
    function moderatorCount(bytes32 communityId) external view returns (uint256) {
        return _moderators[communityId].length();
    }

    /**
     * @notice The moderator at `index` of a community's set; the order may change on impeachment.
     * @param communityId The community's id.
     * @param index A position lower than {moderatorCount}.
     * @return The moderator's address.
     */
    function moderatorAt(bytes32 communityId, uint256 index) external view returns (address) {
        return _moderators[communityId].at(index);
    }

    /**
     * @notice Registers a new community with its governor and first moderator.
     * @param communityId The community's id.
     * @param governor The community's governor.
     * @param firstModerator The community's creator, its first moderator.
     *
     * Emits {CommunityRegistered} and {ModeratorElected}.
     *
     * Requirements:
     *
     * - the caller must be the factory.
     * - the community must not be registered yet.
     * - `governor` and `firstModerator` must not be the zero address.
     */
    function registerCommunity(bytes32 communityId, address governor, address firstModerator) external {
        if (msg.sender != _factory) revert ModeratorRegistryUnauthorized(communityId, msg.sender);
        if (_governors[communityId] != address(0)) revert ModeratorRegistryCommunityExists(communityId);
        if (governor == address(0)) revert ModeratorRegistryInvalidAccount(governor);
        _governors[communityId] = governor;
        emit CommunityRegistered(communityId, governor);
        _elect(communityId, firstModerator);
    }

    /**
     * @notice Makes `account` a moderator of a community.
     * @param communityId The community's id.
     * @param account The account elected.
     *
     * Emits {ModeratorElected}.
     *
     * Requirements:
     *
     * - the caller must be the community's governor (a passed proposal being executed).
     * - `account` must not be the zero address nor already a moderator.
     */
    function electModerator(bytes32 communityId, address account) external {
        _checkGovernor(communityId);
        _elect(communityId, account);
    }

    /**
     * @notice Removes `account` from a community's moderators.
     * @param communityId The community's id.
     * @param account The moderator impeached.
     *
     * Emits {ModeratorImpeached}.
     *
     * Requirements:
     *
     * - the caller must be the community's governor (a passed proposal being executed).
     * - `account` must be a moderator of the community.
     */
    function impeachModerator(bytes32 communityId, address account) external {
        _checkGovernor(communityId);
        if (!_moderators[communityId].remove(account)) revert ModeratorRegistryNotModerator(communityId, account);
        emit ModeratorImpeached(communityId, account);
    }

    /// @dev Reverts unless the caller is the governor of `communityId`; an unknown community has none.
    function _checkGovernor(bytes32 communityId) private view {
        if (msg.sender != _governors[communityId]) revert ModeratorRegistryUnauthorized(communityId, msg.sender);
    }

    function _elect(bytes32 communityId, address account) private {
        if (account == address(0)) revert ModeratorRegistryInvalidAccount(account);
        if (!_moderators[communityId].add(account)) revert ModeratorRegistryAlreadyModerator(communityId, account);
        emit ModeratorElected(communityId, account);
    }
}
