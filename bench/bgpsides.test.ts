import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { upstreamSpeakerContainer, upstreamSpeakerEnv } from './bgpsides';

// The speaker container of metallb-frr.yaml v0.15.2, as far as the bench reads it.
const FRR_SPEAKER = {
  name: 'speaker',
  args: ['--port=7472', '--log-level=info'],
  env: [
    { name: 'FRR_CONFIG_FILE', value: '/etc/frr_reloader/frr.conf' },
    { name: 'FRR_RELOADER_PID_FILE', value: '/etc/frr_reloader/reloader.pid' },
    { name: 'METALLB_BGP_TYPE', value: 'frr' },
    { name: 'METALLB_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
    { name: 'METALLB_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'METALLB_HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
    { name: 'METALLB_ML_BIND_ADDR', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    { name: 'METALLB_ML_LABELS', value: 'app=metallb,component=speaker' },
    { name: 'METALLB_ML_SECRET_KEY_PATH', value: '/etc/ml_secret_key' },
  ],
};

describe("upstream MetalLB's speaker as a plain process", () => {
  test('the environment of its container: downward-API values filled, memberlist left out, reloader folder moved', () => {
    expect(
      upstreamSpeakerEnv(FRR_SPEAKER, {
        node: 'node1',
        hostIP: '192.0.2.11',
        reloaderDir: '/run/x/reloader',
      }),
    ).toEqual({
      METALLB_NAMESPACE: 'metallb-system',
      FRR_CONFIG_FILE: '/run/x/reloader/frr.conf',
      FRR_RELOADER_PID_FILE: '/run/x/reloader/reloader.pid',
      METALLB_BGP_TYPE: 'frr',
      METALLB_NODE_NAME: 'node1',
      METALLB_POD_NAME: 'speaker-node1',
      METALLB_HOST: '192.0.2.11',
    });
  });

  test('a variable the bench cannot fill is an error naming it, not a silent gap', () => {
    const odd = { env: [{ name: 'METALLB_SOMETHING', valueFrom: { secretKeyRef: {} } }] };
    expect(() => upstreamSpeakerEnv(odd, { node: 'node1', hostIP: '192.0.2.11' })).toThrow(
      /METALLB_SOMETHING/,
    );
  });

  test('finds the speaker container of the speaker DaemonSet in a release manifest', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgpsides-'));
    try {
      const file = path.join(dir, 'metallb-frr.yaml');
      const ds = (containers: unknown[]) =>
        JSON.stringify({
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          metadata: { name: 'speaker', namespace: 'metallb-system' },
          spec: { template: { spec: { containers } } },
        });
      fs.writeFileSync(file, `${ds([{ name: 'frr', image: 'frr' }, FRR_SPEAKER])}\n`);
      expect(upstreamSpeakerContainer(file).args).toEqual(['--port=7472', '--log-level=info']);
      fs.writeFileSync(file, `${ds([{ name: 'frr', image: 'frr' }])}\n`);
      expect(() => upstreamSpeakerContainer(file)).toThrow(/no speaker container/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
