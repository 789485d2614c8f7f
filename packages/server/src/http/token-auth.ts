import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { ErrorCode, ModelArchiveError } from '@model-archiver/core';

/** The keys of TorchServe's token authorization: one per API, plus the key of the token API that renews them. */
export type TokenKind = 'management' | 'inference' | 'api';

/** One key and when it stops being accepted (`undefined`: never, as TorchServe's API key). */
interface IssuedKey {
  digest: Buffer;
  key: string;
  expiresAt: Date | undefined;
}

/** 24 random bytes: 32 URL-safe characters (TorchServe's keys are 6 bytes). */
const newKey = (): string => randomBytes(24).toString('base64url');

const digestOf = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

const refused = (): ModelArchiveError =>
  new ModelArchiveError(ErrorCode.TOKEN_INVALID, 'Token Authorization failed. Token either incorrect, expired, or not provided correctly');

/** The bearer token of an `Authorization` header, or `undefined`. */
const bearerOf = (header: string | undefined): string | undefined => {
  const match = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
};

/**
 * Whether `file` holds a key file (true), nothing (false); throws `OUTPUT_EXISTS` for anything else, which the server
 * must not overwrite.
 */
const isKeyFile = async (file: string): Promise<boolean> => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new ModelArchiveError(ErrorCode.OUTPUT_EXISTS, `${file} exists and is not a key file; remove it or choose another --key-file.`, {
      cause: error,
      details: { path: file },
    });
  }
  try {
    const parsed = JSON.parse(text) as { management?: { key?: unknown }; inference?: { key?: unknown }; API?: { key?: unknown } };
    if (typeof parsed.management?.key === 'string' && typeof parsed.inference?.key === 'string' && typeof parsed.API?.key === 'string') return true;
  } catch {
    // not JSON: refused below
  }
  throw new ModelArchiveError(ErrorCode.OUTPUT_EXISTS, `${file} exists and is not a key file; remove it or choose another --key-file.`, { details: { path: file } });
};

/**
 * The keys of a running server and their key file (TorchServe 0.11+ layout: `management` and `inference` keys with an
 * `expiration time`, and an `API` key for `/token`). The file is written with mode 0600, atomically (temp + rename),
 * at start and whenever a key is renewed, and removed on shutdown.
 */
export class TokenAuthority {
  readonly keyFile: string;
  private readonly expirationMs: number;
  private readonly keys: Record<TokenKind, IssuedKey>;
  private readonly now: () => number;

  private constructor(keyFile: string, expirationMs: number, now: () => number) {
    this.keyFile = keyFile;
    this.expirationMs = expirationMs;
    this.now = now;
    this.keys = { management: this.issue(true), inference: this.issue(true), api: this.issue(false) };
  }

  /** True when `create` replaced the key file of another server (one killed before it could remove it, or running). */
  replacedKeyFile = false;

  /**
   * Generates the three keys and writes `keyFile`. An existing key file (TorchServe's layout) is replaced; any other
   * existing file is left alone and refused with `OUTPUT_EXISTS`. Throws `OUTPUT_WRITE_FAILED` when the file cannot be
   * written.
   */
  static async create(keyFile: string, expirationMinutes: number, now: () => number = Date.now): Promise<TokenAuthority> {
    const authority = new TokenAuthority(path.resolve(keyFile), expirationMinutes * 60_000, now);
    authority.replacedKeyFile = await isKeyFile(authority.keyFile);
    await authority.writeKeyFile();
    return authority;
  }

  /**
   * Throws `TOKEN_INVALID` unless `authorization` is `Bearer <key>` with the current, unexpired key of `kind`.
   * Compares SHA-256 digests with `timingSafeEqual`, so the time taken does not depend on how much of the key matched.
   */
  check(kind: TokenKind, authorization: string | undefined): void {
    const given = bearerOf(authorization);
    const issued = this.keys[kind];
    const matches = timingSafeEqual(digestOf(given ?? ''), issued.digest);
    if (given === undefined || !matches) throw refused();
    if (issued.expiresAt !== undefined && this.now() >= issued.expiresAt.getTime()) throw refused();
  }

  /** Replaces the management or inference key (a new expiry too) and rewrites the key file. */
  async renew(kind: Exclude<TokenKind, 'api'>): Promise<{ expiresAt: Date }> {
    const issued = this.issue(true);
    const previous = this.keys[kind];
    this.keys[kind] = issued;
    try {
      await this.writeKeyFile();
    } catch (error) {
      this.keys[kind] = previous;
      throw error;
    }
    return { expiresAt: issued.expiresAt as Date };
  }

  /** Removes the key file if it still holds this server's keys (another server may have replaced it since). */
  async removeKeyFile(): Promise<void> {
    try {
      const parsed = JSON.parse(await readFile(this.keyFile, 'utf8')) as { API?: { key?: unknown } };
      if (parsed.API?.key === this.keys.api.key) await rm(this.keyFile, { force: true });
    } catch {
      // Gone or replaced by something that is not a key file: leave it.
    }
  }

  private issue(expires: boolean): IssuedKey {
    const key = newKey();
    return { key, digest: digestOf(key), expiresAt: expires ? new Date(this.now() + this.expirationMs) : undefined };
  }

  private async writeKeyFile(): Promise<void> {
    const entry = (issued: IssuedKey): Record<string, string> => ({ key: issued.key, 'expiration time': issued.expiresAt?.toISOString() ?? '' });
    const text = `${JSON.stringify({ management: entry(this.keys.management), inference: entry(this.keys.inference), API: { key: this.keys.api.key } }, null, 2)}\n`;
    const temp = `${this.keyFile}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await writeFile(temp, text, { mode: 0o600, flag: 'wx' });
      await rename(temp, this.keyFile);
    } catch (error) {
      await rm(temp, { force: true });
      throw new ModelArchiveError(ErrorCode.OUTPUT_WRITE_FAILED, `Cannot write the key file ${this.keyFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
        cause: error,
        details: { path: this.keyFile },
      });
    }
  }
}
