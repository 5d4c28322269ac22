import { Registry } from '../../kube/prometheus/registry';
import { bfdMetrics } from './bfdmetrics';

test('BFD series carry upstream names with peer and vrf labels, start at 0 and go away with the session', async () => {
  const registry = new Registry();
  const m = bfdMetrics(registry);
  const peer = { peer: '192.0.2.1', vrf: 'default' };
  m.state(peer, false);
  m.packetOut(peer);
  m.packetIn(peer);
  m.packetIn(peer);
  m.upEvent(peer);
  m.state(peer, true);
  const text = await registry.metrics();
  const line = (name: string) => text.split('\n').find((l) => l.startsWith(`${name}{`));
  expect(line('metallb_bfd_session_up')).toBe('metallb_bfd_session_up{peer="192.0.2.1",vrf="default"} 1');
  expect(line('metallb_bfd_control_packet_input')).toMatch(/} 2$/);
  expect(line('metallb_bfd_control_packet_output')).toMatch(/} 1$/);
  expect(line('metallb_bfd_session_up_events')).toMatch(/} 1$/);
  expect(line('metallb_bfd_session_down_events')).toMatch(/} 0$/);
  m.removed(peer);
  expect(await registry.metrics()).not.toMatch(/peer="192.0.2.1"/);
});

test('one address in two VRFs is two series, each removed on its own', async () => {
  const registry = new Registry();
  const m = bfdMetrics(registry);
  m.state({ peer: '192.0.2.1', vrf: 'default' }, true);
  m.state({ peer: '192.0.2.1', vrf: 'red' }, false);
  const up = async () =>
    (await registry.metrics()).split('\n').filter((l) => l.startsWith('metallb_bfd_session_up{'));
  expect(await up()).toEqual([
    'metallb_bfd_session_up{peer="192.0.2.1",vrf="default"} 1',
    'metallb_bfd_session_up{peer="192.0.2.1",vrf="red"} 0',
  ]);
  m.removed({ peer: '192.0.2.1', vrf: 'default' });
  expect(await up()).toEqual(['metallb_bfd_session_up{peer="192.0.2.1",vrf="red"} 0']);
});
