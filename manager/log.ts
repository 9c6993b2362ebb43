// Structured logs: one JSON object per stdout line, after the "Listening on" line the CLI reads.
export type Level = "debug" | "info" | "warn" | "error";

export type Fields = Record<string, string | number | boolean | undefined>;

export type Log = (level: Level, msg: string, fields?: Fields) => void;

export function writeLog(level: Level, msg: string, fields: Fields = {}): void {
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level, msg, fields }) + "\n");
}
