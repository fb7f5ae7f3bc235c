// The loopback server with the scripted Game of 24 model, in a process of its own, so the benchmark
// process's CPU time holds only the client side. Prints its base URL, exits when stdin closes.
import { game24Reply, memoized } from './game24Model';
import { replyServer } from './models';

const delayMs = Number(process.argv[2] ?? 0);
void replyServer(memoized(game24Reply), delayMs).then((server) => {
  process.stdout.write(`${server.baseUrl}\n`);
  process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
  process.stdin.resume();
});
