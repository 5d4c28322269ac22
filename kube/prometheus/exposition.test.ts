import { escapeHelp, escapeLabelValue, formatFamilies, formatValue } from './exposition';

describe('text format 0.0.4', () => {
  it('escapes backslash and line feed in HELP, and also the double quote in label values', () => {
    expect(escapeHelp('a \\ b\nc "d"')).toBe('a \\\\ b\\nc "d"');
    expect(escapeLabelValue('a \\ b\nc "d"')).toBe('a \\\\ b\\nc \\"d\\"');
  });

  it('spells NaN and the infinities as the format does, every other float as JavaScript prints it', () => {
    expect([NaN, Infinity, -Infinity, 0, -0, 2.5, 1e21, 2 ** 63].map(formatValue)).toEqual([
      'NaN',
      '+Inf',
      '-Inf',
      '0',
      '0',
      '2.5',
      '1e+21',
      '9223372036854776000',
    ]);
  });

  it('writes HELP and TYPE per family, samples with their labels in the order given, an empty line between families', () => {
    const text = formatFamilies([
      {
        name: 'a_total',
        help: 'first\nline',
        type: 'counter',
        samples: [
          {
            name: 'a_total',
            labels: [
              ['z', 'x"y'],
              ['a', '1'],
            ],
            value: 3,
          },
        ],
      },
      { name: 'b', help: 'nothing yet', type: 'gauge', samples: [] },
      { name: 'c', help: 'plain', type: 'gauge', samples: [{ name: 'c', labels: [], value: NaN }] },
    ]);
    expect(text).toBe(
      [
        '# HELP a_total first\\nline',
        '# TYPE a_total counter',
        'a_total{z="x\\"y",a="1"} 3',
        '',
        '# HELP b nothing yet',
        '# TYPE b gauge',
        '',
        '# HELP c plain',
        '# TYPE c gauge',
        'c NaN',
        '',
      ].join('\n'),
    );
  });

  it('an empty registry is a single line feed', () => {
    expect(formatFamilies([])).toBe('\n');
  });
});
