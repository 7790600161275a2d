import { describe, expect, it } from "vitest";
import { ProducerClosedError } from "./errors.ts";
import { rejection, fakeProducer as setup } from "./fakeTransport.ts";
import { activityProducerOver } from "./producer.ts";
import type { Transport } from "./transport.ts";

const session = { userId: "u1", sessionId: "s1" };

describe("batching", () => {
  it("groups events sent within the linger into one batch, in call order", async () => {
    const { vigil, batches } = setup({ lingerMs: 20 });
    const sent = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        vigil.contentDeleted({ ...session, id: `e${i}`, contentType: "photo" }),
      ),
    );
    expect(batches).toHaveLength(1);
    expect(batches[0]?.messages.map((m) => JSON.parse(m.value).id)).toEqual(sent.map((e) => e.id));
  });

  it("sends a full batch at once and the rest after it, one batch in flight at a time", async () => {
    const { vigil, batches, state } = setup({ lingerMs: 60_000, maxBatch: 3 });
    const all = Promise.all(Array.from({ length: 7 }, () => vigil.sessionEnded(session)));
    await vigil.flush();
    await all;
    expect(batches.map((b) => b.messages.length)).toEqual([3, 3, 1]);
    expect(state.mostInFlight).toBe(1);
  });

  it("settles each caller with its own batch: a failed batch rejects all of its events only", async () => {
    const { vigil, batches, state } = setup({ maxBatch: 2, lingerMs: 60_000 });
    const broken = new Error("broker unavailable");
    state.fail = broken;
    const first = [vigil.sessionEnded(session), vigil.sessionEnded(session)].map((p) => rejection(p));
    await vigil.flush();
    state.fail = undefined;
    const second = vigil.sessionEnded(session);
    await vigil.flush();
    expect(await Promise.all(first)).toEqual([broken, broken]);
    await expect(second).resolves.toMatchObject({ type: "session.ended" });
    expect(batches.map((b) => b.messages.length)).toEqual([2, 1]);
  });

  it("resolves only after the broker acknowledged", async () => {
    let acknowledge = () => {};
    const acknowledged = new Promise<void>((resolve) => {
      acknowledge = resolve;
    });
    let sent = 0;
    const transport: Transport = {
      sendBatch() {
        sent += 1;
        return acknowledged;
      },
      close: async () => {},
    };
    const vigil = activityProducerOver(transport, { lingerMs: 0 });
    let settled = false;
    const sending = vigil.sessionEnded(session).then(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect([sent, settled]).toEqual([1, false]);
    acknowledge();
    await sending;
    expect(settled).toBe(true);
  });

  it("close flushes, closes the transport and refuses later events", async () => {
    const { vigil, batches, state } = setup({ lingerMs: 60_000 });
    const pending = vigil.sessionEnded(session);
    await vigil.close();
    await expect(pending).resolves.toBeDefined();
    expect(batches).toHaveLength(1);
    expect(state.closed).toBe(true);
    await expect(vigil.sessionEnded(session)).rejects.toBeInstanceOf(ProducerClosedError);
    await vigil.close(); // twice is fine
  });
});
