// A self-managed PKI for the webhook server: a CA and a serving certificate signed by it, ECDSA P-256 with
// SHA-256, built with node:crypto and the DER encoder next door (RFC 5280 profile: v3, SANs, key usages).
// The API server trusts the CA through the caBundle injected into the webhook configurations.
import * as crypto from 'node:crypto';
import { FAMILY_BITS, parseIP } from '../../addr/ip';
import {
  bitString,
  boolean,
  explicit,
  implicit,
  octetString,
  oid,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from './der';

const OID = {
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

export interface CertificatePair {
  /** PEM */
  readonly cert: string;
  /** PEM, PKCS#8 */
  readonly key: string;
}

export interface ServingCertOptions {
  readonly dnsNames: readonly string[];
  readonly ips?: readonly string[];
  readonly validityMs: number;
  readonly now?: Date;
}

const DAY_MS = 86_400_000;

function name(commonName: string, organization: string): Buffer {
  return sequence(
    set(sequence(oid(OID.organization), utf8String(organization))),
    set(sequence(oid(OID.commonName), utf8String(commonName))),
  );
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(oid(id), boolean(true), octetString(value))
    : sequence(oid(id), octetString(value));
}

/** keyUsage bits (RFC 5280 section 4.2.1.3), numbered from the most significant bit of the first byte. */
function keyUsage(bits: readonly number[]): Buffer {
  let byte = 0;
  for (const bit of bits) byte |= 0x80 >> bit;
  let unused = 0;
  while (unused < 7 && (byte & (1 << unused)) === 0) unused++;
  return bitString(Buffer.from([byte]), unused);
}

function keyId(publicKey: crypto.KeyObject): Buffer {
  return crypto
    .createHash('sha1')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest();
}

function pem(label: string, der: Buffer): string {
  const b64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

interface IssueInput {
  readonly subject: Buffer;
  readonly issuer: Buffer;
  readonly publicKey: crypto.KeyObject;
  readonly signingKey: crypto.KeyObject;
  readonly issuerPublicKey: crypto.KeyObject;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: readonly Buffer[];
}

function issue(input: IssueInput): string {
  const algorithm = sequence(oid(OID.ecdsaWithSHA256));
  const serial = crypto.randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const extensions = [
    ...input.extensions,
    extension(OID.subjectKeyIdentifier, false, octetString(keyId(input.publicKey))),
    extension(OID.authorityKeyIdentifier, false, sequence(implicit(0, keyId(input.issuerPublicKey)))),
  ];
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(serial),
    algorithm,
    input.issuer,
    sequence(time(input.notBefore), time(input.notAfter)),
    input.subject,
    input.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...extensions)),
  );
  const signature = crypto.sign('sha256', tbs, input.signingKey);
  return pem('CERTIFICATE', sequence(tbs, algorithm, bitString(signature)));
}

const newKeyPair = () => crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const exportKey = (key: crypto.KeyObject): string => String(key.export({ type: 'pkcs8', format: 'pem' }));

/** A CA certificate, as upstream's cert-controller names it: CN "cert", O "metallb". */
export function createCA(validityMs = 10 * 365 * DAY_MS, now = new Date()): CertificatePair {
  const { publicKey, privateKey } = newKeyPair();
  const subject = name('cert', 'metallb');
  const cert = issue({
    subject,
    issuer: subject,
    publicKey,
    signingKey: privateKey,
    issuerPublicKey: publicKey,
    // A little back-dated: clocks of the API server and the controller may differ.
    notBefore: new Date(now.getTime() - 60 * 60 * 1000),
    notAfter: new Date(now.getTime() + validityMs),
    extensions: [
      extension(OID.basicConstraints, true, sequence(boolean(true))),
      extension(OID.keyUsage, true, keyUsage([0, 5, 6])),
    ],
  });
  return { cert, key: exportKey(privateKey) };
}

export function createServingCert(ca: CertificatePair, options: ServingCertOptions): CertificatePair {
  const now = options.now ?? new Date();
  const caKey = crypto.createPrivateKey(ca.key);
  const caCert = new crypto.X509Certificate(ca.cert);
  const { publicKey, privateKey } = newKeyPair();
  const names = [
    ...options.dnsNames.map((d) => implicit(2, Buffer.from(d, 'ascii'))),
    ...(options.ips ?? []).map((ip) => implicit(7, ipBytes(ip))),
  ];
  const cert = issue({
    subject: name(options.dnsNames[0] ?? 'webhook', 'metallb'),
    issuer: name('cert', 'metallb'),
    publicKey,
    signingKey: caKey,
    issuerPublicKey: caCert.publicKey,
    notBefore: new Date(now.getTime() - 60 * 60 * 1000),
    notAfter: new Date(now.getTime() + options.validityMs),
    extensions: [
      extension(OID.basicConstraints, true, sequence()),
      extension(OID.keyUsage, true, keyUsage([0, 2])),
      extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))),
      extension(OID.subjectAltName, false, sequence(...names)),
    ],
  });
  return { cert, key: exportKey(privateKey) };
}

/** The address as the SAN iPAddress octet string: 4 bytes for IPv4, 16 for IPv6, network order. */
function ipBytes(ip: string): Buffer {
  const parsed = parseIP(ip);
  if (parsed === undefined) throw new Error(`not an IP address: ${ip}`);
  const hex = parsed.value.toString(16).padStart(FAMILY_BITS[parsed.family] / 4, '0');
  return Buffer.from(hex, 'hex');
}

/** Whether `cert` is still good for at least `marginMs`, and was issued by `ca`. */
export function isCertValid(cert: string, ca: string, marginMs: number, now = new Date()): boolean {
  try {
    const leaf = new crypto.X509Certificate(cert);
    const authority = new crypto.X509Certificate(ca);
    if (!leaf.verify(authority.publicKey)) return false;
    return (
      new Date(leaf.validTo).getTime() - now.getTime() > marginMs &&
      new Date(authority.validTo).getTime() - now.getTime() > marginMs
    );
  } catch {
    return false;
  }
}
