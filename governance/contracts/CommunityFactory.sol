// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {CommunityGovernor} from "./CommunityGovernor.sol";
import {ModeratorRegistry} from "./ModeratorRegistry.sol";

/**
 * @title CommunityFactory
 * @notice Creates Agora communities on-chain: each one's token and governor, registered in the
 * {ModeratorRegistry} with its creator as first moderator.
 *
 * @dev Tokens and governors are EIP-1167 clones with immutable arguments, deployed with CREATE2 salted by
 * the community id, so their addresses follow from the community's name (see {predictCommunity}).
 * The factory deploys its registry on construction.
 *
 * Roles:
 *
 * - `OPERATOR_ROLE` creates communities on behalf of their creators. A community's id is its name's hash,
 *   so creation is reserved to the platform to keep names from being squatted on-chain.
 * - `MINTER_ROLE` mints reward epochs in every community's token (see {CommunityToken-mintEpoch}).
 * - `DEFAULT_ADMIN_ROLE` grants and revokes both.
 */
contract CommunityFactory is AccessControl {
    /// @dev May create communities.
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");

    /// @dev May mint reward epochs in every community's token.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /**
     * @dev A community's initial voting settings; afterwards only its own governance changes them.
     * @param votingDelay Seconds between a proposal and the snapshot of votes that opens its vote.
     * @param votingPeriod Seconds a vote stays open.
     * @param proposalThreshold Votes (token base units) an account needs to propose.
     * @param quorumNumerator Percent of the total supply at the snapshot that must vote for or abstain.
     */
    struct CommunitySettings {
        uint48 votingDelay;
        uint32 votingPeriod;
        uint256 proposalThreshold;
        uint256 quorumNumerator;
    }

    address private immutable _tokenImplementation;
    address private immutable _governorImplementation;
    ModeratorRegistry private immutable _registry;

    /// @dev The community `name` was created with its `token` and `governor`; `creator` is its first moderator.
    event CommunityCreated(
        bytes32 indexed communityId,
        string name,
        address token,
        address governor,
        address indexed creator
    );

    /// @dev A community named with this id already exists.
    error CommunityFactoryCommunityExists(bytes32 communityId);

    /// @dev A community's name must not be empty.
    error CommunityFactoryEmptyName();

    /// @dev A token's symbol must be 1 to 255 bytes long.
    error CommunityFactoryInvalidSymbol(string symbol);

    /**
     * @dev Deploys the registry and makes `admin` the administrator of the roles.
     * @param admin The account that grants `OPERATOR_ROLE` and `MINTER_ROLE`.
     * @param tokenImplementation The {CommunityToken} implementation cloned for each community.
     * @param governorImplementation The {CommunityGovernor} implementation cloned for each community.
     */
    constructor(address admin, address tokenImplementation, address governorImplementation) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _tokenImplementation = tokenImplementation;
        _governorImplementation = governorImplementation;
        _registry = new ModeratorRegistry();
    }

    /**
     * @notice Creates a community: its token, its governor, and its registration with `creator` as moderator.
     * @param name The community's name; its id is `keccak256(bytes(name))`.
     * @param symbol The symbol of the community's token.
     * @param creator The account that becomes the community's first moderator.
     * @param settings The governor's initial voting settings.
     * @return communityId The community's id.
     * @return token The community's {CommunityToken}.
     * @return governor The community's {CommunityGovernor}.
     *
     * Emits {CommunityCreated}, and the governor's and the registry's own events.
     *
     * Requirements:
     *
     * - the caller must hold `OPERATOR_ROLE`.
     * - `name` must not be empty nor taken; `symbol` must be 1 to 255 bytes long.
     * - `creator` must not be the zero address; `settings` must be valid for the governor.
     */
    function createCommunity(
        string calldata name,
        string calldata symbol,
        address creator,
        CommunitySettings calldata settings
    ) external onlyRole(OPERATOR_ROLE) returns (bytes32 communityId, address token, address governor) {
        if (bytes(name).length == 0) revert CommunityFactoryEmptyName();
        if (bytes(symbol).length == 0 || bytes(symbol).length > type(uint8).max) {
            revert CommunityFactoryInvalidSymbol(symbol);
        }
        communityId = communityIdOf(name);
        if (_registry.governorOf(communityId) != address(0)) revert CommunityFactoryCommunityExists(communityId);

        token = Clones.cloneDeterministicWithImmutableArgs(
            _tokenImplementation,
            _tokenArgs(name, symbol),
            communityId
        );
        governor = Clones.cloneDeterministicWithImmutableArgs(
            _governorImplementation,
            _governorArgs(token, name),
            communityId
        );
        CommunityGovernor(payable(governor)).initialize(
            settings.votingDelay,
            settings.votingPeriod,
            settings.proposalThreshold,
            settings.quorumNumerator
        );
        _registry.registerCommunity(communityId, governor, creator);
        emit CommunityCreated(communityId, name, token, governor, creator);
    }

    /**
     * @notice The addresses a community's token and governor have, or will have once created.
     * @dev Repeats the clones of {createCommunity} deliberately: the same implementations, arguments
     * and salt, predicted instead of deployed, so that the two cannot name different addresses.
     * @param name The community's name.
     * @param symbol The symbol of the community's token.
     * @return token The address of the community's {CommunityToken}.
     * @return governor The address of the community's {CommunityGovernor}.
     */
    function predictCommunity(
        string calldata name,
        string calldata symbol
    ) external view returns (address token, address governor) {
        bytes32 communityId = communityIdOf(name);
        token = Clones.predictDeterministicAddressWithImmutableArgs(
            _tokenImplementation,
            _tokenArgs(name, symbol),
            communityId
        );
        governor = Clones.predictDeterministicAddressWithImmutableArgs(
            _governorImplementation,
            _governorArgs(token, name),
            communityId
        );
    }

    /**
     * @notice The id of the community named `name`, as Agora's Python code computes it.
     * @param name The community's name.
     * @return `keccak256(bytes(name))`.
     */
    function communityIdOf(string calldata name) public pure returns (bytes32) {
        return keccak256(bytes(name));
    }

    /**
     * @notice The registry of every community's moderators, deployed by this factory.
     * @return The {ModeratorRegistry}.
     */
    function registry() external view returns (ModeratorRegistry) {
        return _registry;
    }

    /**
     * @notice The implementations cloned for each community.
     * @return tokenImplementation The {CommunityToken} implementation.
     * @return governorImplementation The {CommunityGovernor} implementation.
     */
    function implementations() external view returns (address tokenImplementation, address governorImplementation) {
        return (_tokenImplementation, _governorImplementation);
    }

    /// @dev The token's immutable arguments: `factory | symbol length | symbol | name` (see {CommunityToken}).
    function _tokenArgs(string calldata name, string calldata symbol) private view returns (bytes memory) {
        return abi.encodePacked(address(this), uint8(bytes(symbol).length), symbol, name);
    }

    /// @dev The governor's immutable arguments: `token | name` (see {CommunityGovernor}).
    function _governorArgs(address token, string calldata name) private pure returns (bytes memory) {
        return abi.encodePacked(token, name);
    }
}
