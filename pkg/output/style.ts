// Colour decisions in one place: colours only when the stream is a terminal, and never when
// NO_COLOR is set to anything non-empty (https://no-color.org).

export interface StyleTarget {
  isTTY?: boolean;
}

export type Env = Record<string, string | undefined>;

export function shouldColour(stream: StyleTarget, env: Env = process.env): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR;
}

export interface Painter {
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

export function createPainter(enabled: boolean): Painter {
  const wrap = (open: number, close: number) => (text: string) =>
    enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text;
  return { red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}
