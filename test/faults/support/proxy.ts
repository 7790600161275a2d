import { connect, createServer, type Server, type Socket } from "node:net";
import { freePort } from "./detector.ts";

export interface TcpProxy {
  port: number;
  /** The upstream is "down": no longer listening, and every open connection destroyed. */
  cut(): Promise<void>;
  /** Listening again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A plain TCP forwarder to `host:port`, so that a test can take a server away from one client
 * (the detector) without touching the server itself, which other processes share.
 */
export async function tcpProxy(host: string, port: number): Promise<TcpProxy> {
  const listenPort = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | null = null;

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };

  const listen = async () => {
    const next = createServer((client) => {
      const upstream = connect(port, host);
      track(client);
      track(upstream);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      next.once("error", reject);
      next.listen(listenPort, "127.0.0.1", () => resolve());
    });
    server = next;
  };

  const stop = async () => {
    const current = server;
    server = null;
    const closed = current ? new Promise<void>((resolve) => current.close(() => resolve())) : undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await closed;
  };

  await listen();
  return { port: listenPort, cut: stop, restore: listen, close: stop };
}
