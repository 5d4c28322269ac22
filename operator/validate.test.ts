import { describeViolations, validateMetalLBSpec } from './validate';

describe('validateMetalLBSpec', () => {
  test('an empty spec is valid', () => {
    expect(validateMetalLBSpec({})).toEqual([]);
  });

  test.each([
    ['controllerTolerations', 'spec.controllerTolerations[1].effect'],
    ['speakerTolerations', 'spec.speakerTolerations[1].effect'],
  ] as const)('%s: tolerationSeconds needs NoExecute', (field, path) => {
    const spec = {
      [field]: [
        { key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 },
        { key: 'b', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 10 },
      ],
    };
    expect(validateMetalLBSpec(spec)).toEqual([
      { field: path, reason: 'must be NoExecute when tolerationSeconds is set' },
    ]);
  });

  test('tolerationSeconds 0 is allowed with any effect', () => {
    expect(
      validateMetalLBSpec({ speakerTolerations: [{ effect: 'NoSchedule', tolerationSeconds: 0 }] }),
    ).toEqual([]);
  });

  test.each([0, 101])('affinity weight %i is refused, naming the term', (weight) => {
    const spec = {
      speakerConfig: {
        affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight }] } },
      },
    };
    expect(validateMetalLBSpec(spec)).toEqual([
      {
        field:
          'spec.speakerConfig.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight',
        reason: `${weight} is outside 1..100`,
      },
    ]);
  });

  test.each([1, 10, 100])('affinity weight %i is accepted', (weight) => {
    const spec = {
      controllerConfig: {
        affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight }] } },
      },
    };
    expect(validateMetalLBSpec(spec)).toEqual([]);
  });

  test('podAntiAffinity weights are not checked, as upstream does not', () => {
    const spec = {
      controllerConfig: {
        affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0 }] } },
      },
    };
    expect(validateMetalLBSpec(spec)).toEqual([]);
  });

  test.each(['', 'native', 'frr', 'frr-k8s'])('bgpBackend %j is accepted', (bgpBackend) => {
    expect(validateMetalLBSpec({ bgpBackend })).toEqual([]);
  });

  test('an unknown bgpBackend is refused with the accepted values', () => {
    expect(describeViolations(validateMetalLBSpec({ bgpBackend: 'bird' }))).toBe(
      'spec.bgpBackend: "bird" is not one of native, frr, frr-k8s, frr-k8s-external',
    );
  });

  test('frr-k8s-external needs a namespace from the spec or the environment', () => {
    expect(validateMetalLBSpec({ bgpBackend: 'frr-k8s-external' })).toHaveLength(1);
    expect(
      validateMetalLBSpec({ bgpBackend: 'frr-k8s-external', frrk8sConfig: { namespace: 'frr' } }),
    ).toEqual([]);
    expect(
      validateMetalLBSpec({ bgpBackend: 'frr-k8s-external' }, { frrk8sExternalNamespace: 'frr' }),
    ).toEqual([]);
  });

  test('alwaysBlock entries must be CIDRs, v4 or v6', () => {
    expect(
      validateMetalLBSpec({
        frrk8sConfig: { alwaysBlock: ['10.0.0.0/8', 'fd00::/64', '10.0.0.1', '10.0.0.0/33'] },
      }),
    ).toEqual([
      { field: 'spec.frrk8sConfig.alwaysBlock[2]', reason: '"10.0.0.1" is not a CIDR' },
      { field: 'spec.frrk8sConfig.alwaysBlock[3]', reason: '"10.0.0.0/33" is not a CIDR' },
    ]);
  });
});
