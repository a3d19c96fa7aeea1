// `node stub-server.js PORT`: esc serve's RESP front-end with the Map-backed stub family (see
// stub-string-family.ts), for the serve bench; prints `ready` on stderr, stops on SIGTERM.
import { createLogger, resolveServeConfig, startServer, stopOnSignal } from '@esc/serve';
import { stubStringFamily } from './stub-string-family.js';

const port = Number(process.argv[2]);
const config = resolveServeConfig({ respPort: port, plsPort: 0, httpPort: 0, dir: process.argv[3] });
const server = await startServer(config, { families: [stubStringFamily], logger: createLogger('warn') });
process.stderr.write(`ready ${server.addresses.join(', ')}\n`);
await stopOnSignal(server);
