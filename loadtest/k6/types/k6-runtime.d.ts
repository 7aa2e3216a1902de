// Globals the k6 runtime provides (k6 >= 1.0) that @types/k6 does not declare: the WebCrypto
// subset this package uses, and console. Only the k6 type-check includes this file; Node's
// own types declare the same globals for the Node tests.

interface K6CryptoKey {
  readonly type: string;
}

interface K6SubtleCrypto {
  importKey(format: 'raw', keyData: Uint8Array, algorithm: { name: 'HMAC'; hash: 'SHA-256' } | { name: 'AES-GCM' }, extractable: boolean, usages: string[]): Promise<K6CryptoKey>;
  sign(algorithm: 'HMAC', key: K6CryptoKey, data: Uint8Array): Promise<ArrayBuffer>;
  encrypt(algorithm: { name: 'AES-GCM'; iv: Uint8Array; additionalData: Uint8Array; tagLength: number }, key: K6CryptoKey, data: Uint8Array): Promise<ArrayBuffer>;
  decrypt(algorithm: { name: 'AES-GCM'; iv: Uint8Array; additionalData: Uint8Array; tagLength: number }, key: K6CryptoKey, data: Uint8Array): Promise<ArrayBuffer>;
}

declare var crypto: { readonly subtle: K6SubtleCrypto };

declare var console: {
  log(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
};
