import { connect, createServer, type Server, type Socket } from "node:net";

export interface TcpProxy {
  port: number;
  /** The upstream is "down": no longer listening, and every open connection destroyed. */
  cut(): Promise<void>;
  /**
   * The network drops every packet: open connections stay open to the client and nothing passes
   * either way (their server side is closed, as the server gives up on them), and new connections
   * are accepted and never answered. `restore()` forwards new connections again; the silenced ones
   * stay silent until the client gives them up.
   */
  silence(): void;
  /** Listening (again) on the same port, and forwarding new connections. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A plain TCP forwarder to `host:port`, so that a test can take a server away from one client
 * (a pool, the detector) without touching the server itself, which other processes share.
 */
export async function tcpProxy(host: string, port: number): Promise<TcpProxy> {
  // Any free port the first time, the same one when listening again.
  let listenPort = 0;
  const sockets = new Set<Socket>();
  /** How to silence each connection being forwarded. */
  const forwarding = new Map<Socket, () => void>();
  let server: Server | null = null;
  let silent = false;

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };

  const listen = async () => {
    silent = false;
    const next = createServer((client) => {
      track(client);
      client.on("error", () => {});
      if (silent) return;
      const upstream = connect(port, host);
      track(upstream);
      let dropped = false;
      forwarding.set(client, () => {
        dropped = true;
        upstream.destroy();
      });
      client.once("close", () => {
        forwarding.delete(client);
        upstream.destroy();
      });
      upstream.on("error", () => dropped || client.destroy());
      // Not `pipe`: an upstream that closes would end the client too, and silence must not.
      client.on("data", (chunk) => dropped || upstream.write(chunk));
      upstream.on("data", (chunk) => dropped || client.write(chunk));
      upstream.on("close", () => dropped || client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      next.once("error", reject);
      next.listen(listenPort, "127.0.0.1", () => resolve());
    });
    listenPort = (next.address() as { port: number }).port;
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

  const silence = () => {
    silent = true;
    for (const drop of forwarding.values()) drop();
    forwarding.clear();
  };

  const restore = async () => {
    if (server === null) await listen();
    else silent = false;
  };

  await listen();
  return { port: listenPort, cut: stop, silence, restore, close: stop };
}
