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
    expect(deviceInfo("python-requests/2.32.5")).toMatchObject({
      browser: "Python requests",
      family: "Python requests",
    });
    expect(deviceInfo("Mozilla/5.0 (Windows NT 10.0; Win64; x64) SomethingNew/1.0")?.family).toBe(
      "another browser on Windows",
    );
  });

  it("never names a device with the User-Agent's own words", () => {
    const lure = "Your account is locked. Verify now at https://evil.example/verify";
    expect(deviceInfo(lure)).toMatchObject({
      browser: "another browser",
      os: "another system",
      family: "an unknown device",
    });
    for (const agent of [`${lure} Windows`, `Mozilla/5.0 (${lure}) Chrome/1`, `${lure}/1.0 (Linux)`]) {
      const info = deviceInfo(agent);
      expect(`${info?.browser} ${info?.os} ${info?.family}`).not.toMatch(/evil|Verify|locked/);
    }
  });

  it("answers repeated User-Agents from memory (the same object)", () => {
    expect(deviceInfo(UA.firefoxLinux)).toBe(deviceInfo(UA.firefoxLinux));
  });
});
