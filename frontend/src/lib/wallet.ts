// Loaded on demand when someone signs in, so viem stays out of the first page load.
import { createWalletClient, custom, type Address, type EIP1193Provider } from "viem";
import type { AppError } from "./errors";

export interface SignedChallenge {
  address: Address;
  message: string;
  signature: `0x${string}`;
}

function walletError(err: unknown): AppError {
  let e: unknown = err;
  for (let i = 0; i < 5 && e; i++) {
    const x = e as { code?: number; name?: string; cause?: unknown };
    if (x.code === 4001 || x.name === "UserRejectedRequestError") {
      return { code: "WALLET", message: "You cancelled the request in your wallet. Nothing was signed." };
    }
    if (x.code === -32002) {
      return { code: "WALLET", message: "Your wallet is already showing a request. Open it to continue." };
    }
    e = x.cause;
  }
  return {
    code: "WALLET",
    message: "Your wallet couldn't complete the sign-in. Unlock it and try again.",
  };
}

/**
 * Asks the wallet for an account, gets the server's sign-in message for it, and has the
 * wallet sign that message (personal_sign). Signing is free and sends nothing on-chain.
 */
export async function signChallenge(
  getMessage: (address: Address) => Promise<string>,
): Promise<SignedChallenge> {
  const provider = window.ethereum as EIP1193Provider | undefined;
  if (!provider) throw { code: "WALLET", message: "No wallet found in this browser." } satisfies AppError;
  const wallet = createWalletClient({ transport: custom(provider) });
  let address: Address;
  try {
    [address] = await wallet.requestAddresses();
  } catch (err) {
    throw walletError(err);
  }
  if (!address) throw { code: "WALLET", message: "Your wallet didn't share an account." } satisfies AppError;
  const message = await getMessage(address); // errors here are the server's: let them through
  try {
    const signature = await wallet.signMessage({ account: address, message });
    return { address, message, signature };
  } catch (err) {
    throw walletError(err);
  }
}
