import { createServer } from 'node:net';

/**
 * Hands out free 127.0.0.1 ports, never the same one twice in a run, so cases running side by
 * side cannot collide with each other (the kernel's choice of port 0 may repeat once closed).
 */
export class PortAllocator {
  private readonly given = new Set<number>();

  /** A port that was free a moment ago and was not handed out before by this allocator. */
  async allocate(): Promise<number> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = await new Promise<number>((resolve, reject) => {
        const srv = createServer();
        srv.once('error', reject);
        srv.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
          const addr = srv.address();
          const p = typeof addr === 'object' && addr ? addr.port : 0;
          srv.close(() => resolve(p));
        });
      });
      if (port > 0 && !this.given.has(port)) {
        this.given.add(port);
        return port;
      }
    }
    throw new Error('PF-CONF-001: no free port found on 127.0.0.1');
  }
}
