// BGPPeers and the BFDProfiles they reference: every field of v1beta2 checked, timers derived as upstream
// does, the password resolved from its Secret and the BFD profile from its name.
import { IPAddress, parseIP } from '../addr/ip';
import { BFDProfile as BFDProfileResource } from '../api/bfdprofile';
import { BGPPeer as BGPPeerResource } from '../api/bgppeer';
import { objectRef } from '../api/meta';
import { parseDuration } from './duration';
import { ErrorSink, ObjectIdentity } from './errors';
import { Parsed, SecretObject } from './resources';
import { Report, parseSelectorList } from './selector';
import { BFDProfile, Peer } from './types';

export const BASIC_AUTH_SECRET_TYPE = 'kubernetes.io/basic-auth';

export function buildBFDProfiles(
  sources: readonly Parsed<BFDProfileResource>[],
  sink: ErrorSink,
): Map<string, BFDProfile> {
  const profiles = new Map<string, BFDProfile>();
  const definedBy = new Map<string, ObjectIdentity>();
  for (const { id, object } of sources) {
    const report = sink.for(id);
    if (id.name === '') {
      report('metadata.name', 'missing bfd profile name');
      continue;
    }
    const first = definedBy.get(id.name);
    if (first) {
      report(
        'metadata.name',
        `duplicate definition of bfd profile, already defined by ${objectRef(first.kind, first)}`,
      );
      continue;
    }
    definedBy.set(id.name, id);
    // The ranges (10..60000 ms, multiplier 2..255, TTL 1..254) are the schema's: an object out of range never
    // gets here.
    const s = object.spec;
    profiles.set(id.name, {
      name: id.name,
      ...(s.receiveInterval !== undefined ? { receiveInterval: s.receiveInterval } : {}),
      ...(s.transmitInterval !== undefined ? { transmitInterval: s.transmitInterval } : {}),
      ...(s.detectMultiplier !== undefined ? { detectMultiplier: s.detectMultiplier } : {}),
      ...(s.echoInterval !== undefined ? { echoInterval: s.echoInterval } : {}),
      echoMode: s.echoMode ?? false,
      passiveMode: s.passiveMode ?? false,
      ...(s.minimumTtl !== undefined ? { minimumTtl: s.minimumTtl } : {}),
    });
  }
  return profiles;
}

export interface PeerInputs {
  readonly profiles: ReadonlyMap<string, BFDProfile>;
  /** Profiles that exist but failed their schema: a reference to one is not reported again. */
  readonly rejectedProfiles: ReadonlySet<string>;
  readonly secrets: readonly SecretObject[];
}

export function buildPeers(
  sources: readonly Parsed<BGPPeerResource>[],
  inputs: PeerInputs,
  sink: ErrorSink,
): Map<string, Peer> {
  const peers = new Map<string, Peer>();
  const definedBy = new Map<string, ObjectIdentity>();
  const sessions = new Map<string, ObjectIdentity>();
  for (const { id, object } of sources) {
    const report = sink.for(id);
    const before = sink.count;
    if (id.name === '') report('metadata.name', 'missing peer name');
    const first = definedBy.get(id.name);
    if (first)
      report(
        'metadata.name',
        `duplicate definition of peer, already defined by ${objectRef(first.kind, first)}`,
      );
    else definedBy.set(id.name, id);
    const peer = buildPeer(id, object, inputs, report);
    if (!peer || sink.count !== before) continue;
    // Two peers for the same session on the same nodes would fight over one TCP connection (upstream's
    // "peer already exists").
    const sessionKey = JSON.stringify([
      peer.address?.value.toString() ?? peer.interface,
      peer.port,
      peer.vrf,
      peer.sourceAddress?.value.toString() ?? '',
      peer.nodeSelectors,
    ]);
    const same = sessions.get(sessionKey);
    if (same) {
      report(
        peer.interface !== undefined ? 'spec.interface' : 'spec.peerAddress',
        `peer already exists: ${objectRef(same.kind, same)} defines the same session (address, port, VRF, source address and node selectors)`,
        {
          value: object.spec.interface || object.spec.peerAddress || '',
        },
      );
      continue;
    }
    sessions.set(sessionKey, id);
    peers.set(id.name, peer);
  }
  return peers;
}

function hasLineBreak(text: string | undefined): boolean {
  return text !== undefined && /[\r\n]/.test(text);
}

function parseAddress(
  text: string | undefined,
  field: string,
  what: string,
  report: Report,
): IPAddress | undefined {
  if (text === undefined || text === '') return undefined;
  const ip = parseIP(text);
  if (!ip) report(field, `invalid ${what}: not an IP address`, { value: text });
  return ip;
}

function buildPeer(
  id: ObjectIdentity,
  resource: BGPPeerResource,
  inputs: PeerInputs,
  report: Report,
): Peer | undefined {
  const s = resource.spec;
  const peerASN = s.peerASN ?? 0;
  if (s.myASN === 0) report('spec.myASN', 'missing local ASN');
  if (peerASN === 0 && s.dynamicASN === undefined) report('spec.peerASN', 'missing peer ASN and dynamicASN');
  if (peerASN !== 0 && s.dynamicASN !== undefined)
    report('spec.dynamicASN', 'both peer ASN and dynamicASN specified');
  const isIBGP = peerASN === s.myASN || s.dynamicASN === 'internal';
  if (s.ebgpMultiHop && isIBGP)
    report('spec.ebgpMultiHop', 'invalid ebgp-multihop parameter set for an ibgp peer');

  const hasAddress = (s.peerAddress ?? '') !== '';
  const hasInterface = (s.interface ?? '') !== '';
  if (!hasAddress && !hasInterface)
    report('spec.peerAddress', 'peer has no peerAddress or interface specified');
  if (hasAddress && hasInterface)
    report('spec.interface', 'peer has both peerAddress and interface specified');
  if (hasLineBreak(s.interface)) report('spec.interface', 'contains invalid characters (line break)');
  if (hasLineBreak(s.password)) report('spec.password', 'contains invalid characters (line break)');
  if (hasLineBreak(s.vrf)) report('spec.vrf', 'contains invalid characters (line break)');

  const address = parseAddress(s.peerAddress, 'spec.peerAddress', 'BGPPeer address', report);
  const sourceAddress = parseAddress(s.sourceAddress, 'spec.sourceAddress', 'source IP', report);
  const routerID = parseAddress(s.routerID, 'spec.routerID', 'router ID', report);
  // A BGP identifier is 4 octets (RFC 4271 section 4.2): an IPv6 address cannot be one.
  if (routerID && routerID.family !== 4)
    report('spec.routerID', 'invalid router ID: must be an IPv4 address', { value: s.routerID ?? '' });

  const timers = parseTimers(s.holdTime, s.keepaliveTime, report);
  const connectTime = parseConnectTime(s.connectTime, report);
  const nodeSelectors = parseSelectorList(s.nodeSelectors, 'spec.nodeSelectors', report);

  const secretName = s.passwordSecret?.name ?? '';
  if ((s.password ?? '') !== '' && secretName !== '') {
    report('spec.passwordSecret', 'can not have both password and passwordSecret set');
  }
  let password = s.password ?? '';
  let passwordSecret: Peer['passwordSecret'];
  if (secretName !== '' && (s.password ?? '') === '') {
    passwordSecret = { namespace: s.passwordSecret?.namespace || id.namespace, name: secretName };
    password = passwordFromSecret(passwordSecret, inputs.secrets, report) ?? '';
  }

  let bfdProfile: BFDProfile | undefined;
  if ((s.bfdProfile ?? '') !== '') {
    const name = s.bfdProfile ?? '';
    bfdProfile = inputs.profiles.get(name);
    if (!bfdProfile && !inputs.rejectedProfiles.has(name)) {
      report('spec.bfdProfile', 'referencing non existing bfd profile', { value: name, transient: true });
    }
  }

  return {
    name: id.name,
    namespace: id.namespace,
    myASN: s.myASN,
    peerASN,
    ...(s.dynamicASN !== undefined ? { dynamicASN: s.dynamicASN } : {}),
    localASN: s.localASN ?? 0,
    ...(address ? { address } : {}),
    ...(hasInterface ? { interface: s.interface } : {}),
    ...(sourceAddress ? { sourceAddress } : {}),
    port: s.peerPort ?? 179,
    ...timers,
    ...(connectTime !== undefined ? { connectTime } : {}),
    ...(routerID ? { routerID } : {}),
    nodeSelectors,
    password,
    ...(passwordSecret ? { passwordSecret } : {}),
    ...(bfdProfile ? { bfdProfile } : {}),
    enableGracefulRestart: s.enableGracefulRestart ?? false,
    ebgpMultiHop: s.ebgpMultiHop ?? false,
    vrf: s.vrf ?? '',
    disableMP: s.disableMP ?? false,
    dualStackAddressFamily: s.dualStackAddressFamily ?? false,
  };
}

/**
 * RFC 4271 section 4.2: the hold time is 0 or at least 3 seconds, and keepalives come at most once per hold
 * time. Only one given: the other is derived with the RFC's suggested ratio of 3 (section 10).
 */
export function parseTimers(
  holdText: string | undefined,
  keepaliveText: string | undefined,
  report: Report,
): { holdTime?: number; keepaliveTime?: number } {
  if (holdText === undefined && keepaliveText === undefined) return {};
  const hold = holdText === undefined ? undefined : parseDuration(holdText);
  const keepalive = keepaliveText === undefined ? undefined : parseDuration(keepaliveText);
  if (holdText !== undefined && hold === undefined)
    report('spec.holdTime', 'invalid duration', { value: holdText });
  if (keepaliveText !== undefined && keepalive === undefined)
    report('spec.keepaliveTime', 'invalid duration', { value: keepaliveText });
  if (
    (holdText !== undefined && hold === undefined) ||
    (keepaliveText !== undefined && keepalive === undefined)
  )
    return {};
  const holdMs = hold ?? (keepalive ?? 0) * 3;
  const keepaliveMs = keepalive ?? holdMs / 3;
  const holdSeconds = Math.trunc(holdMs / 1000);
  const holdField = holdText !== undefined ? 'spec.holdTime' : 'spec.keepaliveTime';
  const holdValue = holdText ?? keepaliveText ?? '';
  if (holdSeconds !== 0 && holdSeconds < 3) {
    report(
      holdField,
      holdText !== undefined
        ? 'invalid hold time: must be 0 or >=3s'
        : 'invalid keepalive time: the implied hold time (3 x keepaliveTime) must be 0 or >=3s',
      { value: holdValue },
    );
  } else if (holdSeconds > 65535) {
    report(holdField, 'invalid hold time: must be at most 65535s (a 16-bit field of the OPEN message)', {
      value: holdValue,
    });
  }
  if (keepaliveMs > holdMs)
    report(
      'spec.keepaliveTime',
      `invalid keepaliveTime: must be lower than holdTime ${JSON.stringify(holdText ?? '')}`,
      { value: keepaliveText ?? '' },
    );
  if (keepaliveMs < 0)
    report('spec.keepaliveTime', 'invalid keepaliveTime: must not be negative', {
      value: keepaliveText ?? '',
    });
  return { holdTime: holdSeconds, keepaliveTime: Math.trunc(keepaliveMs / 1000) };
}

/** The CRD's CEL rules, checked again here so objects that bypassed the API server are held to them. */
function parseConnectTime(text: string | undefined, report: Report): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) {
    report('spec.connectTime', 'invalid duration', { value: text });
    return undefined;
  }
  if (ms % 1000 !== 0)
    report('spec.connectTime', 'connect time should contain a whole number of seconds', { value: text });
  else if (ms < 1000 || ms > 65535_000)
    report('spec.connectTime', 'connect time should be between 1 seconds to 65535', { value: text });
  return ms / 1000;
}

function passwordFromSecret(
  ref: { namespace: string; name: string },
  secrets: readonly SecretObject[],
  report: Report,
): string | undefined {
  const secret = secrets.find(
    (x) => x.metadata.name === ref.name && (x.metadata.namespace ?? '') === ref.namespace,
  );
  const value = `${ref.namespace}/${ref.name}`;
  if (!secret) {
    report('spec.passwordSecret', 'secret not found', { value, transient: true });
    return undefined;
  }
  if (secret.type !== BASIC_AUTH_SECRET_TYPE) {
    report(
      'spec.passwordSecret',
      `secret type mismatch: type ${JSON.stringify(BASIC_AUTH_SECRET_TYPE)} is expected, got ${JSON.stringify(secret.type ?? '')}`,
      { value },
    );
    return undefined;
  }
  const fromStringData = secret.stringData?.password;
  const encoded = secret.data?.password;
  const password =
    fromStringData ?? (encoded !== undefined ? Buffer.from(encoded, 'base64').toString('utf8') : undefined);
  if (password === undefined) {
    report('spec.passwordSecret', 'password not specified in the secret (key "password")', { value });
    return undefined;
  }
  if (hasLineBreak(password))
    report('spec.passwordSecret', 'password in the secret contains invalid characters (line break)', {
      value,
    });
  return password;
}
