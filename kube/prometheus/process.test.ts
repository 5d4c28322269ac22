import { readFileSync } from 'node:fs';
import { parseMaxOpenFiles, parseProcStatus, registerProcessMetrics } from './process';
import { Registry } from './registry';
import { sampleValue as sample } from '../../testkit/metricstext';

describe('process and Node.js metrics', () => {
  it('serves the names prom-client collectDefaultMetrics gave, each with HELP and TYPE', async () => {
    const registry = new Registry();
    registerProcessMetrics(registry);
    const text = await registry.metrics();
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(types).toEqual(
      expect.arrayContaining([
        '# TYPE process_cpu_user_seconds_total counter',
        '# TYPE process_cpu_system_seconds_total counter',
        '# TYPE process_cpu_seconds_total counter',
        '# TYPE process_start_time_seconds gauge',
        '# TYPE process_resident_memory_bytes gauge',
        '# TYPE process_virtual_memory_bytes gauge',
        '# TYPE process_heap_bytes gauge',
        '# TYPE process_open_fds gauge',
        '# TYPE process_max_fds gauge',
        '# TYPE nodejs_heap_size_total_bytes gauge',
        '# TYPE nodejs_heap_size_used_bytes gauge',
        '# TYPE nodejs_external_memory_bytes gauge',
        '# TYPE nodejs_heap_space_size_used_bytes gauge',
        '# TYPE nodejs_active_resources_total gauge',
        '# TYPE nodejs_version_info gauge',
      ]),
    );
    expect(text).toContain(`nodejs_version_info{version="${process.version}",major=`);
    expect(text).not.toContain('nodejs_eventloop_lag'); // eventloop.ts, registered on its own
    expect(text).toMatch(/nodejs_heap_space_size_used_bytes\{space="old"\} [1-9]/);
  });

  it('reads real figures: RSS from /proc/self/status, CPU since process start and only ever growing', async () => {
    const registry = new Registry();
    registerProcessMetrics(registry);
    const first = await registry.metrics();
    const rss = parseProcStatus(readFileSync('/proc/self/status', 'utf8')).get('VmRSS') ?? 0;
    expect(sample(first, 'process_resident_memory_bytes')).toBeGreaterThan(rss * 0.8);
    expect(sample(first, 'process_resident_memory_bytes')).toBeLessThan(rss * 1.25);
    // This jest worker has spent far more than 10 ms of CPU before the registry existed.
    const cpu = sample(first, 'process_cpu_seconds_total') ?? 0;
    expect(cpu).toBeGreaterThan(0.01);
    expect(cpu).toBeCloseTo(
      (sample(first, 'process_cpu_user_seconds_total') ?? 0) +
        (sample(first, 'process_cpu_system_seconds_total') ?? 0),
    );
    const until = Date.now() + 20;
    while (Date.now() < until); // burn some CPU
    expect(sample(await registry.metrics(), 'process_cpu_seconds_total')).toBeGreaterThan(cpu);
    const start = sample(first, 'process_start_time_seconds') ?? 0;
    expect(start).toBeLessThanOrEqual(Date.now() / 1000);
    expect(start).toBeGreaterThan(Date.now() / 1000 - process.uptime() - 1);
    expect(sample(first, 'process_open_fds')).toBeGreaterThan(2);
    expect(sample(first, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('parses /proc/self/status sizes in bytes and the soft open-files limit', () => {
    const status = parseProcStatus('Name:\tnode\nVmSize:\t 1000 kB\nVmRSS:\t   20 kB\nThreads:\t7\n');
    expect([...status]).toEqual([
      ['VmSize', 1024000],
      ['VmRSS', 20480],
    ]);
    const limits = [
      'Limit                     Soft Limit           Hard Limit           Units',
      'Max processes             63704                63704                processes',
      'Max open files            1024                 524288               files',
    ].join('\n');
    expect(parseMaxOpenFiles(limits)).toBe(1024);
    expect(
      parseMaxOpenFiles('Max open files            unlimited            unlimited            files'),
    ).toBe(undefined);
  });
});
