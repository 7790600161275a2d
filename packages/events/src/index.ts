export * from "./events.ts";
export * from "./flags.ts";
export * from "./notices.ts";
export * from "./parse.ts";
export * from "./text.ts";
export * from "./topics.ts";
