// An export of a module that is loaded only when the export is first used: the build gives kdiag's
// imports of client-node's generated API (CoreV1Api and the like, 4 MB with their models) as
// these, so that a command that makes no generated-API call never loads that chunk
// (scripts/esbuild-plugins.mjs). The stand-in forwards what kdiag does with such an export —
// `new`, a call, a property, `instanceof` — to the real one, loading it then.

export function lazyBinding(load: () => Record<string, unknown>, name: string): unknown {
  const real = (): any => load()[name];
  // A function target, so that the stand-in can be called and constructed.
  const target = function () {} as unknown as object;
  const standIn: object = new Proxy(target, {
    construct: (_target, args, newTarget) => Reflect.construct(real(), args, newTarget === standIn ? real() : newTarget),
    apply: (_target, self, args) => Reflect.apply(real(), self, args),
    get: (_target, key) => Reflect.get(real(), key),
    has: (_target, key) => Reflect.has(real(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
  });
  return standIn;
}
