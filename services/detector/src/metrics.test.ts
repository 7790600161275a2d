import { describe, expect, it } from "vitest";
import { createMetrics } from "./metrics.ts";

describe("the profile cache gauges", () => {
  it("are exposed once a cache is bound, read from it at each scrape", async () => {
    const metrics = createMetrics({ processMetrics: false });
    expect(await metrics.registry.metrics()).not.toContain("vigil_profile_cache_size");
    const cache = { size: 3, bytes: 4096 };
    metrics.profileCache.bind(cache);
    cache.size = 5;
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^vigil_profile_cache_size 5$/m);
    expect(text).toMatch(/^vigil_profile_cache_bytes 4096$/m);
  });
});
