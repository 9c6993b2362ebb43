// `-o json` and `-o yaml`: one document on stdout, for scripts. Strings the pod controls may
// hold characters a terminal acts on; both formats write those as escapes (`\u009b`), so the
// document still parses to the same data and printing it cannot move the cursor or reorder text.
// YAML comes from js-yaml, which client-node already brings into the bundle.

import { dump } from "js-yaml";
import type { DataFormat } from "./data-formats.ts";

/**
 * What escape.ts escapes for the terminal and the serializers leave raw (both escape C0 controls
 * themselves; JSON.stringify leaves DEL and C1, js-yaml the format characters).
 */
const unsafe = /[\x7f-\x9f\u2028\u2029\p{Cf}]/gu;

export function formatData(value: unknown, format: DataFormat): string {
  switch (format) {
    case "json":
      return escapeUnsafe(JSON.stringify(value, null, 2)) + "\n";
    case "yaml":
      // Every string double-quoted, where `\uXXXX` is an escape (in a plain scalar it would not be).
      return escapeUnsafe(dump(value, { forceQuotes: true, quotingType: '"', lineWidth: -1, noRefs: true }));
  }
}

function escapeUnsafe(text: string): string {
  return text.replace(unsafe, (char) =>
    Array.from({ length: char.length }, (_, index) => `\\u${char.charCodeAt(index).toString(16).padStart(4, "0")}`).join(""),
  );
}
