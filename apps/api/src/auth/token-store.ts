import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import { SluiceError } from '@sluice/core';

export type Access = 'read' | 'write' | 'admin';
const rank: Record<Access, number> = { read: 1, write: 2, admin: 3 };

/** A token as stored: never the token itself, only its SHA-256. Scopes map a namespace (or `*`) to an access level. */
export interface StoredToken {
  name: string;
  sha256: string;
  scopes: Record<string, Access>;
}

export interface Identity {
  name: string;
  scopes: Record<string, Access>;
  /** The token's SHA-256 (hex): what tells two tokens apart, as names need not be unique. */
  sha256: string;
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The bearer tokens sluice accepts, read from a JSON file at start-up. */
export class TokenStore {
  private readonly tokens: Array<{ hash: Buffer; identity: Identity }>;

  constructor(stored: readonly StoredToken[]) {
    this.tokens = stored.map((t) => ({
      hash: Buffer.from(t.sha256, 'hex'),
      identity: { name: t.name, scopes: t.scopes, sha256: t.sha256.toLowerCase() },
    }));
  }

  static load(file: string): TokenStore {
    if (!existsSync(file))
      throw new SluiceError(
        'invalid_config',
        `SLUICE_AUTH=on but the tokens file ${file} does not exist (create a token with: sluice token create)`,
      );
    return new TokenStore(JSON.parse(readFileSync(file, 'utf8')) as StoredToken[]);
  }

  /** The identity of a token, comparing its hash with every stored hash in constant time. */
  identify(token: string): Identity | null {
    const hash = digest(token);
    let found: Identity | null = null;
    for (const entry of this.tokens) {
      if (timingSafeEqual(hash, entry.hash)) found = entry.identity;
    }
    return found;
  }

  /** Creates a token, appends its hash to the file, and returns the token: the only time it is seen. */
  static create(file: string, name: string, scopes: Record<string, Access>): string {
    const token = `sluice_${randomBytes(32).toString('base64url')}`;
    const stored: StoredToken[] = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StoredToken[]) : [];
    stored.push({ name, sha256: digest(token).toString('hex'), scopes });
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
    chmodSync(file, 0o600);
    return token;
  }
}

/** Whether an identity may act at `access` level on `namespace`. */
export function allows(identity: Identity, namespace: string | null, access: Access): boolean {
  const granted = [identity.scopes['*'], namespace === null ? undefined : identity.scopes[namespace]];
  return granted.some((level) => level !== undefined && rank[level] >= rank[access]);
}
