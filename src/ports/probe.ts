/** Network and file probes behind the tcp, http, dns and path checks. */
export interface Probe {
  tcp(host: string, port: number, timeoutMs: number): Promise<void>;
  http(url: string, timeoutMs: number): Promise<number>;
  dns(name: string, type: string, server: string | undefined, timeoutMs: number): Promise<string[]>;
  pathExists(path: string): Promise<boolean>;
}
