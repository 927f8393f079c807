// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {ERC20Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/ERC20Upgradeable.sol";
import {ERC20PermitUpgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/extensions/ERC20PermitUpgradeable.sol";
import {ERC20VotesUpgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/extensions/ERC20VotesUpgradeable.sol";
import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {NoncesUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/NoncesUpgradeable.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {Bytes} from "@openzeppelin/contracts/utils/Bytes.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";

/**
 * @title CommunityToken
 * @notice A community's points: an ERC-20 whose balances are voting power in the community's governor.
 *
 * @dev Deployed as an EIP-1167 clone with immutable arguments (see {Clones-cloneDeterministicWithImmutableArgs}),
 * laid out as `factory (20 bytes) | symbol length (1 byte) | symbol | name`. The clone needs no storage
 * initialization: its name, symbol and EIP-712 domain are read from those arguments, which keeps creating
 * a community cheap.
 *
 * Points are only minted, by the accounts holding the factory's `MINTER_ROLE`, one reward epoch at a time:
 * {mintEpoch} records each epoch id and refuses it a second time. Every holder delegates to itself on first
 * receipt, so earned points count as votes without a transaction of the holder's own. The clock is the block
 * timestamp (ERC-6372 `mode=timestamp`).
 */
contract CommunityToken is ERC20PermitUpgradeable, ERC20VotesUpgradeable {
    using BitMaps for BitMaps.BitMap;

    /// @dev The factory role whose holders may mint points in every community.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @dev Byte offset of the immutable arguments in a clone's code (the EIP-1167 proxy is 0x2d bytes long).
    uint256 private constant _ARGS_OFFSET = 0x2d;

    // The ERC-7201 locations of OpenZeppelin's `ERC20Storage` (`openzeppelin.storage.ERC20`) and `VotesStorage`
    // (`openzeppelin.storage.Votes`), private constants in OpenZeppelin; {mintEpoch} writes those structs.
    bytes32 private constant _ERC20_STORAGE = 0x52c63247e1f47db19d5ce0460030c497f067ca4cebf71ba98eeadabe20bace00;
    bytes32 private constant _VOTES_STORAGE = 0xe8b26c30fad74198956032a3533d903385d56dd795af560196f9c78d4af40d00;

    BitMaps.BitMap private _mintedEpochs;

    /// @dev The reward epoch `epochId` was paid: `amount` points to `recipients` accounts, part of the
    /// distribution whose OpenZeppelin `StandardMerkleTree` of `(address, uint256)` rows has the root `root`.
    event EpochMinted(uint256 indexed epochId, bytes32 indexed root, uint256 recipients, uint256 amount);

    /// @dev `caller` does not hold the factory's `MINTER_ROLE`.
    error CommunityTokenUnauthorizedMinter(address caller);

    /// @dev The reward epoch `epochId` was already minted.
    error CommunityTokenEpochAlreadyMinted(uint256 epochId);

    /// @dev A batch names `recipients` accounts but `amounts` amounts.
    error CommunityTokenLengthMismatch(uint256 recipients, uint256 amounts);

    /// @dev The implementation holds no state; clones need no initialization.
    constructor() {
        _disableInitializers();
    }

    /**
     * @notice Mints one reward epoch: `amounts[i]` points to `recipients[i]`.
     * @dev Has the effects of `_mint(recipients[i], amounts[i])` for every `i` (balances, total supply, vote
     * checkpoints, self-delegation of new holders and their events) but writes OpenZeppelin's ERC-7201 storage
     * directly, reads each slot once and checkpoints the total supply once per batch: a recipient costs within
     * 15% of the storage it must write (see `governance/gas_report.py`).
     * @param epochId The ledger's id of the epoch, minted at most once.
     * @param root The root of the published distribution this batch is part of (recorded in {EpochMinted}, so the
     * chain says what was paid against what was published; the token does not check the rows against it).
     * @param recipients The accounts paid; an account may appear more than once.
     * @param amounts The points paid to each account, in the token's base units.
     *
     * Emits a {Transfer} per recipient, {DelegateChanged} for new holders, {DelegateVotesChanged} and
     * {EpochMinted}.
     *
     * Requirements:
     *
     * - the caller must hold `MINTER_ROLE` in the {factory}.
     * - `recipients` and `amounts` must have the same length.
     * - the epoch `epochId` must not have been minted.
     * - no recipient may be the zero address.
     */
    function mintEpoch(
        uint256 epochId,
        bytes32 root,
        address[] calldata recipients,
        uint256[] calldata amounts
    ) external {
        if (!IAccessControl(factory()).hasRole(MINTER_ROLE, _msgSender())) {
            revert CommunityTokenUnauthorizedMinter(_msgSender());
        }
        if (recipients.length != amounts.length) revert CommunityTokenLengthMismatch(recipients.length, amounts.length);
        if (_mintedEpochs.get(epochId)) revert CommunityTokenEpochAlreadyMinted(epochId);
        _mintedEpochs.set(epochId);
        ERC20Storage storage erc20 = _erc20Storage();
        VotesStorage storage votes = _votesStorage();
        uint48 timepoint = clock();
        uint256 total = 0;
        for (uint256 i = 0; i < recipients.length; ++i) {
            address to = recipients[i];
            uint256 amount = amounts[i];
            if (to == address(0)) revert ERC20InvalidReceiver(address(0));
            address delegatee = votes._delegatee[to];
            if (delegatee == address(0)) {
                _delegate(to, to); // as {_update} does
                delegatee = to;
            }
            unchecked {
                // Cannot overflow: every balance is at most the total supply, whose sum is checked below.
                erc20._balances[to] += amount;
            }
            emit Transfer(address(0), to, amount);
            (uint256 oldVotes, uint256 newVotes) = _mintVotes(votes._delegateCheckpoints[delegatee], timepoint, amount);
            emit DelegateVotesChanged(delegatee, oldVotes, newVotes);
            total += amount;
        }
        uint256 supply = erc20._totalSupply + total;
        if (supply > _maxSupply()) revert ERC20ExceededSafeSupply(supply, _maxSupply());
        erc20._totalSupply = supply;
        _mintVotes(votes._totalCheckpoints, timepoint, total);
        emit EpochMinted(epochId, root, recipients.length, total);
    }

    /**
     * @notice Whether the reward epoch `epochId` was minted.
     * @param epochId The ledger's id of the epoch.
     * @return True once {mintEpoch} succeeded for `epochId`.
     */
    function epochMinted(uint256 epochId) external view returns (bool) {
        return _mintedEpochs.get(epochId);
    }

    /**
     * @notice The factory that created this token; holders of its `MINTER_ROLE` may mint.
     * @return result The factory's address, read from the clone's immutable arguments.
     */
    function factory() public view returns (address result) {
        assembly ("memory-safe") {
            // Copy the first 20 bytes of the arguments to scratch space; the shift drops what follows them.
            extcodecopy(address(), 0x00, _ARGS_OFFSET, 0x14)
            result := shr(96, mload(0x00))
        }
    }

    /**
     * @notice The community's name, which is also the token's name and EIP-712 domain name.
     * @return The name given at creation.
     */
    function name() public view override returns (string memory) {
        bytes memory args = Clones.fetchCloneArgs(address(this));
        return string(Bytes.slice(args, 21 + uint8(args[20])));
    }

    /**
     * @notice The token's symbol.
     * @return The symbol given at creation.
     */
    function symbol() public view override returns (string memory) {
        bytes memory args = Clones.fetchCloneArgs(address(this));
        return string(Bytes.slice(args, 21, 21 + uint8(args[20])));
    }

    /**
     * @notice The clock of the votes: the block timestamp (ERC-6372).
     * @return The current timestamp.
     */
    function clock() public view override returns (uint48) {
        return Time.timestamp();
    }

    /**
     * @notice The description of the clock (ERC-6372).
     * @return The string `mode=timestamp`.
     */
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    /**
     * @notice The next nonce of `owner` for {permit} and {delegateBySig}.
     * @param owner The account whose nonce is read.
     * @return The nonce its next signature must use.
     */
    function nonces(address owner) public view override(ERC20PermitUpgradeable, NoncesUpgradeable) returns (uint256) {
        return super.nonces(owner);
    }

    /// @dev The EIP-712 domain name is the token's name.
    function _EIP712Name() internal view override returns (string memory) {
        return name();
    }

    /// @dev The EIP-712 domain version, as {ERC20PermitUpgradeable} would set it.
    function _EIP712Version() internal pure override returns (string memory) {
        return "1";
    }

    /**
     * @dev Delegates `to` to itself when it receives points without having a delegate, then moves the
     * balances and votes. An account that delegates to the zero address is delegated to itself again by
     * its next receipt.
     */
    function _update(
        address from,
        address to,
        uint256 value
    ) internal override(ERC20Upgradeable, ERC20VotesUpgradeable) {
        if (to != address(0) && delegates(to) == address(0)) {
            _delegate(to, to);
        }
        super._update(from, to, value);
    }

    /// @dev OpenZeppelin's ERC-20 balances and total supply.
    function _erc20Storage() private pure returns (ERC20Storage storage $) {
        assembly ("memory-safe") {
            $.slot := _ERC20_STORAGE
        }
    }

    /// @dev OpenZeppelin's delegates and vote checkpoints.
    function _votesStorage() private pure returns (VotesStorage storage $) {
        assembly ("memory-safe") {
            $.slot := _VOTES_STORAGE
        }
    }

    /**
     * @dev Adds `amount` votes to a checkpoint history at `timepoint` and returns the votes before and after:
     * `Checkpoints.push(trace, timepoint, trace.latest() + amount)` reading each slot once.
     *
     * A `Trace208` is a dynamic array of `Checkpoint208 {uint48 _key; uint208 _value;}`, one slot per
     * checkpoint with the key in the low 48 bits. The new value is below 2**208 in any transaction that
     * completes: a delegate's votes never exceed the total supply, which {mintEpoch} caps at `_maxSupply()`.
     */
    function _mintVotes(
        Checkpoints.Trace208 storage trace,
        uint48 timepoint,
        uint256 amount
    ) private returns (uint256 oldVotes, uint256 newVotes) {
        assembly ("memory-safe") {
            let lengthSlot := trace.slot
            let length := sload(lengthSlot)
            mstore(0x00, lengthSlot)
            let nextSlot := add(keccak256(0x00, 0x20), length) // where a new checkpoint goes
            let lastKey := 0
            if length {
                let last := sload(sub(nextSlot, 1))
                lastKey := and(last, 0xffffffffffff)
                oldVotes := shr(48, last)
            }
            newVotes := add(oldVotes, amount)
            switch and(gt(length, 0), eq(lastKey, timepoint))
            case 1 {
                // A checkpoint at this timepoint exists: update it.
                sstore(sub(nextSlot, 1), or(timepoint, shl(48, newVotes)))
            }
            default {
                if gt(lastKey, timepoint) {
                    mstore(0x00, 0x2520601d) // CheckpointUnorderedInsertion(), as Checkpoints reverts
                    revert(0x1c, 0x04)
                }
                sstore(lengthSlot, add(length, 1))
                sstore(nextSlot, or(timepoint, shl(48, newVotes)))
            }
        }
    }
}
