import t from 'tap';
import { ServerStatus, isIdleStatus, renderScoreboardString, statusFlag } from '../src/index.js';

t.test('ServerStatus has scoreboard.h values and order', (tt) => {
  const expected: Array<[keyof typeof ServerStatus, number]> = [
    ['SERVER_DEAD', 0], ['SERVER_STARTING', 1], ['SERVER_READY', 2], ['SERVER_BUSY_READ', 3], ['SERVER_BUSY_WRITE', 4],
    ['SERVER_BUSY_KEEPALIVE', 5], ['SERVER_BUSY_LOG', 6], ['SERVER_BUSY_DNS', 7], ['SERVER_CLOSING', 8],
    ['SERVER_GRACEFUL', 9], ['SERVER_IDLE_KILL', 10], ['SERVER_NUM_STATUS', 11],
  ];
  for (const [name, value] of expected) tt.equal(ServerStatus[name], value, name);
  tt.end();
});

t.test('isIdleStatus is prefork\'s "status <= SERVER_READY" on live slots', (tt) => {
  for (let s = ServerStatus.SERVER_STARTING; s < ServerStatus.SERVER_NUM_STATUS; s++) {
    tt.equal(isIdleStatus(s), s <= ServerStatus.SERVER_READY, `${ServerStatus[s]}`);
  }
  tt.equal(isIdleStatus(ServerStatus.SERVER_DEAD), false, 'a dead slot is not an idle child');
  tt.end();
});

t.test('status flags are mod_status\'s', (tt) => {
  const flags = '.S_RWKLDCGI';
  for (let s = 0; s < ServerStatus.SERVER_NUM_STATUS; s++) tt.equal(statusFlag(s), flags[s], ServerStatus[s]);
  tt.equal(statusFlag(200), '?', 'a foreign byte renders without throwing');
  tt.end();
});

t.test('renderScoreboardString', (tt) => {
  const status = Uint8Array.from([2, 1, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0, 2, 0]);
  const src = { serverLimit: status.length, threadLimit: 1, status };
  tt.equal(renderScoreboardString(src), '_SRWKLDCGI.._.', 'every slot by default');
  tt.equal(renderScoreboardString(src, { maxServers: 10 }), '_SRWKLDCGI_', 'DEAD slots past MaxRequestWorkers are omitted, live ones kept');
  tt.equal(renderScoreboardString(src, { lineLength: 4 }), '_SRW\nKLDC\nGI..\n_.', 'HTML form breaks lines like STATUS_MAXLINE');
  const threaded = { serverLimit: 2, threadLimit: 3, status: Uint8Array.from([2, 0, 0, 4, 0, 2]) };
  tt.equal(renderScoreboardString(threaded, { threadsPerChild: 1 }), '_W_', 'DEAD threads past ThreadsPerChild omitted');
  tt.end();
});
