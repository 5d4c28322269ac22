// BGP communities as MetalLB accepts them: "AA:NN" (RFC 1997, two 16-bit halves) or "large:A:B:C"
// (RFC 8092, three 32-bit values). Anything with another number of ':'-separated fields is not a literal at
// all: in a BGPAdvertisement it may be the name of an alias that does not exist yet.
import { objectRef } from '../api/meta';
import { ErrorSink, ObjectIdentity } from './errors';
import { Community } from './types';

export type CommunityParse =
  | { ok: true; community: Community }
  /** 'format': not 2 or 4 fields (maybe an alias name); 'value': the right shape with a bad part. */
  | { ok: false; problem: 'format' | 'value'; reason: string };

const DECIMAL = /^[0-9]+$/;

function parseUint(text: string, max: number): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return value <= max ? value : undefined;
}

export function parseCommunity(text: string): CommunityParse {
  const fields = text.split(':');
  if (fields.length === 2) {
    const [high = '', low = ''] = fields;
    for (const part of [high, low]) {
      if (parseUint(part, 0xffff) === undefined) {
        return {
          ok: false,
          problem: 'value',
          reason: `invalid community value: section "${part}" is not a 16-bit unsigned integer`,
        };
      }
    }
    const value = (parseUint(high, 0xffff) ?? 0) * 0x10000 + (parseUint(low, 0xffff) ?? 0);
    return { ok: true, community: { kind: 'standard', value, text: `${Number(high)}:${Number(low)}` } };
  }
  if (fields.length === 4) {
    const [marker, ...parts] = fields;
    if (marker !== 'large') {
      return {
        ok: false,
        problem: 'value',
        reason: `invalid community value: expected community to be of format large:<uint32>:<uint32>:<uint32>`,
      };
    }
    const values: number[] = [];
    for (const part of parts) {
      const value = parseUint(part, 0xffffffff);
      if (value === undefined) {
        return {
          ok: false,
          problem: 'value',
          reason: `invalid community value: section "${part}" is not a 32-bit unsigned integer`,
        };
      }
      values.push(value);
    }
    const [globalAdministrator = 0, localData1 = 0, localData2 = 0] = values;
    return {
      ok: true,
      community: {
        kind: 'large',
        globalAdministrator,
        localData1,
        localData2,
        text: `large:${globalAdministrator}:${localData1}:${localData2}`,
      },
    };
  }
  return {
    ok: false,
    problem: 'format',
    reason: 'invalid community format: expected AA:NN, large:A:B:C or the name of a Community alias',
  };
}

/** Standard communities sort as if they were large communities <value>:0:0, as upstream does. */
export function compareCommunities(a: Community, b: Community): number {
  const key = (c: Community): [number, number, number] =>
    c.kind === 'standard' ? [c.value, 0, 0] : [c.globalAdministrator, c.localData1, c.localData2];
  const [a1, a2, a3] = key(a);
  const [b1, b2, b3] = key(b);
  return a1 - b1 || a2 - b2 || a3 - b3 || (a.kind === b.kind ? 0 : a.kind === 'standard' ? -1 : 1);
}

/** Community aliases across every Community object; an alias name may be defined only once. */
export function buildCommunityAliases(
  sources: readonly {
    readonly id: ObjectIdentity;
    readonly aliases: readonly { name?: string; value?: string }[];
  }[],
  sink: ErrorSink,
): Map<string, Community> {
  const aliases = new Map<string, Community>();
  const definedBy = new Map<string, ObjectIdentity>();
  for (const source of sources) {
    const report = sink.for(source.id);
    source.aliases.forEach((alias, i) => {
      const field = `spec.communities[${i}]`;
      const name = alias.name ?? '';
      const value = alias.value ?? '';
      if (name === '') report(`${field}.name`, 'missing community alias name');
      const parsed = parseCommunity(value);
      if (!parsed.ok) report(`${field}.value`, parsed.reason, { value });
      const first = definedBy.get(name);
      if (name !== '' && first) {
        const where = first === source.id ? 'this Community' : objectRef(first.kind, first);
        report(`${field}.name`, `duplicate definition of community, already defined in ${where}`, {
          value: name,
        });
        return;
      }
      if (name === '') return;
      definedBy.set(name, source.id);
      if (parsed.ok) aliases.set(name, parsed.community);
    });
  }
  return aliases;
}
