// The registry client's error kinds, in their own module so the transport and the upload code can throw them
// without importing the client.

/** A registry error with the HTTP status (when there was a response). */
export class RegistryError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

/** Bytes that do not match the digest (or size) asked for or announced. Never retried. */
export class DigestMismatchError extends RegistryError {}

/** The server's TLS certificate is not trusted (or not valid for the host). Never retried: it will not get better. */
export class CertificateError extends RegistryError {}
