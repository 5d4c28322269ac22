// Throwaway PKI for one control-plane run, produced with the openssl CLI so the harness needs no crypto
// dependency beyond what Debian ships. ECDSA P-256 everywhere: key generation is ~100x faster than RSA-2048,
// which keeps per-run setup in the tens of milliseconds, and every Kubernetes component accepts it.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface CertPair {
  certPath: string;
  keyPath: string;
}

export interface ServiceAccountKeys {
  privateKeyPath: string;
  publicKeyPath: string;
}

export interface ClientIdentity {
  /** Certificate CN: the Kubernetes user name. */
  user: string;
  /** Certificate O values: the Kubernetes groups. */
  groups?: string[];
}

export interface ServingCertOptions {
  ips: string[];
  dnsNames: string[];
}

// Certificates only need to outlive one test run; a short life keeps a leaked run folder harmless.
const VALIDITY_DAYS = 2;

// Subject values end up inside an openssl config file, where `$`, newlines or `=` would change its meaning.
// Kubernetes user and group names used by tests fit this set.
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9:._@+-]*$/;

function checkName(kind: string, value: string): void {
  if (!SAFE_NAME.test(value)) throw new Error(`certs: unsupported ${kind} ${JSON.stringify(value)}`);
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await execFileP('openssl', args, { cwd, maxBuffer: 1 << 20 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error('certs: openssl not found on PATH; install it with scripts/install-deps.sh');
    }
    throw new Error(`certs: openssl ${args[0] ?? ''} failed: ${e.stderr ?? e.message}`);
  }
}

function subjectLines(cn: string, orgs: string[]): string[] {
  checkName('common name', cn);
  // openssl requires a numeric prefix to repeat a field in one section ("0.O", "1.O").
  const o = orgs.map((g, i) => {
    checkName('organization', g);
    return `${i}.O = ${g}`;
  });
  return [...o, `CN = ${cn}`];
}

function configText(subject: string[], ext: string[]): string {
  return [
    '[req]',
    'distinguished_name = dn',
    'prompt = no',
    'utf8 = yes',
    '[dn]',
    ...subject,
    '[ext]',
    ...ext,
    '',
  ].join('\n');
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-noenc'];

/** A PKI rooted at a fresh CA in `dir`. Call `create()` to make the CA, then issue leaf certs from it. */
export class Pki {
  readonly ca: CertPair;

  private constructor(readonly dir: string) {
    this.ca = { certPath: path.join(dir, 'ca.crt'), keyPath: path.join(dir, 'ca.key') };
  }

  static async create(dir: string, caName = 'ironlb-e2e-ca'): Promise<Pki> {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const pki = new Pki(dir);
    const cnf = path.join(dir, 'ca.cnf');
    await fs.writeFile(
      cnf,
      configText(subjectLines(caName, []), [
        'basicConstraints = critical,CA:TRUE',
        'keyUsage = critical,keyCertSign,cRLSign,digitalSignature',
        'subjectKeyIdentifier = hash',
      ]),
    );
    await openssl(
      [
        'req',
        '-x509',
        ...EC_KEY,
        '-keyout',
        pki.ca.keyPath,
        '-out',
        pki.ca.certPath,
        '-days',
        String(VALIDITY_DAYS),
      ].concat(['-config', cnf, '-extensions', 'ext']),
      dir,
    );
    return pki;
  }

  /** Reads the CA certificate PEM (for kubeconfigs and HTTPS clients). */
  caPem(): Promise<string> {
    return fs.readFile(this.ca.certPath, 'utf8');
  }

  private async issue(name: string, subject: string[], ext: string[]): Promise<CertPair> {
    checkName('file name', name);
    const pair = {
      certPath: path.join(this.dir, `${name}.crt`),
      keyPath: path.join(this.dir, `${name}.key`),
    };
    const cnf = path.join(this.dir, `${name}.cnf`);
    await fs.writeFile(
      cnf,
      configText(subject, ['basicConstraints = critical,CA:FALSE', 'authorityKeyIdentifier = keyid', ...ext]),
    );
    // `req -x509 -CA` (OpenSSL >= 3.0) creates key, CSR and CA-signed cert in one step with a random serial.
    await openssl(
      [
        'req',
        '-x509',
        ...EC_KEY,
        '-keyout',
        pair.keyPath,
        '-out',
        pair.certPath,
        '-days',
        String(VALIDITY_DAYS),
      ].concat(['-config', cnf, '-extensions', 'ext', '-CA', this.ca.certPath, '-CAkey', this.ca.keyPath]),
      this.dir,
    );
    return pair;
  }

  /** TLS server certificate; clients verify the host they dial against `ips`/`dnsNames`. */
  issueServing(name: string, cn: string, opts: ServingCertOptions): Promise<CertPair> {
    const sans = [
      ...opts.ips.map((ip) => {
        // IPv6 literals contain ':' which is fine in SANs, but anything else exotic is not an IP.
        if (!/^[0-9a-fA-F.:]+$/.test(ip)) throw new Error(`certs: bad IP SAN ${ip}`);
        return `IP:${ip}`;
      }),
      ...opts.dnsNames.map((d) => {
        checkName('DNS name', d);
        return `DNS:${d}`;
      }),
    ];
    if (sans.length === 0) throw new Error('certs: a serving certificate needs at least one SAN');
    return this.issue(name, subjectLines(cn, []), [
      'keyUsage = critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage = serverAuth',
      `subjectAltName = ${sans.join(',')}`,
    ]);
  }

  /** TLS client certificate; the apiserver maps CN to the user and each O to a group. */
  issueClient(name: string, id: ClientIdentity): Promise<CertPair> {
    return this.issue(name, subjectLines(id.user, id.groups ?? []), [
      'keyUsage = critical,digitalSignature',
      'extendedKeyUsage = clientAuth',
    ]);
  }

  /** Key pair the apiserver signs ServiceAccount tokens with (ES256) and verifies them against. */
  async serviceAccountKeys(name = 'service-account'): Promise<ServiceAccountKeys> {
    checkName('file name', name);
    const keys = {
      privateKeyPath: path.join(this.dir, `${name}.key`),
      publicKeyPath: path.join(this.dir, `${name}.pub`),
    };
    await openssl(
      ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keys.privateKeyPath],
      this.dir,
    );
    await openssl(['pkey', '-in', keys.privateKeyPath, '-pubout', '-out', keys.publicKeyPath], this.dir);
    return keys;
  }
}
