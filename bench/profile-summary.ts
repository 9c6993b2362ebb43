// Sums a V8 CPU profile (`node --cpu-prof`) by script: self time (samples whose top frame is in
// the script) and total time (samples with the script anywhere on the stack), largest first.
// Run: node --import tsx bench/profile-summary.ts <file.cpuprofile> [rows]
import { readFileSync } from "node:fs";
import path from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { url: string; functionName: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

// esbuild heads each bundled module with a `// <source path>` comment: a frame in a bundle is
// credited to the module whose comment precedes its line, so the summary names yargs or
// client-node rather than one 4 MB chunk.
const moduleStarts = new Map<string, { line: number; name: string }[]>();

function readModuleStarts(file: string): { line: number; name: string }[] {
  let starts = moduleStarts.get(file);
  if (starts) return starts;
  starts = [];
  try {
    readFileSync(file, "utf8").split("\n").forEach((text, line) => {
      const match = /^\/\/ (\S+\.(?:[cm]?js|ts|json))$/.exec(text);
      if (match?.[1]) starts!.push({ line, name: shortenModule(match[1]) });
    });
  } catch {
    // Not a readable file: credit the whole script.
  }
  moduleStarts.set(file, starts);
  return starts;
}

/** `../main/node_modules/@grpc/grpc-js/build/src/x.js` → `@grpc/grpc-js`; our own files stay whole. */
function shortenModule(source: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(source);
  return match?.[1] ?? source.replace(/^(\.\.\/)+/, "");
}

function nameScript(frame: ProfileNode["callFrame"]): string {
  const { url, functionName } = frame;
  if (url === "") return functionName === "(garbage collector)" ? "(gc)" : functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node: internals";
  const file = url.replace(/^file:\/\//, "");
  const script = path.relative(process.cwd(), file) || url;
  let module: string | undefined;
  for (const start of readModuleStarts(file)) {
    if (start.line > frame.lineNumber) break;
    module = start.name;
  }
  return module === undefined ? script : `${path.basename(script)}: ${module}`;
}

function summarise(profile: Profile): { rows: { script: string; self: number; total: number }[]; wall: number } {
  const parent = new Map<number, number>();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index + 1] ?? 0) / 1000;
    const top = byId.get(id);
    if (!top) return;
    const script = nameScript(top.callFrame);
    self.set(script, (self.get(script) ?? 0) + ms);
    const onStack = new Set<string>();
    for (let node: ProfileNode | undefined = top; node; node = byId.get(parent.get(node.id) ?? -1)) {
      if (node.callFrame.url !== "") onStack.add(nameScript(node.callFrame));
    }
    for (const script of onStack) total.set(script, (total.get(script) ?? 0) + ms);
  });
  const scripts = new Set([...self.keys(), ...total.keys()]);
  const rows = [...scripts].map((script) => ({ script, self: self.get(script) ?? 0, total: total.get(script) ?? 0 }));
  return { rows: rows.sort((a, b) => b.self - a.self), wall: (profile.endTime - profile.startTime) / 1000 };
}

const [file, limit = "12"] = process.argv.slice(2);
if (file === undefined) {
  console.error("usage: bench/profile-summary.ts <file.cpuprofile> [rows]");
  process.exit(2);
}
const { rows, wall } = summarise(JSON.parse(readFileSync(file, "utf8")) as Profile);
console.log(`${path.basename(file)}: ${wall.toFixed(0)} ms profiled`);
console.log("   self ms  total ms  script");
for (const row of rows.slice(0, Number(limit))) {
  console.log(`${row.self.toFixed(1).padStart(10)}${row.total.toFixed(1).padStart(10)}  ${row.script}`);
}
