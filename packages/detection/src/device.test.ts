import { describe, expect, it } from "vitest";
import { deviceInfo } from "./device.ts";
import { UA } from "./testing.ts";

describe("deviceInfo", () => {
  it("names browser and OS families without versions", () => {
    expect(deviceInfo(UA.chromeWindows)).toEqual({
      browser: "Chrome",
      os: "Windows",
      family: "Chrome on Windows",
      mobile: false,
    });
    expect(deviceInfo(UA.safariIphone)).toMatchObject({ family: "Safari on iOS", mobile: true });
  });

  it("gives the same family for another version of the same browser", () => {
    const newer = UA.chromeWindows.replace("124.0.0.0", "131.0.6778.86");
    expect(deviceInfo(newer)?.family).toBe(deviceInfo(UA.chromeWindows)?.family);
  });

  it("is null without a User-Agent and names unknown tooling as other", () => {
    expect(deviceInfo(undefined)).toBeNull();
    expect(deviceInfo("  ")).toBeNull();
    expect(deviceInfo("python-requests/2.32.5")?.os).toBe("Other OS");
  });

  it("answers repeated User-Agents from memory (the same object)", () => {
    expect(deviceInfo(UA.firefoxLinux)).toBe(deviceInfo(UA.firefoxLinux));
  });
});
