import { Registry } from '../../kube/prometheus/registry';
import { bfdMetrics } from './bfdmetrics';

test('BFD series carry upstream names with peer and vrf labels, start at 0 and go away with the session', async () => {
  const registry = new Registry();
  const m = bfdMetrics(registry);
  m.state('192.0.2.1', false);
  m.packetOut('192.0.2.1');
  m.packetIn('192.0.2.1');
  m.packetIn('192.0.2.1');
  m.upEvent('192.0.2.1');
  m.state('192.0.2.1', true);
  const text = await registry.metrics();
  const line = (name: string) => text.split('\n').find((l) => l.startsWith(`${name}{`));
  expect(line('metallb_bfd_session_up')).toBe('metallb_bfd_session_up{peer="192.0.2.1",vrf="default"} 1');
  expect(line('metallb_bfd_control_packet_input')).toMatch(/} 2$/);
  expect(line('metallb_bfd_control_packet_output')).toMatch(/} 1$/);
  expect(line('metallb_bfd_session_up_events')).toMatch(/} 1$/);
  expect(line('metallb_bfd_session_down_events')).toMatch(/} 0$/);
  m.removed('192.0.2.1');
  expect(await registry.metrics()).not.toMatch(/peer="192.0.2.1"/);
});
