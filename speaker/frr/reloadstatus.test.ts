// The reloader's .status file, read from a real file: a new failure hands the config over again once, a
// success or the same failure read twice does nothing, a missing file is no reload yet.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureLogger } from '../../testkit/capturedlogger';
import { FakeClock, flushPromises } from '../../testkit/fakeclock';
import { parseReloadStatus, ReloadStatusWatcher } from './reloadstatus';

describe('parseReloadStatus', () => {
  it("reads frr-reloader.sh's `<epoch> success|failure`", () => {
    expect(parseReloadStatus('1764873600 success')).toEqual({ at: 1764873600, isSuccess: true });
    expect(parseReloadStatus('1764873601 failure')).toEqual({ at: 1764873601, isSuccess: false });
  });
  it('refuses an empty or half-written file', () => {
    expect(parseReloadStatus('')).toBeUndefined();
    expect(parseReloadStatus('1764873600')).toBeUndefined();
    expect(parseReloadStatus('1764873600 fail')).toBeUndefined();
  });
});

describe('ReloadStatusWatcher', () => {
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ironlb-reloadstatus-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function watcher() {
    const file = join(dir, '.status');
    const log = captureLogger('info');
    let failures = 0;
    const w = new ReloadStatusWatcher({
      clock: new FakeClock(),
      logger: log.logger,
      file,
      onFailure: () => failures++,
    });
    return { w, file, log, failures: () => failures };
  }

  it('hands over again on a new failure, once per failed reload', async () => {
    const { w, file, log, failures } = watcher();
    writeFileSync(file, '100 failure');
    await w.check();
    await w.check();
    expect(failures()).toBe(1);
    writeFileSync(file, '130 failure');
    await w.check();
    expect(failures()).toBe(2);
    expect(log.lines().filter((l) => l.level === 'error')).toHaveLength(2);
  });
  it('does nothing on success, or before the reloader has written anything', async () => {
    const { w, file, failures } = watcher();
    await w.check();
    writeFileSync(file, '100 success');
    await w.check();
    expect(failures()).toBe(0);
  });
  it('reads every 30 s once started, and not after stop', async () => {
    const file = join(dir, '.status');
    const clock = new FakeClock();
    let failures = 0;
    const w = new ReloadStatusWatcher({
      clock,
      logger: captureLogger().logger,
      file,
      onFailure: () => failures++,
    });
    writeFileSync(file, '100 failure');
    w.start();
    await clock.advance(29_999);
    expect(failures).toBe(0);
    await clock.advance(1);
    // The read is real file I/O: let it finish.
    for (let i = 0; i < 200 && failures === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(failures).toBe(1);
    w.stop();
    writeFileSync(file, '200 failure');
    await clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 50));
    await flushPromises();
    expect(failures).toBe(1);
  });
});
