// Parses the manager's --listen value, "HOST:PORT" ("127.0.0.1:0", "[::1]:9000").
export interface ListenAddress {
  host: string;
  port: number;
}

export const defaultListenAddress: ListenAddress = { host: "127.0.0.1", port: 0 };

export function parseListenAddress(value: string): ListenAddress {
  const colon = value.lastIndexOf(":");
  const host = value.slice(0, Math.max(colon, 0)).replace(/^\[(.*)\]$/, "$1");
  const portText = value.slice(colon + 1);
  const port = Number(portText);
  if (colon < 0 || host === "" || !/^\d+$/.test(portText) || port > 65535) {
    throw new Error(`--listen \`${value}\` is not HOST:PORT (for example 127.0.0.1:0)`);
  }
  return { host, port };
}

export function formatListenAddress(address: ListenAddress): string {
  return address.host.includes(":") ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
