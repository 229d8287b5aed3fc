/** Single-use, expiring session tokens, each tied to the fault its session should play out. */
import { randomBytes } from 'node:crypto';
import type { FaultName } from './faults.js';

/** Why a token was refused: the `code` of the socket's `error` message. */
export type TokenRefusal = 'invalid_token' | 'token_expired' | 'token_reused';

/** The result of {@link TokenStore.redeem}. */
export type Redemption =
  { ok: true; fault: FaultName | undefined } | { ok: false; code: TokenRefusal; message: string };

interface Entry {
  expiresAt: number;
  used: boolean;
  fault: FaultName | undefined;
}

/** Issues and redeems tokens; the clock is injectable so expiry is testable without waiting. */
export class TokenStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new random token, valid once within the TTL. */
  issue(fault?: FaultName): string {
    this.sweep();
    const token = randomBytes(24).toString('base64url');
    this.entries.set(token, { expiresAt: this.now() + this.ttlMs, used: false, fault });
    return token;
  }

  /** Consumes a token: succeeds once, then reports reuse; expired or unknown tokens are refused. */
  redeem(token: string): Redemption {
    const entry = this.entries.get(token);
    if (!entry) return { ok: false, code: 'invalid_token', message: 'Unknown session token.' };
    if (entry.used) return { ok: false, code: 'token_reused', message: 'This session token was already used.' };
    entry.used = true;
    if (this.now() > entry.expiresAt)
      return { ok: false, code: 'token_expired', message: 'The session token expired.' };
    return { ok: true, fault: entry.fault };
  }

  /** Forgets tokens long past expiry; until then a reused token is reported as reused, not unknown. */
  private sweep(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [token, entry] of this.entries) if (entry.expiresAt < cutoff) this.entries.delete(token);
  }
}
