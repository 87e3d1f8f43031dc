import { networkPrefix } from '../network/network-prefix.js';

/**
 * What a session records about the client it was issued to, and what each request is compared
 * against (theft signals, `docs/theft-signals.md`). Each part is `null` when unknown.
 *
 * @example const fingerprint: ClientFingerprint = { userAgent: 'Firefox on Linux', network: '203.0.113.0/24', country: 'DE' };
 */
export interface ClientFingerprint {
  /** The user agent's family, browser and OS without versions (see {@link userAgentFamily}). */
  userAgent: string | null;
  /** The client's IPv4 /24 or IPv6 /48. */
  network: string | null;
  /** ISO 3166-1 alpha-2 country from the `GeoResolver`. */
  country: string | null;
}

/** The signals a {@link ClientFingerprint} has, in the order they are judged and reported. */
export const SIGNALS = ['userAgent', 'network', 'country'] as const;

/** One of {@link SIGNALS}. */
export type Signal = (typeof SIGNALS)[number];

// Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
const BROWSERS: Array<[RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\b(?:OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\b(?:Chrome|CriOS|Chromium)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*Safari\//, 'Safari'],
  [/\bcurl\//, 'curl'],
];
const SYSTEMS: Array<[RegExp, string]> = [
  [/\b(?:iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

/**
 * The family of a user agent: `'<browser> on <OS>'` for the common browsers and systems, with
 * versions dropped, so a browser update keeps the family while another browser or system changes
 * it. An agent it does not know is its first product token without version (`'node-fetch'`);
 * `null` for a missing one. A small normaliser, not a full user-agent parser: it only needs to
 * tell "the same client" from "another client".
 *
 * @example
 * userAgentFamily('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'); // 'Firefox on Linux'
 */
export function userAgentFamily(userAgent: string | null | undefined): string | null {
  const agent = userAgent?.trim();
  if (!agent) return null;
  // Every request of a session sends the same agent: its family is looked up, not parsed again.
  const known = FAMILIES.get(agent);
  if (known !== undefined) return known;
  const family = parseFamily(agent);
  if (FAMILIES.size >= MAX_FAMILIES) FAMILIES.clear();
  FAMILIES.set(agent, family);
  return family;
}

/** Families of the agents seen lately, bounded: a flood of distinct agents only empties it. */
const FAMILIES = new Map<string, string>();
const MAX_FAMILIES = 1_000;

function parseFamily(agent: string): string {
  const browser = BROWSERS.find(([pattern]) => pattern.test(agent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(agent))?.[1];
  if (browser) return system ? `${browser} on ${system}` : browser;
  const product = /^[A-Za-z][\w.-]*/.exec(agent)?.[0].replace(/[\d.]+$/, '') ?? 'other';
  return (system ? `${product} on ${system}` : product).slice(0, 64);
}

/**
 * The fingerprint of a client from its address, user agent and country.
 *
 * @example fingerprintOf({ ip: '203.0.113.77', userAgent, country: 'DE' }).network; // '203.0.113.0/24'
 */
export function fingerprintOf(from: {
  ip?: string | null;
  userAgent?: string | null;
  country?: string | null;
}): ClientFingerprint {
  return {
    userAgent: userAgentFamily(from.userAgent),
    network: from.ip ? networkPrefix(from.ip) : null,
    country: from.country ?? null,
  };
}
