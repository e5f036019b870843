// A host name, an IPv4 address, or an IPv6 address (bracketed where a port follows).
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const IPV6 = /^[0-9A-Fa-f]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?$/;

/** What is wrong with a port, if anything: digits naming 1 to 65535. */
function portProblem(port: string): string | undefined {
  if (!/^\d{1,5}$/.test(port)) return `\`${port}\` is not a port number`;
  const n = Number(port);
  return n >= 1 && n <= 65535 ? undefined : `port ${n} is outside 1-65535`;
}

/** What is wrong with a host name or address, if anything. */
function addressProblem(address: string): string | undefined {
  if (address === '') return 'the host is missing';
  return NAME.test(address) || IPV6.test(address) ? undefined : `\`${address}\` is not a host name or address`;
}

/** Why a `tcp:` target is not host:port (IPv6 as [address]:port), if it is not. */
export function tcpTargetProblem(target: string): string | undefined {
  const v6 = /^\[([^\]]*)\](?::(.*))?$/.exec(target);
  if (v6) {
    if (v6[2] === undefined) return 'the port is missing';
    return (IPV6.test(v6[1]!) ? undefined : `\`${v6[1]}\` is not an IPv6 address`) ?? portProblem(v6[2]);
  }
  const at = target.lastIndexOf(':');
  if (at < 0) return 'the port is missing';
  const address = target.slice(0, at);
  if (address.includes(':')) return 'an IPv6 address goes in brackets before its port: [address]:port';
  return addressProblem(address) ?? portProblem(target.slice(at + 1));
}

/** Why a dns `server:` is not an address with an optional port, if it is not. */
export function dnsServerProblem(server: string): string | undefined {
  const v6 = /^\[([^\]]*)\](?::(.*))?$/.exec(server);
  if (v6) return (IPV6.test(v6[1]!) ? undefined : `\`${v6[1]}\` is not an IPv6 address`) ?? (v6[2] === undefined ? undefined : portProblem(v6[2]));
  if (IPV6.test(server) && server.split(':').length > 2) return undefined;
  const at = server.lastIndexOf(':');
  if (at < 0) return addressProblem(server);
  return addressProblem(server.slice(0, at)) ?? portProblem(server.slice(at + 1));
}

/** Why an `http:` value is not an http(s) URL, if it is not. */
export function httpUrlProblem(url: string): string | undefined {
  if (!/^https?:\/\/\S+$/.test(url)) return 'a URL starts with http:// or https:// and holds no space';
  try {
    const parsed = new URL(url);
    if (parsed.hostname === '') return 'the host is missing';
    return parsed.port === '0' ? 'port 0 is outside 1-65535' : undefined;
  } catch {
    return 'it is not a valid URL (check the host and the port, 1-65535)';
  }
}
