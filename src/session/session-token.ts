import { hash, randomBytes } from 'node:crypto';

/** Bytes of entropy in every session token (256 bits). */
export const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A fresh opaque token: 256 bits from the CSPRNG, base64url (43 characters). */
export function generateToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** SHA-256 of a token, hex: the only form in which a token is stored or used as a key. */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** Cheap shape check before any lookup, so garbage never reaches the store. */
export function isWellFormedToken(token: unknown): token is string {
  return typeof token === 'string' && TOKEN_PATTERN.test(token);
}
