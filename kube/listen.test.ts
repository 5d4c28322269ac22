import * as http from 'node:http';
import { listen, ListenError } from './listen';

describe('listen', () => {
  it('reports the bound port and closes with a keep-alive client connected', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    const bound = await listen(server, 'test server', 0, '127.0.0.1');
    expect(bound.port).toBeGreaterThan(0);
    const agent = new http.Agent({ keepAlive: true });
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: bound.port, agent }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    expect(body).toBe('ok');
    await bound.close();
    agent.destroy();
    expect(server.listening).toBe(false);
  });

  it('names the server and the address when the port is taken', async () => {
    const first = await listen(http.createServer(), 'first', 0, '127.0.0.1');
    const second = http.createServer();
    const err = await listen(second, 'metrics server', first.port, '127.0.0.1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ListenError);
    expect(String(err)).toContain(`metrics server: cannot listen on 127.0.0.1:${first.port}`);
    await first.close();
  });
});
