// The /ui Socket.IO namespace admits logged-in browsers from our own origin only.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { io, type Socket } from "socket.io-client";
import { startServer, setUpServer, type Client, type TestServer } from "../setup/server";

let server: TestServer;
let admin: Client;

beforeAll(async () => {
  server = await startServer();
  admin = await setUpServer(server);
});
afterAll(async () => {
  await server?.stop();
});

function connect(headers: Record<string, string>, transports: ("websocket" | "polling")[] = ["websocket"]): Promise<{ socket: Socket; hello?: unknown; error?: Error }> {
  return new Promise((resolve) => {
    const socket = io(`${server.url}/ui`, { transports, extraHeaders: headers, reconnection: false, timeout: 5000 });
    socket.on("hello", (hello: unknown) => resolve({ socket, hello }));
    socket.on("connect_error", (error) => {
      socket.close();
      resolve({ socket, error });
    });
  });
}

describe("the /ui socket namespace", () => {
  test("an anonymous socket is rejected", async () => {
    const result = await connect({ origin: server.url });
    expect(result.error?.message).toBe("unauthorized");
    expect(result.hello).toBeUndefined();
  });

  test("a socket with a forged session cookie is rejected", async () => {
    const result = await connect({ cookie: `infrapilot_session=${"B".repeat(43)}`, origin: server.url });
    expect(result.error?.message).toBe("unauthorized");
  });

  test("a logged-in socket connects and learns who it is", async () => {
    const result = await connect({ cookie: admin.cookieHeader(), origin: server.url });
    expect(result.error).toBeUndefined();
    expect(result.hello).toMatchObject({ userId: expect.any(String) });
    result.socket.close();
  });

  test("a logged-in socket from a foreign origin is rejected, over websocket and polling", async () => {
    for (const transport of ["websocket", "polling"] as const) {
      const result = await connect({ cookie: admin.cookieHeader(), origin: "https://evil.example" }, [transport]);
      expect(result.error, transport).toBeDefined();
      expect(result.hello).toBeUndefined();
    }
  });

  test("the main namespace admits nobody", async () => {
    const result = await new Promise<Error | undefined>((resolve) => {
      const socket = io(server.url, { transports: ["websocket"], extraHeaders: { cookie: admin.cookieHeader(), origin: server.url }, reconnection: false });
      socket.on("connect", () => {
        socket.close();
        resolve(undefined);
      });
      socket.on("connect_error", (e) => {
        socket.close();
        resolve(e);
      });
    });
    expect(result?.message).toBe("not found");
  });
});
