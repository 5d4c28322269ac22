// SO_BINDTODEVICE on real sockets of this process's namespace: a device that exists binds, a missing one
// is the typed VrfDeviceMissingError (ENODEV), and a name too long for IFNAMSIZ never reaches the kernel.
import { VrfDeviceMissingError, bindToVrf } from './bindtodevice';
import { SOCK_CLOEXEC, close, socket } from './libc';

const AF_INET = 2;
const SOCK_STREAM = 1;

let fd = -1;
beforeEach(() => (fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)));
afterEach(() => close(fd));

test('binds to a device that exists (lo stands in for a VRF device)', () => {
  expect(() => bindToVrf(fd, 'lo', '192.0.2.1')).not.toThrow();
});

test('a device that does not exist is VrfDeviceMissingError naming peer and VRF', () => {
  let caught: unknown;
  try {
    bindToVrf(fd, 'ilb-novrf', '192.0.2.1');
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(VrfDeviceMissingError);
  expect(caught).toMatchObject({
    peer: '192.0.2.1',
    vrf: 'ilb-novrf',
    message: 'peer 192.0.2.1: VRF device "ilb-novrf" does not exist on this node',
  });
});

test('a name longer than IFNAMSIZ - 1 octets is missing, not truncated onto another device', () => {
  // The kernel would bind the first 15 octets, "lo0123456789abc", were such a device there.
  expect(() => bindToVrf(fd, 'lo0123456789abcdef', '192.0.2.1')).toThrow(VrfDeviceMissingError);
  expect(() => bindToVrf(fd, '', '192.0.2.1')).toThrow(VrfDeviceMissingError);
});
