// The wallet's side of a tip: a permit of the community's token for the Tips contract, and
// either the tipper's own `tipWithPermit` transaction, or (gasless) the Tips contract's `Tip`
// message for the operator to relay. Loaded on demand, like ./chain, so viem stays out of the
// first page. `itemRef` is keccak256 of the item's GraphQL id (docs/governance.md, "Tips").
import {
  createPublicClient,
  createWalletClient,
  custom,
  encodeFunctionData,
  keccak256,
  parseAbi,
  parseSignature,
  toHex,
  type Address,
  type EIP1193Provider,
  type Hex,
} from "viem";
import type { AppError } from "./errors";
import { walletError, type Sender } from "./chain";

const TOKEN_ABI = parseAbi(["function nonces(address owner) view returns (uint256)", "function name() view returns (string)"]);
const TIPS_ABI = parseAbi([
  "function nonces(address owner) view returns (uint256)",
  "function tipWithPermit(address token, address to, uint256 amount, bytes32 itemRef, uint256 deadline, uint8 v, bytes32 r, bytes32 s)",
]);

const PERMIT = [
  { name: "owner", type: "address" },
  { name: "spender", type: "address" },
  { name: "value", type: "uint256" },
  { name: "nonce", type: "uint256" },
  { name: "deadline", type: "uint256" },
] as const;

const TIP = [
  { name: "token", type: "address" },
  { name: "from", type: "address" },
  { name: "to", type: "address" },
  { name: "amount", type: "uint256" },
  { name: "itemRef", type: "bytes32" },
  { name: "nonce", type: "uint256" },
  { name: "deadline", type: "uint256" },
] as const;

/** How long a signed tip stays valid: long enough for a queue, short enough to mean now. */
const DEADLINE_SECONDS = 3600;

export interface Tip {
  tips: string;
  token: string;
  to: string;
  amount: bigint;
  itemId: string;
}

export function itemRef(itemId: string): Hex {
  return keccak256(toHex(itemId));
}

function provider(): EIP1193Provider {
  const p = window.ethereum as EIP1193Provider | undefined;
  if (!p) throw { code: "WALLET", message: "No wallet found in this browser." } satisfies AppError;
  return p;
}

async function signer(from: Sender) {
  const wallet = createWalletClient({ transport: custom(provider()) });
  let address: Address | undefined;
  let chainId: number;
  try {
    [address] = await wallet.requestAddresses();
    chainId = await wallet.getChainId();
  } catch (err) {
    throw walletError(err, "sharing your account");
  }
  if (!address || address.toLowerCase() !== from.address.toLowerCase()) {
    throw { code: "WALLET", message: `Switch your wallet to ${from.address}, the account you're signed in as, to tip.` } satisfies AppError;
  }
  if (from.chainId !== null && chainId !== from.chainId) {
    throw { code: "WALLET", message: `Switch your wallet to network ${from.chainId} to tip.` } satisfies AppError;
  }
  return { wallet, address, chainId, chain: createPublicClient({ transport: custom(provider()) }) };
}

async function signPermit(s: Awaited<ReturnType<typeof signer>>, tip: Tip, deadline: bigint): Promise<Hex> {
  const token = { address: tip.token as Address, abi: TOKEN_ABI } as const;
  const [name, nonce] = await Promise.all([
    s.chain.readContract({ ...token, functionName: "name" }),
    s.chain.readContract({ ...token, functionName: "nonces", args: [s.address] }),
  ]);
  return s.wallet.signTypedData({
    account: s.address,
    domain: { name, version: "1", chainId: s.chainId, verifyingContract: tip.token as Address },
    types: { Permit: PERMIT },
    primaryType: "Permit",
    message: { owner: s.address, spender: tip.tips as Address, value: tip.amount, nonce, deadline },
  });
}

/** The signatures' deadline by the chain's clock (a local chain's may run ahead of ours). */
async function deadlineOf(s: Awaited<ReturnType<typeof signer>>): Promise<bigint> {
  const block = await s.chain.getBlock();
  return block.timestamp + BigInt(DEADLINE_SECONDS);
}

/** One permit signature, then the tipper's own `tipWithPermit` transaction. */
export async function tipByWallet(from: Sender, tip: Tip): Promise<Hex> {
  const s = await signer(from);
  try {
    const deadline = await deadlineOf(s);
    const { v, r, s: sig } = parseSignature(await signPermit(s, tip, deadline));
    const data = encodeFunctionData({
      abi: TIPS_ABI,
      functionName: "tipWithPermit",
      args: [tip.token as Address, tip.to as Address, tip.amount, itemRef(tip.itemId), deadline, Number(v), r, sig],
    });
    return (await provider().request({
      method: "eth_sendTransaction",
      params: [{ from: s.address, to: tip.tips as Address, data }],
    })) as Hex;
  } catch (err) {
    throw walletError(err, "your tip");
  }
}

/** The two signatures of a gasless tip (free for the tipper), for relayTip. */
export async function signGaslessTip(from: Sender, tip: Tip): Promise<{ tipper: Address; deadline: bigint; permit: Hex; signature: Hex }> {
  const s = await signer(from);
  try {
    const deadline = await deadlineOf(s);
    const permit = await signPermit(s, tip, deadline);
    const nonce = await s.chain.readContract({ address: tip.tips as Address, abi: TIPS_ABI, functionName: "nonces", args: [s.address] });
    const signature = await s.wallet.signTypedData({
      account: s.address,
      domain: { name: "Agora Tips", version: "1", chainId: s.chainId, verifyingContract: tip.tips as Address },
      types: { Tip: TIP },
      primaryType: "Tip",
      message: {
        token: tip.token as Address,
        from: s.address,
        to: tip.to as Address,
        amount: tip.amount,
        itemRef: itemRef(tip.itemId),
        nonce,
        deadline,
      },
    });
    return { tipper: s.address, deadline, permit, signature };
  } catch (err) {
    throw walletError(err, "signing your tip");
  }
}
