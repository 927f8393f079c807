// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {GovernorUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/GovernorUpgradeable.sol";
import {GovernorCountingSimpleUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorCountingSimpleUpgradeable.sol";
import {GovernorSettingsUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorSettingsUpgradeable.sol";
import {GovernorVotesQuorumFractionUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorVotesQuorumFractionUpgradeable.sol";
import {GovernorVotesUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorVotesUpgradeable.sol";
import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {Bytes} from "@openzeppelin/contracts/utils/Bytes.sol";

/**
 * @title CommunityGovernor
 * @notice A community's governor: its members propose and vote with the community's points, and a passed
 * proposal is executed by this contract itself (no timelock), e.g. to elect or impeach moderators in the
 * {ModeratorRegistry}.
 *
 * @dev OpenZeppelin's Governor with GovernorSettings, GovernorCountingSimple, GovernorVotes and
 * GovernorVotesQuorumFraction, deployed as an EIP-1167 clone with immutable arguments laid out as
 * `token (20 bytes) | name`. The name, the EIP-712 domain and the token are read from those arguments
 * instead of storage, which keeps creating a community cheap; the voting settings and quorum live in
 * storage and change only through the governor's own proposals ({setVotingDelay}, {setVotingPeriod},
 * {setProposalThreshold}, {updateQuorumNumerator}). Periods are in seconds: the token's clock is the
 * block timestamp.
 */
contract CommunityGovernor is
    GovernorUpgradeable,
    GovernorSettingsUpgradeable,
    GovernorCountingSimpleUpgradeable,
    GovernorVotesUpgradeable,
    GovernorVotesQuorumFractionUpgradeable
{
    /// @dev Byte offset of the immutable arguments in a clone's code (the EIP-1167 proxy is 0x2d bytes long).
    uint256 private constant _ARGS_OFFSET = 0x2d;

    /// @dev Only clones are initialized.
    constructor() {
        _disableInitializers();
    }

    /**
     * @notice Sets the community's initial voting settings; called by the factory in the clone's creation.
     * @param initialVotingDelay Seconds between a proposal and the snapshot that opens its vote.
     * @param initialVotingPeriod Seconds a vote stays open.
     * @param initialProposalThreshold Votes (token base units) an account needs to propose.
     * @param initialQuorumNumerator Percent of the total supply at the snapshot that must vote for or abstain.
     *
     * Emits {VotingDelaySet}, {VotingPeriodSet}, {ProposalThresholdSet} and {QuorumNumeratorUpdated}.
     *
     * Requirements:
     *
     * - the clone must not be initialized yet.
     * - `initialVotingPeriod` must not be zero and `initialQuorumNumerator` must be at most 100.
     */
    function initialize(
        uint48 initialVotingDelay,
        uint32 initialVotingPeriod,
        uint256 initialProposalThreshold,
        uint256 initialQuorumNumerator
    ) external initializer {
        __GovernorSettings_init(initialVotingDelay, initialVotingPeriod, initialProposalThreshold);
        __GovernorVotesQuorumFraction_init(initialQuorumNumerator);
    }

    /**
     * @notice The community's name, also the governor's EIP-712 domain name.
     * @return The name given at creation.
     */
    function name() public view override returns (string memory) {
        return string(Bytes.slice(Clones.fetchCloneArgs(address(this)), 20));
    }

    /**
     * @notice The community's token, whose votes this governor counts.
     * @return result The token, read from the clone's immutable arguments.
     */
    function token() public view override returns (IERC5805 result) {
        assembly ("memory-safe") {
            // Copy the first 20 bytes of the arguments to scratch space; the shift drops what follows them.
            extcodecopy(address(), 0x00, _ARGS_OFFSET, 0x14)
            result := shr(96, mload(0x00))
        }
    }

    /**
     * @notice Seconds between a proposal and the snapshot of votes that opens its vote.
     * @return The current voting delay.
     */
    function votingDelay() public view override(GovernorUpgradeable, GovernorSettingsUpgradeable) returns (uint256) {
        return super.votingDelay();
    }

    /**
     * @notice Seconds a vote stays open.
     * @return The current voting period.
     */
    function votingPeriod() public view override(GovernorUpgradeable, GovernorSettingsUpgradeable) returns (uint256) {
        return super.votingPeriod();
    }

    /**
     * @notice Votes, at the moment of proposing, an account needs to propose.
     * @return The current proposal threshold in token base units.
     */
    function proposalThreshold()
        public
        view
        override(GovernorUpgradeable, GovernorSettingsUpgradeable)
        returns (uint256)
    {
        return super.proposalThreshold();
    }

    /**
     * @notice Votes (for and abstain) a proposal needs at a given timepoint to pass.
     * @param timepoint A past timestamp, usually a proposal's snapshot.
     * @return The quorum: the quorum numerator percent of the token's total supply at `timepoint`.
     */
    function quorum(
        uint256 timepoint
    ) public view override(GovernorUpgradeable, GovernorVotesQuorumFractionUpgradeable) returns (uint256) {
        return super.quorum(timepoint);
    }

    /// @dev The EIP-712 domain name is the community's name.
    function _EIP712Name() internal view override returns (string memory) {
        return name();
    }

    /// @dev The EIP-712 domain version is the governor's {version}.
    function _EIP712Version() internal view override returns (string memory) {
        return version();
    }
}
