export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

/** A person as the forum names them: their display name if they set one, else the short address
 * (a deleted account has neither). */
export function displayName(user: { displayName?: string | null; address: string; deletedAt?: string | null }): string {
  if (user.deletedAt) return "[deleted]";
  return user.displayName?.trim() || shortAddress(user.address);
}

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

export function timeAgo(iso: string, now = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "";
  const seconds = Math.round((t - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
  }
  return "just now";
}

export function fullDate(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toLocaleString();
}

export function compactNumber(n: number): string {
  return new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 }).format(n);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${compactNumber(n)} ${n === 1 ? one : many}`;
}

export function domainOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, "");
  } catch {
    return url;
  }
}

/** Markdown source to a short plain-text teaser for feeds. */
export function excerpt(markdown: string | null | undefined, max = 220): string {
  if (!markdown) return "";
  const text = markdown
    .replace(/```[\s\S]*?```/g, " ")
    .replace(/!\[[^\]]*\]\([^)]*\)/g, " ")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[#>*_`~|-]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > max ? `${text.slice(0, max).trimEnd()}…` : text;
}

export function initials(user: { displayName?: string | null; address: string }): string {
  const n = user.displayName?.trim();
  return (n ? n.slice(0, 1) : user.address.slice(2, 4)).toUpperCase();
}

/** A token amount in base units (a decimal string, 18 decimals) as tokens: "928.5714", "1,000". */
export function tokens(baseUnits: string, decimals = 4): string {
  const units = BigInt(baseUnits);
  const scale = 10n ** 18n;
  const whole = (units / scale).toLocaleString("en-US");
  const fraction = (units % scale).toString().padStart(18, "0").slice(0, decimals).replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : whole;
}

/**
 * A community's token symbol, the one word for its points beside every amount: the platform
 * creates every community's token with this one (governance/operator.py `token_symbol`, which
 * `Governance.tokenSymbol` answers), so a byline need not ask the API for it.
 */
export function tokenSymbol(community: string): string {
  return community.replace(/[^A-Za-z0-9]/g, "").toUpperCase().slice(0, 11) || "POINTS";
}

/** "12.5 GOV": an amount of a community's points with its symbol. */
export function pointsOf(baseUnits: string, community: string, decimals = 2): string {
  return `${tokens(baseUnits, decimals)} ${tokenSymbol(community)}`;
}
