// The standard process_* metrics (prometheus/docs instrumenting/writing_clientlibs.md, "Standard and runtime
// collectors") and Node's nodejs_* runtime metrics, under the names prom-client's collectDefaultMetrics gave
// them, so dashboards built on those keep working. These are read at scrape time only, from
// process.cpuUsage(), process.memoryUsage(), node:v8 and Linux's /proc/self. The event-loop and GC metrics,
// which watch the process between scrapes, are in eventloop.ts, registered separately by the processes that
// can afford them.
import { readdirSync, readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { Counter } from './counter';
import { Gauge } from './gauge';
import type { MetricRegistry } from './metric';

/** Unix time the process started, in seconds. */
const START_TIME_SECONDS = Date.now() / 1000 - process.uptime();

/** Fields of /proc/self/status in bytes ("VmRSS:   1234 kB"); proc(5). */
export function parseProcStatus(text: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+) kB$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) fields.set(m[1], Number(m[2]) * 1024);
  }
  return fields;
}

/** The soft limit of "Max open files" in /proc/self/limits; undefined when unlimited or unreadable. */
export function parseMaxOpenFiles(text: string): number | undefined {
  const m = /^Max open files\s+(\d+)/m.exec(text);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // not Linux, or /proc not mounted: the gauges keep their last value
  }
}

function cpuMetrics(registers: readonly MetricRegistry[]): void {
  // Counters hold what was reported so far; each scrape adds the CPU time since (process.cpuUsage() counts
  // from process start, so nothing spent before registration is lost).
  let reported = { user: 0, system: 0 };
  const user: Counter = new Counter({
    name: 'process_cpu_user_seconds_total',
    help: 'Total user CPU time spent in seconds.',
    registers,
    collect() {
      const now = process.cpuUsage();
      const du = Math.max(0, now.user - reported.user) / 1e6;
      const ds = Math.max(0, now.system - reported.system) / 1e6;
      reported = now;
      user.inc(du);
      system.inc(ds);
      total.inc(du + ds);
    },
  });
  const system = new Counter({
    name: 'process_cpu_system_seconds_total',
    help: 'Total system CPU time spent in seconds.',
    registers,
  });
  const total = new Counter({
    name: 'process_cpu_seconds_total',
    help: 'Total user and system CPU time spent in seconds.',
    registers,
  });
}

function startTimeMetric(registers: readonly MetricRegistry[]): void {
  new Gauge({
    name: 'process_start_time_seconds',
    help: 'Start time of the process since unix epoch in seconds.',
    registers,
  }).set(START_TIME_SECONDS);
}

function memoryMetrics(registers: readonly MetricRegistry[]): void {
  const resident: Gauge = new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes.',
    registers,
    collect() {
      const text = readProc('/proc/self/status');
      if (text === undefined) {
        resident.set(process.memoryUsage.rss());
        return;
      }
      const status = parseProcStatus(text);
      const set = (g: Gauge, field: string) => {
        const v = status.get(field);
        if (v !== undefined) g.set(v);
      };
      set(resident, 'VmRSS');
      set(virtual, 'VmSize');
      set(heap, 'VmData');
    },
  });
  const virtual = new Gauge({
    name: 'process_virtual_memory_bytes',
    help: 'Virtual memory size in bytes.',
    registers,
  });
  const heap = new Gauge({ name: 'process_heap_bytes', help: 'Process heap size in bytes.', registers });
}

function fileDescriptorMetrics(registers: readonly MetricRegistry[]): void {
  new Gauge({
    name: 'process_open_fds',
    help: 'Number of open file descriptors.',
    registers,
    collect() {
      try {
        // Less the descriptor readdirSync itself had open while listing.
        this.set(readdirSync('/proc/self/fd').length - 1);
      } catch {
        // not Linux: keep the last value
      }
    },
  });
  const limits = readProc('/proc/self/limits');
  const max = limits === undefined ? undefined : parseMaxOpenFiles(limits);
  if (max === undefined) return;
  new Gauge({ name: 'process_max_fds', help: 'Maximum number of open file descriptors.', registers }).set(
    max,
  );
}

function heapMetrics(registers: readonly MetricRegistry[]): void {
  const total: Gauge = new Gauge({
    name: 'nodejs_heap_size_total_bytes',
    help: 'Process heap size from Node.js in bytes.',
    registers,
    collect() {
      const m = process.memoryUsage();
      total.set(m.heapTotal);
      used.set(m.heapUsed);
      external.set(m.external);
    },
  });
  const used = new Gauge({
    name: 'nodejs_heap_size_used_bytes',
    help: 'Process heap size used from Node.js in bytes.',
    registers,
  });
  const external = new Gauge({
    name: 'nodejs_external_memory_bytes',
    help: 'Node.js external memory size in bytes.',
    registers,
  });
  // One read of the heap spaces sets all three, by the first: the registry collects in registration order.
  const labelNames = ['space'] as const;
  const spaceTotal: Gauge<'space'> = new Gauge({
    name: 'nodejs_heap_space_size_total_bytes',
    help: 'Process heap space size total from Node.js in bytes.',
    labelNames,
    registers,
    collect() {
      for (const s of getHeapSpaceStatistics()) {
        const space = s.space_name.replace(/_space$/, '');
        spaceTotal.set({ space }, s.space_size);
        spaceUsed.set({ space }, s.space_used_size);
        spaceAvailable.set({ space }, s.space_available_size);
      }
    },
  });
  const spaceUsed = new Gauge({
    name: 'nodejs_heap_space_size_used_bytes',
    help: 'Process heap space size used from Node.js in bytes.',
    labelNames,
    registers,
  });
  const spaceAvailable = new Gauge({
    name: 'nodejs_heap_space_size_available_bytes',
    help: 'Process heap space size available from Node.js in bytes.',
    labelNames,
    registers,
  });
}

function versionMetric(registers: readonly MetricRegistry[]): void {
  const [major = '', minor = '', patch = ''] = process.versions.node.split('.');
  new Gauge({
    name: 'nodejs_version_info',
    help: 'Node.js version info.',
    labelNames: ['version', 'major', 'minor', 'patch'] as const,
    registers,
  }).set({ version: process.version, major, minor, patch }, 1);
}

function resourceMetrics(registers: readonly MetricRegistry[]): void {
  const byType: Gauge<'type'> = new Gauge({
    name: 'nodejs_active_resources',
    help: 'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.',
    labelNames: ['type'] as const,
    registers,
    collect() {
      const resources = process.getActiveResourcesInfo();
      byType.reset();
      for (const type of resources) byType.inc({ type });
      all.set(resources.length);
    },
  });
  const all = new Gauge({
    name: 'nodejs_active_resources_total',
    help: 'Total number of active resources.',
    registers,
  });
}

/** Registers the process_* and nodejs_* metrics read at scrape time with `registry`. */
export function registerProcessMetrics(registry: MetricRegistry): void {
  const registers = [registry];
  cpuMetrics(registers);
  startTimeMetric(registers);
  memoryMetrics(registers);
  fileDescriptorMetrics(registers);
  resourceMetrics(registers);
  heapMetrics(registers);
  versionMetric(registers);
}
