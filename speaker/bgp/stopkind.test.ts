// Restart or drain, from the Node's state when the speaker stops.
import { stopKindFor } from './stopkind';

const serving = { labels: { 'kubernetes.io/hostname': 'n1' }, unschedulable: false };
const excluded = { ...serving, labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } };

describe('stopKindFor', () => {
  it('is a restart while the Node stays in service', () => {
    expect(stopKindFor(serving, false).kind).toBe('restart');
  });
  it('is a drain for a cordoned Node', () => {
    expect(stopKindFor({ ...serving, unschedulable: true }, false)).toEqual({
      kind: 'drain',
      reason: 'the Node is cordoned',
    });
  });
  it('is a drain for a Node excluded from load balancers, unless --ignore-exclude-lb', () => {
    expect(stopKindFor(excluded, false).kind).toBe('drain');
    expect(stopKindFor(excluded, true).kind).toBe('restart');
  });
  it('is a drain when the Node object is gone', () => {
    expect(stopKindFor(undefined, false).kind).toBe('drain');
  });
});
