// Text the pod controls (process names, command lines, messages relayed from the manager) is
// printed with its control characters made visible, so a process cannot write escape sequences to
// the user's terminal (an OSC 52 clipboard write, cursor moves, a new title) or forge table rows
// and messages with \r and \n. Printable Unicode stays as it is. `-o json` needs none of this:
// JSON.stringify escapes control characters itself.

const named: Readonly<Record<string, string>> = { "\x1b": "\\e", "\r": "\\r", "\n": "\\n", "\t": "\\t", "\x07": "\\a" };

/** C0 controls, DEL, C1 controls, the line and paragraph separators, and every invisible format
 * character (Unicode's Cf: bidirectional marks, embeddings, overrides and isolates, zero-width
 * characters, the BOM), which reorder or hide what a terminal shows. */
const unsafe = /[\x00-\x1f\x7f-\x9f\u2028\u2029\p{Cf}]/gu;

/** `text` with every unsafe character as `\e`, `\r`, `\n`, `\t`, `\a`, `\xHH` or `\u{HHHH}`. */
export function escapeControl(text: string): string {
  return text.replace(unsafe, (char) => named[char] ?? formatCodePoint(char.codePointAt(0) ?? 0));
}

function formatCodePoint(code: number): string {
  const hex = code.toString(16).padStart(2, "0");
  return code <= 0xff ? `\\x${hex}` : `\\u{${hex}}`;
}
