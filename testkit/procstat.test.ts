import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { procCpuSeconds, procMemory, procStartedAt } from './controllerprocess';

describe('the /proc readers', () => {
  test('procStartedAt places a process we start between the moments around its spawn', async () => {
    const before = performance.now();
    const child = spawn('sleep', ['5'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    const after = performance.now();
    try {
      const pid = child.pid ?? -1;
      const startedAt = procStartedAt(pid);
      // Both clocks tick in 10 ms steps here (USER_HZ and /proc/uptime).
      expect(startedAt).toBeGreaterThanOrEqual(before - 30);
      expect(startedAt).toBeLessThanOrEqual(after + 30);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('reads this process: some memory, CPU that only grows', () => {
    const memory = procMemory(process.pid);
    expect(memory?.rssKiB).toBeGreaterThan(1024);
    expect(memory?.hwmKiB).toBeGreaterThanOrEqual(memory?.rssKiB ?? Infinity);
    const cpu = procCpuSeconds(process.pid) ?? -1;
    let x = 0;
    for (let i = 0; i < 3e7; i++) x += i % 7;
    expect(x).toBeGreaterThan(0);
    expect(procCpuSeconds(process.pid)).toBeGreaterThan(cpu);
  });

  test('says undefined for a process that is gone', async () => {
    const child = spawn('true', [], { stdio: 'ignore' });
    const pid = child.pid ?? -1;
    await new Promise((r) => child.once('exit', r));
    expect(procStartedAt(pid)).toBeUndefined();
    expect(procMemory(pid)).toBeUndefined();
  });
});
