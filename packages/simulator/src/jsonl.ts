import type { AccountEvent } from "@vigil/events";
import { validateEvent } from "@vigil/events";
import type { Label, LabelledEvent } from "./types.ts";

// The archive formats: one JSON object per line, either `{"event":…,"label":…}` (ground truth for
// evaluation) or the bare event (what a platform would have sent; other tools replay these).

export function formatJsonLine(item: LabelledEvent, eventsOnly = false): string {
  return JSON.stringify(eventsOnly ? item.event : item);
}

export function formatJsonLines(items: readonly LabelledEvent[], eventsOnly = false): string {
  let text = "";
  for (const item of items) text += `${formatJsonLine(item, eventsOnly)}\n`;
  return text;
}

export interface ArchivedEvent {
  event: AccountEvent;
  /** Present in labelled archives only. */
  label?: Label;
}

/** Reads either format (blank lines skipped); throws naming the line of the first invalid event. */
export function parseJsonLines(text: string): ArchivedEvent[] {
  const items: ArchivedEvent[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim() ?? "";
    if (line === "") continue;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch (error) {
      throw new SyntaxError(`line ${i + 1}: ${(error as Error).message}`);
    }
    const labelled = typeof data === "object" && data !== null && "event" in data && "label" in data;
    const result = validateEvent(labelled ? (data as { event: unknown }).event : data);
    if (!result.ok) throw new TypeError(`line ${i + 1}: ${result.message}`);
    items.push(
      labelled ? { event: result.event, label: (data as { label: Label }).label } : { event: result.event },
    );
  }
  return items;
}
