// Content digests as go-digest validates them (`algorithm:encoded`): the algorithms the
// reference links in (crypto/sha256 and crypto/sha512, so sha256, sha384 and sha512), lowercase
// hex of the right length. Error texts are go-digest's.
import { type Hash, createHash } from 'node:crypto';

const HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** go-digest's DigestRegexp, anchored: what a digest looks like, whatever its algorithm. */
const DIGEST_SHAPE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export interface ParsedDigest {
  algorithm: 'sha256' | 'sha384' | 'sha512';
  /** Lowercase hex. */
  encoded: string;
}

/** Digest.Validate: null when valid, else go-digest's error text. */
export function digestError(digest: string): string | null {
  const i = digest.indexOf(':');
  if (i <= 0 || i + 1 === digest.length) return 'invalid checksum digest format';
  const algorithm = digest.slice(0, i);
  const encoded = digest.slice(i + 1);
  const length = Object.hasOwn(HEX_LENGTH, algorithm) ? HEX_LENGTH[algorithm] : undefined;
  if (length === undefined) {
    return DIGEST_SHAPE.test(digest) ? 'unsupported digest algorithm' : 'invalid checksum digest format';
  }
  if (encoded.length !== length) return 'invalid checksum digest length';
  if (!/^[a-f0-9]+$/.test(encoded)) return 'invalid checksum digest format';
  return null;
}

/** The parts of a digest; throws go-digest's error for an invalid one. */
export function parseDigest(digest: string): ParsedDigest {
  const err = digestError(digest);
  if (err !== null) throw new Error(err);
  const i = digest.indexOf(':');
  return { algorithm: digest.slice(0, i) as ParsedDigest['algorithm'], encoded: digest.slice(i + 1) };
}

/** A hash for the digest's algorithm. */
export function digester(digest: ParsedDigest): Hash {
  return createHash(digest.algorithm);
}

/** The digest of `data` in the same algorithm as `like`. */
export function digestOf(data: Buffer, like: ParsedDigest): string {
  return `${like.algorithm}:${digester(like).update(data).digest('hex')}`;
}
