// What the controller reports: MetalLB's metric names and values, the IPAddressPool status body, the
// ConfigurationState status, and the shape of the Service writes.
import { createRegistry } from '../../kube/metrics';
import type { RestClient, RestRequest } from '../../kube/rest';
import { controllerMetrics } from './metrics';
import { RestServiceWriter } from './serviceapi';
import { RestStatusWriters, configurationStateStatus, int64 } from './statuswriters';
import { service } from '../../testkit/servicefixtures';

const MAX_INT64 = (1n << 63n) - 1n;

class Recording implements RestClient {
  readonly requests: RestRequest[] = [];
  async request(req: RestRequest): Promise<unknown> {
    this.requests.push(req);
    return { metadata: { name: 'x' } };
  }
}

describe('controller metrics', () => {
  it('exposes per-pool gauges under MetalLB names, MaxInt64 for a huge IPv6 pool', async () => {
    const registry = createRegistry({ withoutDefaultMetrics: true });
    const m = controllerMetrics(registry);
    m.setPool('web', {
      assignedIPv4: 2n,
      assignedIPv6: 1n,
      availableIPv4: 254n,
      availableIPv6: MAX_INT64,
      totalIPv4: 256n,
      totalIPv6: MAX_INT64,
    });
    const text = await registry.metrics();
    expect(text).toContain('metallb_allocator_addresses_in_use_total{pool="web"} 3');
    expect(text).toContain('metallb_allocator_ipv4_addresses_in_use_total{pool="web"} 2');
    expect(text).toContain('metallb_allocator_ipv4_addresses_total{pool="web"} 256');
    expect(text).toContain('metallb_allocator_ipv6_addresses_total{pool="web"} 9223372036854776000');
    expect(text).toContain('# TYPE metallb_allocator_services_allocated_total gauge');
    m.removePool('web');
    expect(await registry.metrics()).not.toContain('pool="web"');
  });

  it('counts updates and errors and flags config state', async () => {
    const registry = createRegistry({ withoutDefaultMetrics: true });
    const m = controllerMetrics(registry);
    m.update();
    m.update();
    m.updateError();
    m.configLoaded(true);
    m.configStale(true);
    const text = await registry.metrics();
    expect(text).toContain('metallb_k8s_client_updates_total 2');
    expect(text).toContain('metallb_k8s_client_update_errors_total 1');
    expect(text).toContain('metallb_k8s_client_config_loaded_bool 1');
    expect(text).toContain('metallb_k8s_client_config_stale_bool 1');
  });
});

describe('status writers', () => {
  it('int64 keeps every digit of MaxInt64 in JSON', () => {
    expect(JSON.stringify({ v: int64(MAX_INT64) })).toBe('{"v":9223372036854775807}');
    expect(JSON.stringify({ v: int64(42n) })).toBe('{"v":42}');
  });

  it('applies IPAddressPool status through the status subresource', async () => {
    const rest = new Recording();
    await new RestStatusWriters(rest).writePoolStatus('metallb-system', 'web', {
      assignedIPv4: 1n,
      assignedIPv6: 0n,
      availableIPv4: 7n,
      availableIPv6: 0n,
      totalIPv4: 8n,
      totalIPv6: 0n,
    });
    const [req] = rest.requests;
    expect(req?.method).toBe('PATCH');
    expect(req?.path).toBe('/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools/web/status');
    expect(JSON.stringify(req?.body)).toContain(
      '"status":{"assignedIPv4":1,"assignedIPv6":0,"availableIPv4":7,"availableIPv6":0}',
    );
  });

  it('ConfigurationState: Valid without errors, Invalid with them joined by newlines', () => {
    expect(configurationStateStatus({ errors: [] }, 't')).toMatchObject({
      result: 'Valid',
      errorSummary: '',
      conditions: [{ type: 'poolReconcilerValid', status: 'True', reason: 'Reconciled' }],
    });
    expect(configurationStateStatus({ errors: ['a', 'b'] }, 't')).toMatchObject({
      result: 'Invalid',
      errorSummary: 'a\nb',
      conditions: [{ status: 'False', reason: 'ConfigurationError', message: 'a\nb' }],
    });
  });
});

describe('RestServiceWriter', () => {
  it('writes ingress as a merge patch of the status subresource, and clears it with null', async () => {
    const rest = new Recording();
    const writer = new RestServiceWriter(rest);
    await writer.writeIngress(service(), [{ ip: '192.0.2.1' }]);
    await writer.writeIngress(service(), []);
    expect(rest.requests.map((r) => [r.method, r.path, JSON.stringify(r.body), r.contentType])).toEqual([
      [
        'PATCH',
        '/api/v1/namespaces/default/services/web/status',
        '{"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"}]}}}',
        'application/merge-patch+json',
      ],
      [
        'PATCH',
        '/api/v1/namespaces/default/services/web/status',
        '{"status":{"loadBalancer":{"ingress":null}}}',
        'application/merge-patch+json',
      ],
    ]);
  });

  it('patches annotations on the object', async () => {
    const rest = new Recording();
    await new RestServiceWriter(rest).patchAnnotations(service(), {
      'metallb.io/ip-allocated-from-pool': null,
    });
    expect(rest.requests[0]?.path).toBe('/api/v1/namespaces/default/services/web');
    expect(JSON.stringify(rest.requests[0]?.body)).toBe(
      '{"metadata":{"annotations":{"metallb.io/ip-allocated-from-pool":null}}}',
    );
  });
});
