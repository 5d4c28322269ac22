// The metrics TLS of each install: what the monitors scrape matches what the operands serve.
import { renderInstall } from './install';
import type { InstallOptionsInput } from './options';
import type { RenderedObject } from './object';

function find(input: InstallOptionsInput, kind: string, name: string): RenderedObject {
  const found = renderInstall(input).find((o: RenderedObject) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`${kind}/${name} not rendered`);
  return found;
}

/** The value at a path of plain rendered data (keys and array indexes). */
function at(value: unknown, ...path: (string | number)[]): unknown {
  let here = value;
  for (const key of path) {
    if (typeof here !== 'object' || here === null) return undefined;
    here = (here as Record<string | number, unknown>)[key];
  }
  return here;
}

const POD = ['spec', 'template', 'spec'];
const CONTAINER = [...POD, 'containers', 0];

const OPENSHIFT: InstallOptionsInput = { platform: 'openshift', monitoring: 'servicemonitors' };

describe('metrics TLS', () => {
  test.each([
    ['controller', 'Deployment', 'controller'],
    ['speaker', 'DaemonSet', 'speaker'],
  ])(
    'on OpenShift with ServiceMonitors the %s mounts the certificate its monitor Service asks the service CA for',
    (component, kind, name) => {
      const service = find(OPENSHIFT, 'Service', `${component}-monitor-service`);
      const secret = at(
        service,
        'metadata',
        'annotations',
        'service.beta.openshift.io/serving-cert-secret-name',
      );
      expect(secret).toBe(`${component}-certs-secret`);
      const workload = find(OPENSHIFT, kind, name);
      expect(at(workload, ...CONTAINER, 'args')).toContain('--metrics-cert-dir=/etc/metrics');
      expect(at(workload, ...CONTAINER, 'volumeMounts')).toContainEqual({
        name: 'metrics-certs',
        mountPath: '/etc/metrics',
        readOnly: true,
      });
      expect(at(workload, ...POD, 'volumes')).toContainEqual({
        name: 'metrics-certs',
        secret: { secretName: secret },
      });
    },
  );

  test("on OpenShift the monitors verify the service CA's certificate for the Service's name", () => {
    for (const component of ['controller', 'speaker']) {
      const monitor = find(OPENSHIFT, 'ServiceMonitor', `${component}-monitor`);
      expect(at(monitor, 'spec', 'endpoints', 0)).toEqual({
        port: 'monitoring',
        scheme: 'https',
        honorLabels: true,
        bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
        tlsConfig: {
          caFile: '/etc/prometheus/configmaps/serving-certs-ca-bundle/service-ca.crt',
          certFile: '/etc/prometheus/secrets/metrics-client-certs/tls.crt',
          keyFile: '/etc/prometheus/secrets/metrics-client-certs/tls.key',
          serverName: `${component}-monitor-service.metallb-system.svc`,
          insecureSkipVerify: false,
        },
      });
    }
  });

  test("the speaker's probes follow its metrics port to HTTPS", () => {
    const speaker = find(OPENSHIFT, 'DaemonSet', 'speaker');
    expect(at(speaker, ...CONTAINER, 'livenessProbe', 'httpGet', 'scheme')).toBe('HTTPS');
    expect(at(speaker, ...CONTAINER, 'readinessProbe', 'httpGet', 'scheme')).toBe('HTTPS');
  });

  test('elsewhere the controller is scraped over https without verification, the speaker over http', () => {
    const input: InstallOptionsInput = { monitoring: 'servicemonitors' };
    expect(at(find(input, 'ServiceMonitor', 'controller-monitor'), 'spec', 'endpoints', 0)).toMatchObject({
      scheme: 'https',
      tlsConfig: { insecureSkipVerify: true },
    });
    expect(at(find(input, 'ServiceMonitor', 'speaker-monitor'), 'spec', 'endpoints', 0)).toEqual({
      port: 'monitoring',
      scheme: 'http',
      honorLabels: true,
    });
    expect(find(input, 'Service', 'speaker-monitor-service').metadata.annotations).toBeUndefined();
    expect(at(find(input, 'DaemonSet', 'speaker'), ...CONTAINER, 'args')).not.toContain(
      '--metrics-cert-dir=/etc/metrics',
    );
  });

  describe('frr-metrics in FRR mode', () => {
    const FRR_OPENSHIFT: InstallOptionsInput = { ...OPENSHIFT, bgpBackend: 'frr' };
    const container = (input: InstallOptionsInput, name: string): unknown => {
      const containers = at(find(input, 'DaemonSet', 'speaker'), ...POD, 'containers');
      return Array.isArray(containers) ? containers.find((c) => at(c, 'name') === name) : undefined;
    };

    test("on OpenShift it serves HTTPS as frrmetricshttps with the speaker's service-CA certificate", () => {
      const metrics = container(FRR_OPENSHIFT, 'frr-metrics');
      expect(at(metrics, 'args')).toEqual(
        expect.arrayContaining([
          '--tls-cert-file=/etc/metrics/tls.crt',
          '--tls-private-key-file=/etc/metrics/tls.key',
        ]),
      );
      expect(at(metrics, 'ports')).toEqual([{ name: 'frrmetricshttps', containerPort: 7473 }]);
      expect(at(metrics, 'volumeMounts')).toContainEqual({
        name: 'metrics-certs',
        mountPath: '/etc/metrics',
        readOnly: true,
      });
      expect(at(container(FRR_OPENSHIFT, 'frr'), 'livenessProbe', 'httpGet', 'scheme')).toBe('HTTPS');
    });

    test("its TLS follows the operands' settings", () => {
      const tls = { minVersion: 'VersionTLS13', cipherSuites: undefined, curvePreferences: '29' };
      expect(at(container({ ...FRR_OPENSHIFT, tls }, 'frr-metrics'), 'args')).toEqual(
        expect.arrayContaining(['--tls-min-version=VersionTLS13', '--tls-curve-preferences=29']),
      );
    });

    test('the speaker monitor scrapes it over https with the same verification as the speaker', () => {
      const endpoints = at(find(FRR_OPENSHIFT, 'ServiceMonitor', 'speaker-monitor'), 'spec', 'endpoints');
      expect(at(endpoints, 1)).toEqual({
        port: 'frrmetricshttps',
        scheme: 'https',
        honorLabels: true,
        bearerTokenFile: at(endpoints, 0, 'bearerTokenFile'),
        tlsConfig: at(endpoints, 0, 'tlsConfig'),
      });
      expect(at(endpoints, 0, 'tlsConfig', 'insecureSkipVerify')).toBe(false);
      const service = find(FRR_OPENSHIFT, 'Service', 'speaker-monitor-service');
      expect(at(service, 'spec', 'ports', 1)).toEqual({
        name: 'frrmetricshttps',
        port: 7473,
        targetPort: 7473,
      });
    });

    test('elsewhere it stays plain HTTP as frrmetrics, without a certificate', () => {
      const input: InstallOptionsInput = { monitoring: 'servicemonitors', bgpBackend: 'frr' };
      const metrics = container(input, 'frr-metrics');
      expect(at(metrics, 'args')).toEqual(['--metrics-port=7473']);
      expect(at(metrics, 'ports')).toEqual([{ name: 'frrmetrics', containerPort: 7473 }]);
      expect(at(find(input, 'ServiceMonitor', 'speaker-monitor'), 'spec', 'endpoints', 1)).toEqual({
        port: 'frrmetrics',
        scheme: 'http',
        honorLabels: true,
      });
    });
  });

  test('on OpenShift without ServiceMonitors no certificate is mounted: no Service would make it', () => {
    const controller = find({ platform: 'openshift' }, 'Deployment', 'controller');
    expect(at(controller, ...POD, 'volumes')).toEqual([expect.objectContaining({ name: 'cert' })]);
  });
});
