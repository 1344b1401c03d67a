import net from 'node:net';

/**
 * A TCP port on loopback that was free a moment ago, for a child process that must be told its
 * port before it starts (the operating system picks it; another process could take it first).
 */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
