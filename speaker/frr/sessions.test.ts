// FrrSessions: the BGP reconciler's sessions face in FRR mode turns peers and routes into one frr.conf per
// change, rendered once per turn, never before the first sync.
import { flushPromises } from '../../testkit/fakeclock';
import { expectedBFD, expectedPeer } from '../../testkit/configfixtures';
import { parsePrefix } from '../bgp/codec/prefix';
import type { Route } from '../bgp/session/session';
import { FrrSessions } from './sessions';

const r1 = expectedPeer({ name: 'r1', myASN: 64513, peerASN: 64512, address: '192.0.2.1' });
const r2 = expectedPeer({ name: 'r2', myASN: 64513, peerASN: 64512, address: '192.0.2.2' });

function route(text: string): Route {
  const prefix = parsePrefix(text);
  if (prefix === undefined) throw new Error(text);
  return { prefix };
}

function sessions(): { frr: FrrSessions; texts: string[]; stopped: () => boolean } {
  const texts: string[] = [];
  let stopped = false;
  const frr = new FrrSessions({
    hostname: 'node1',
    logLevel: 'info',
    reloader: { set: (t) => texts.push(t), stop: () => (stopped = true) },
  });
  return { frr, texts, stopped: () => stopped };
}

describe('FrrSessions', () => {
  it('renders nothing before the first sync: an empty frr.conf would drop the sidecar sessions', async () => {
    const { frr, texts } = sessions();
    frr.setBfdProfiles([expectedBFD({ name: 'fast' })]);
    frr.setRoutes('r1', [route('198.51.100.5/32')]);
    await flushPromises();
    expect(texts).toEqual([]);
  });
  it('returns the peers new since the last sync, as the native manager returns new sessions', () => {
    const { frr } = sessions();
    expect(frr.sync([r1])).toEqual(['r1']);
    expect(frr.sync([r1, r2])).toEqual(['r2']);
    expect(frr.sync([r2])).toEqual([]);
    expect(frr.peers()).toEqual(['r2']);
  });
  it('renders the neighbors and each peer network lines, once for a burst of route sets', async () => {
    const { frr, texts } = sessions();
    frr.sync([r1, r2]);
    frr.setRoutes('r1', [route('198.51.100.5/32')]);
    frr.setRoutes('r2', [route('198.51.100.5/32'), route('198.51.100.6/32')]);
    await flushPromises();
    expect(texts).toHaveLength(1);
    const [text = ''] = texts;
    expect(text).toContain('hostname node1');
    expect(text).toContain(' neighbor 192.0.2.1 remote-as 64512');
    expect(text).toContain(' neighbor 192.0.2.2 remote-as 64512');
    expect(text).toContain('  network 198.51.100.5/32');
    expect(text).toContain('  network 198.51.100.6/32');
  });
  it('ignores routes for a peer it does not hold, and forgets the routes of a peer that goes', async () => {
    const { frr, texts } = sessions();
    frr.sync([r1, r2]);
    frr.setRoutes('r2', [route('198.51.100.6/32')]);
    frr.setRoutes('elsewhere', [route('198.51.100.7/32')]);
    await flushPromises();
    expect(texts.at(-1)).not.toContain('198.51.100.7');
    frr.sync([r1]);
    await flushPromises();
    expect(texts.at(-1)).not.toContain('192.0.2.2');
    expect(texts.at(-1)).not.toContain('198.51.100.6');
    frr.sync([r1, r2]);
    await flushPromises();
    expect(texts.at(-1)).not.toContain('198.51.100.6');
  });
  it('renders the BFD profiles of the config once synced', async () => {
    const { frr, texts } = sessions();
    frr.sync([]);
    frr.setBfdProfiles([expectedBFD({ name: 'fast', receiveInterval: 300 })]);
    await flushPromises();
    expect(texts.at(-1)).toContain(' profile fast');
  });
  it('appends the bgpextras text, and renders again only when it changes', async () => {
    const { frr, texts } = sessions();
    frr.sync([r1]);
    frr.setExtras('ip prefix-list extra seq 1 permit 203.0.113.0/24\n');
    await flushPromises();
    expect(texts.at(-1)?.trimEnd().endsWith('ip prefix-list extra seq 1 permit 203.0.113.0/24')).toBe(true);
    const count = texts.length;
    frr.setExtras('ip prefix-list extra seq 1 permit 203.0.113.0/24\n');
    await flushPromises();
    expect(texts).toHaveLength(count);
  });
  it('hands nothing over once stopped, and stops the reloader', async () => {
    const { frr, texts, stopped } = sessions();
    frr.sync([r1]);
    await frr.stop();
    await flushPromises();
    expect(texts).toEqual([]);
    expect(stopped()).toBe(true);
  });
});
