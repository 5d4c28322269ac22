import { endpointCanServe, hasServingEndpoint, nodesWithServingEndpoint } from './endpoints';
import { ready, slices } from './testdata';

describe('nodesWithServingEndpoint (upstream TestUsableNodesEPSlices)', () => {
  it.each([
    [
      'two endpoints, different hosts, multi slice',
      slices([ready('iris1')], [ready('iris2')]),
      ['iris1', 'iris2'],
    ],
    ['two endpoints, different hosts', slices([ready('iris1'), ready('iris2')]), ['iris1', 'iris2']],
    ['two endpoints, same host', slices([ready('iris1'), ready('iris1')]), ['iris1']],
    [
      'two endpoints, same host, one is not ready',
      slices([ready('iris1'), ready('iris1', { ready: false })]),
      ['iris1'],
    ],
    [
      'two endpoints, different hosts, not ready but serving',
      slices([
        ready('iris1', { ready: false, serving: true }),
        ready('iris2', { ready: false, serving: true }),
      ]),
      ['iris1', 'iris2'],
    ],
    [
      'two endpoints, different hosts, ready but not serving',
      slices([
        ready('iris1', { ready: true, serving: false }),
        ready('iris2', { ready: true, serving: false }),
      ]),
      ['iris1', 'iris2'],
    ],
    [
      'terminating but serving still counts',
      slices([ready('iris1', { ready: false, serving: true, terminating: true })]),
      ['iris1'],
    ],
    [
      'terminating and not serving does not',
      slices([ready('iris1', { ready: false, serving: false, terminating: true })]),
      [],
    ],
    ['an endpoint without nodeName is skipped', slices([{ conditions: { ready: true } }]), []],
  ])('%s', (_name, eps, expected) => {
    expect([...nodesWithServingEndpoint(eps)].sort()).toEqual(expected);
  });
});

describe('endpointCanServe', () => {
  it.each([
    [{}, true],
    [{ ready: true }, true],
    [{ ready: false }, false],
    [{ ready: false, serving: true }, true],
    [{ ready: false, serving: false }, false],
    [{ serving: false }, true],
  ])('%j -> %s', (conditions, expected) => {
    expect(endpointCanServe(conditions)).toBe(expected);
  });

  it('a Service with only not-ready endpoints has none', () => {
    expect(hasServingEndpoint(slices([ready('a', { ready: false })]))).toBe(false);
    expect(hasServingEndpoint([])).toBe(false);
  });
});
