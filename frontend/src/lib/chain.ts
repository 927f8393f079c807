// The wallet's on-chain actions of governance: delegate, propose, vote, execute, and the signed
// ballot of a gasless vote. Loaded on demand (like ./wallet), so viem stays out of the first page.
//
// The calls are encoded from the contracts' function signatures (the ABI of
// governance/artifacts, OpenZeppelin Governor 5 and ERC20Votes): the few the forum sends.
import {
  createPublicClient,
  createWalletClient,
  custom,
  encodeFunctionData,
  parseAbi,
  type Address,
  type EIP1193Provider,
  type Hex,
} from "viem";
import type { AppError } from "./errors";

const GOVERNOR_ABI = parseAbi([
  "function propose(address[] targets, uint256[] values, bytes[] calldatas, string description) returns (uint256)",
  "function castVoteWithReason(uint256 proposalId, uint8 support, string reason) returns (uint256)",
  "function execute(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) payable returns (uint256)",
  "function nonces(address owner) view returns (uint256)",
  "function name() view returns (string)",
  "function version() view returns (string)",
]);

const TOKEN_ABI = parseAbi(["function delegate(address delegatee)"]);

/** GovernorCountingSimple's numbering of a vote's direction. */
export const SUPPORT = { AGAINST: 0, FOR: 1, ABSTAIN: 2 } as const;
export type Support = keyof typeof SUPPORT;

/** The calls a proposal makes if it passes (a ProposalDraft's, or a mirrored proposal's). */
export interface Calls {
  targets: readonly string[];
  values: readonly string[];
  calldatas: readonly string[];
}

function provider(): EIP1193Provider {
  const p = window.ethereum as EIP1193Provider | undefined;
  if (!p) throw { code: "WALLET", message: "No wallet found in this browser." } satisfies AppError;
  return p;
}

/** The wallet's refusal or failure as a message a person can act on. */
export function walletError(err: unknown, doing: string): AppError {
  let e: unknown = err;
  let detail: string | undefined;
  for (let i = 0; i < 5 && e; i++) {
    const x = e as { code?: number; name?: string; cause?: unknown; details?: string; shortMessage?: string; message?: string };
    if (x.code === 4001 || x.name === "UserRejectedRequestError") {
      return { code: "WALLET", message: `You cancelled ${doing} in your wallet. Nothing was sent.` };
    }
    if (x.code === -32002) {
      return { code: "WALLET", message: "Your wallet is already showing a request. Open it to continue." };
    }
    detail ??= x.details || x.shortMessage || x.message;
    e = x.cause;
  }
  const line = detail?.split("\n")[0].trim();
  const why = line ? ` The wallet said: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}` : "";
  return { code: "WALLET", message: `Your wallet couldn't complete ${doing}.${why}` };
}

async function account(): Promise<{ wallet: ReturnType<typeof createWalletClient>; address: Address }> {
  const wallet = createWalletClient({ transport: custom(provider()) });
  let address: Address | undefined;
  try {
    [address] = await wallet.requestAddresses();
  } catch (err) {
    throw walletError(err, "sharing your account");
  }
  if (!address) throw { code: "WALLET", message: "Your wallet didn't share an account." } satisfies AppError;
  return { wallet, address };
}

/**
 * Checks that the wallet is the signed-in account and on the community's chain: a transaction
 * from another account or chain would not count here.
 */
async function ready(expected: { address: string; chainId: number | null }, doing: string) {
  const { wallet, address } = await account();
  if (address.toLowerCase() !== expected.address.toLowerCase()) {
    throw {
      code: "WALLET",
      message: `Your wallet is on account ${address}, but you're signed in as ${expected.address}. Switch accounts in your wallet to ${doing}.`,
    } satisfies AppError;
  }
  let chainId: number;
  try {
    chainId = await wallet.getChainId();
  } catch (err) {
    throw walletError(err, doing);
  }
  if (expected.chainId !== null && chainId !== expected.chainId) {
    throw {
      code: "WALLET",
      message: `Your wallet is on network ${chainId}, but this community's votes are on network ${expected.chainId}. Switch networks in your wallet to ${doing}.`,
    } satisfies AppError;
  }
  return { wallet, address, chainId };
}

async function send(from: { address: string; chainId: number | null }, to: string, data: Hex, doing: string): Promise<Hex> {
  const { address } = await ready(from, doing);
  try {
    // eth_sendTransaction as every wallet takes it: the wallet fills in gas, fees and nonce.
    return (await provider().request({
      method: "eth_sendTransaction",
      params: [{ from: address, to: to as Address, data }],
    })) as Hex;
  } catch (err) {
    throw walletError(err, doing);
  }
}

export type Sender = { address: string; chainId: number | null };

/** `token.delegate(delegatee)`: gives the voter's votes to `delegatee` (themselves, to vote). */
export function delegate(from: Sender, token: string, delegatee: string): Promise<Hex> {
  const data = encodeFunctionData({ abi: TOKEN_ABI, functionName: "delegate", args: [delegatee as Address] });
  return send(from, token, data, "the delegation");
}

function callArgs(calls: Calls) {
  return [calls.targets as Address[], calls.values.map((v) => BigInt(v)), calls.calldatas as Hex[]] as const;
}

/** `governor.propose(...)` with a draft's exact calls and description. */
export function propose(from: Sender, governor: string, calls: Calls, description: string): Promise<Hex> {
  const data = encodeFunctionData({ abi: GOVERNOR_ABI, functionName: "propose", args: [...callArgs(calls), description] });
  return send(from, governor, data, "the proposal");
}

/** `governor.castVoteWithReason(...)`: a vote the voter pays the gas of. */
export function castVote(from: Sender, governor: string, proposalId: string, support: Support, reason: string): Promise<Hex> {
  const data = encodeFunctionData({
    abi: GOVERNOR_ABI,
    functionName: "castVoteWithReason",
    args: [BigInt(proposalId), SUPPORT[support], reason],
  });
  return send(from, governor, data, "your vote");
}

/** `governor.execute(...)`: a mirrored proposal's calls and the hash of its description. */
export function execute(from: Sender, governor: string, calls: Calls, descriptionHash: string): Promise<Hex> {
  const data = encodeFunctionData({
    abi: GOVERNOR_ABI,
    functionName: "execute",
    args: [...callArgs(calls), descriptionHash as Hex],
  });
  return send(from, governor, data, "the execution");
}

const BALLOT = [
  { name: "proposalId", type: "uint256" },
  { name: "support", type: "uint8" },
  { name: "voter", type: "address" },
  { name: "nonce", type: "uint256" },
] as const;

// castVoteWithReasonAndParamsBySig's: the reason is signed too (params stay empty).
const EXTENDED_BALLOT = [...BALLOT, { name: "reason", type: "string" }, { name: "params", type: "bytes" }] as const;

/**
 * Signs the governor's EIP-712 ballot (eth_signTypedData_v4) for a vote someone else sends
 * (castVoteBySig, or with a reason castVoteWithReasonAndParamsBySig): free for the voter. The
 * domain's name and version and the voter's nonce are read from the governor through the
 * wallet's own connection to the chain.
 */
export async function signBallot(
  from: Sender,
  governor: string,
  proposalId: string,
  support: Support,
  reason: string,
): Promise<{ voter: Address; signature: Hex }> {
  const { wallet, address, chainId } = await ready(from, "signing your vote");
  const chain = createPublicClient({ transport: custom(provider()) });
  const contract = { address: governor as Address, abi: GOVERNOR_ABI } as const;
  let name: string, version: string, nonce: bigint;
  try {
    [name, version, nonce] = await Promise.all([
      chain.readContract({ ...contract, functionName: "name" }),
      chain.readContract({ ...contract, functionName: "version" }),
      chain.readContract({ ...contract, functionName: "nonces", args: [address] }),
    ]);
  } catch (err) {
    throw walletError(err, "reading the ballot to sign");
  }
  const domain = { name, version, chainId, verifyingContract: governor as Address };
  const ballot = { proposalId: BigInt(proposalId), support: SUPPORT[support], voter: address, nonce };
  try {
    const signature = reason
      ? await wallet.signTypedData({
          account: address,
          domain,
          types: { ExtendedBallot: EXTENDED_BALLOT },
          primaryType: "ExtendedBallot",
          message: { ...ballot, reason, params: "0x" },
        })
      : await wallet.signTypedData({ account: address, domain, types: { Ballot: BALLOT }, primaryType: "Ballot", message: ballot });
    return { voter: address, signature };
  } catch (err) {
    throw walletError(err, "signing your vote");
  }
}
