/** Whether an address, or the host a request was sent to, is this machine's loopback. */

/** A bound or configured address: 127.x.x.x (IPv4-mapped too), ::1 or localhost. */
export function isLoopback(address: string): boolean {
  return address === "localhost" || address === "::1" || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(address);
}

/** A Host header naming this machine, with any port: localhost, 127.x.x.x or [::1]. */
export function isLoopbackHost(host: string): boolean {
  return isLoopback(host.startsWith("[") ? host.slice(1, host.indexOf("]")) : host.replace(/:\d+$/, ""));
}
