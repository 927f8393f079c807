// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {CommunityFactory} from "./CommunityFactory.sol";
import {ModeratorRegistry} from "./ModeratorRegistry.sol";

interface ICommunityGovernorToken {
    function token() external view returns (IVotes);
}

/**
 * @title Tips
 * @notice Lets a member pay an author in a community's points, tied to the post or comment they liked.
 *
 * @dev A tip is a plain `transferFrom` of a community token from the tipper to the author, so it costs
 * the tipper their own points; the contract holds nothing and keeps no state. `itemRef` names what the
 * tip is for: Agora uses `keccak256(bytes(graphqlId))` of the post's or comment's GraphQL id (e.g.
 * `keccak256("Post:42")`), which its indexer maps back to the item.
 *
 * Only tokens of communities made by the {CommunityFactory} are accepted: the token's name gives the
 * community's id, whose governor (recorded by the factory's {ModeratorRegistry}) must vote with this token.
 * A look-alike token cannot pass, since each governor names its own community's token.
 */
contract Tips is EIP712, Nonces {
    using SafeERC20 for IERC20;

    /// @dev What a tipper signs for {tipBySig}: the permit alone names neither the author nor the item.
    bytes32 public constant TIP_TYPEHASH =
        keccak256(
            "Tip(address token,address from,address to,uint256 amount,bytes32 itemRef,uint256 nonce,uint256 deadline)"
        );

    /**
     * @dev A token's EIP-2612 permit for this contract, as {tipBySig} takes it.
     * @param deadline The permit's (and the tip signature's) deadline.
     */
    struct Permit {
        uint256 deadline;
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    CommunityFactory private immutable _factory;
    ModeratorRegistry private immutable _registry;

    /// @dev `from` paid `amount` of `token` to `to` for the item `itemRef` (keccak256 of its GraphQL id).
    event Tipped(address indexed token, address indexed from, address indexed to, uint256 amount, bytes32 itemRef);

    /// @dev An account cannot tip itself.
    error TipsSelfTip(address account);

    /// @dev A tip must pay something.
    error TipsZeroAmount();

    /// @dev `token` is not the token of a community made by the factory.
    error TipsUnknownToken(address token);

    /// @dev The tip's signature expired at `deadline`.
    error TipsExpiredSignature(uint256 deadline);

    /// @dev The tip's signature is not `from`'s.
    error TipsInvalidSignature(address from);

    /// @dev The zero address cannot receive a tip.
    error TipsInvalidRecipient(address to);

    /**
     * @param factory_ The {CommunityFactory} whose communities' tokens may be tipped.
     */
    constructor(CommunityFactory factory_) EIP712("Agora Tips", "1") {
        _factory = factory_;
        _registry = factory_.registry();
    }

    /**
     * @notice Pays `amount` of `token` from the caller to `to` for the item `itemRef`.
     * @param token A community's {CommunityToken}.
     * @param to The item's author.
     * @param amount The tip, in the token's base units.
     * @param itemRef `keccak256` of the item's GraphQL id.
     *
     * Emits {Tipped}.
     *
     * Requirements:
     *
     * - `token` must be a community's token made by the factory.
     * - `to` must not be the caller nor the zero address; `amount` must not be zero.
     * - the caller must have allowed this contract at least `amount` and hold it.
     */
    function tip(address token, address to, uint256 amount, bytes32 itemRef) external {
        _check(token, msg.sender, to, amount);
        _pay(token, msg.sender, to, amount, itemRef);
    }

    /**
     * @notice Pays a tip with the caller's EIP-2612 permit: one signature and one transaction, no prior
     * `approve`.
     * @param token A community's {CommunityToken}.
     * @param to The item's author.
     * @param amount The tip, in the token's base units.
     * @param itemRef `keccak256` of the item's GraphQL id.
     * @param deadline The permit's deadline.
     * @param v The permit signature's `v`.
     * @param r The permit signature's `r`.
     * @param s The permit signature's `s`.
     *
     * Emits {Tipped}.
     *
     * Requirements: those of {tip}. A permit already used (e.g. front-run from the mempool) is tolerated
     * as long as the allowance it granted still covers `amount`.
     *
     * The tipper is the caller, never an argument: a permit names neither the author nor the item, so
     * whoever could send someone else's permit could send their points elsewhere.
     */
    function tipWithPermit(
        address token,
        address to,
        uint256 amount,
        bytes32 itemRef,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        _check(token, msg.sender, to, amount);
        // A front-run permit reverts here yet leaves the allowance: transferFrom decides.
        try IERC20Permit(token).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        _pay(token, msg.sender, to, amount, itemRef);
    }

    /**
     * @notice Pays a tip signed by `from`, sent by anyone (Agora's operator relays gasless tips): the
     * tipper signs the token's permit for this contract and a {TIP_TYPEHASH} message naming the author
     * and the item, with the same deadline.
     * @param token A community's {CommunityToken}.
     * @param from The tipper.
     * @param to The item's author.
     * @param amount The tip, in the token's base units.
     * @param itemRef `keccak256` of the item's GraphQL id.
     * @param permit The tipper's permit of `amount` for this contract.
     * @param signature The tipper's EIP-712 signature of the tip, at their next {nonces}.
     *
     * Emits {Tipped}.
     *
     * Requirements: those of {tip}, for `from`; the deadline not passed; `signature` valid for `from`
     * (ERC-1271 for contract accounts). A front-run permit is tolerated as in {tipWithPermit}.
     */
    function tipBySig(
        address token,
        address from,
        address to,
        uint256 amount,
        bytes32 itemRef,
        Permit calldata permit,
        bytes calldata signature
    ) external {
        _check(token, from, to, amount);
        if (block.timestamp > permit.deadline) revert TipsExpiredSignature(permit.deadline);
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(TIP_TYPEHASH, token, from, to, amount, itemRef, _useNonce(from), permit.deadline))
        );
        if (!SignatureChecker.isValidSignatureNow(from, digest, signature)) revert TipsInvalidSignature(from);
        try IERC20Permit(token).permit(from, address(this), amount, permit.deadline, permit.v, permit.r, permit.s) {} catch {}
        _pay(token, from, to, amount, itemRef);
    }

    /**
     * @notice Whether `token` is the token of a community made by the factory.
     * @param token Any address.
     * @return Whether tips in `token` are accepted.
     */
    function isCommunityToken(address token) public view returns (bool) {
        if (token.code.length == 0) return false;
        try IERC20Metadata(token).name() returns (string memory name) {
            address governor = _registry.governorOf(keccak256(bytes(name)));
            return governor != address(0) && address(ICommunityGovernorToken(governor).token()) == token;
        } catch {
            return false;
        }
    }

    /**
     * @notice The factory whose communities' tokens may be tipped.
     * @return The {CommunityFactory}.
     */
    function factory() external view returns (CommunityFactory) {
        return _factory;
    }

    /// @dev Refuses what the chain would otherwise accept but no tipper means: see {tip}'s requirements.
    function _check(address token, address from, address to, uint256 amount) private view {
        if (amount == 0) revert TipsZeroAmount();
        if (to == address(0)) revert TipsInvalidRecipient(to);
        if (to == from) revert TipsSelfTip(from);
        if (!isCommunityToken(token)) revert TipsUnknownToken(token);
    }

    function _pay(address token, address from, address to, uint256 amount, bytes32 itemRef) private {
        IERC20(token).safeTransferFrom(from, to, amount);
        emit Tipped(token, from, to, amount, itemRef);
    }
}
