import { createHash } from 'crypto';
import { electL2Winner, ElectionHashes, sortL2Candidates } from './candidates';
import { ad } from './testdata';

function hashOrder(nodes: string[], ip: string): string[] {
  const h = (n: string) => createHash('sha256').update(`${n}#${ip}`).digest();
  return [...nodes].sort((a, b) => Buffer.compare(h(a), h(b)));
}

describe('sortL2Candidates (upstream TestSortL2Candidates)', () => {
  const all = ['node-a', 'node-b', 'node-c'];
  it.each([
    {
      name: 'highest score wins regardless of hash',
      ads: [ad('a', all, { preferred: { 'node-a': 10, 'node-b': 50 } })],
      ip: '192.0.2.1',
      first: 'node-b',
    },
    {
      name: 'scores are summed over the matching advertisements',
      ads: [
        ad('a', all, { preferred: { 'node-a': 30 } }),
        ad('b', all, { preferred: { 'node-a': 30, 'node-c': 50 } }),
      ],
      ip: '192.0.2.1',
      first: 'node-a',
    },
    { name: 'no scores: hash order for 192.0.2.1', ads: [ad('a', all)], ip: '192.0.2.1', first: 'node-c' },
    {
      name: 'no scores: hash order depends on the IP',
      ads: [ad('a', all)],
      ip: '192.0.2.2',
      first: 'node-b',
    },
  ])('$name', ({ ads, ip, first }) => {
    const order = sortL2Candidates(all, ip, ads);
    expect(order[0]).toBe(first);
    expect(electL2Winner(all, ip, ads)).toBe(first);
  });

  it('equal scores fall back to ascending sha256(node#ip) bytes', () => {
    const ads = [ad('a', all, { preferred: { 'node-a': 5, 'node-b': 5, 'node-c': 5 } })];
    expect(sortL2Candidates(all, '2001:db8::1', ads)).toEqual(hashOrder(all, '2001:db8::1'));
  });

  it('scored nodes come first in weight order, unscored ones after in hash order', () => {
    const five = ['n1', 'n2', 'n3', 'n4', 'n5'];
    const ads = [ad('a', five, { preferred: { n4: 1, n2: 9 } })];
    const order = sortL2Candidates(five, '198.51.100.7', ads);
    expect(order.slice(0, 2)).toEqual(['n2', 'n4']);
    expect(order.slice(2)).toEqual(hashOrder(['n1', 'n3', 'n5'], '198.51.100.7'));
  });

  it('matches the upstream golden pair: iris2 wins 10.20.30.1, iris1 wins 10.20.30.2', () => {
    expect(electL2Winner(['iris1', 'iris2'], '10.20.30.1', [])).toBe('iris2');
    expect(electL2Winner(['iris1', 'iris2'], '10.20.30.2', [])).toBe('iris1');
  });

  it('removing a non-winner never moves the address', () => {
    const ten = Array.from({ length: 10 }, (_, i) => `node-${i}`);
    const winner = electL2Winner(ten, '203.0.113.9', []);
    for (const gone of ten.filter((n) => n !== winner)) {
      expect(
        electL2Winner(
          ten.filter((n) => n !== gone),
          '203.0.113.9',
          [],
        ),
      ).toBe(winner);
    }
  });

  it('hashes once per candidate, memoised across elections', () => {
    const hashes = new ElectionHashes();
    const many = Array.from({ length: 50 }, (_, i) => `node-${i}`);
    sortL2Candidates(many, '192.0.2.5', [], hashes);
    expect(hashes.size).toBe(50);
    electL2Winner(many, '192.0.2.5', [], hashes);
    expect(hashes.size).toBe(50);
  });

  it('the memo stays bounded', () => {
    const hashes = new ElectionHashes(10);
    sortL2Candidates(
      Array.from({ length: 25 }, (_, i) => `n${i}`),
      '192.0.2.5',
      [],
      hashes,
    );
    expect(hashes.size).toBeLessThanOrEqual(10);
  });
});
