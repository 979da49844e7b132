import udp from "gelf-pro/lib/adapter/udp";
import { isIPv6 } from "node:net";

/**
 * Sends one GELF document over UDP with gelf-pro's UDP adapter, which deflates it and
 * splits it into GELF chunks (magic bytes, message id, sequence number and count) when it
 * is larger than one datagram. Two reasons to use the adapter rather than the package root:
 * the root's `message()` flattens the nested `_event` object the pipeline reads, and the root
 * loads its adapter with a computed require() that the esbuild bundle cannot resolve.
 * Resolves with the bytes sent.
 */
export function sendGelfUdp(host: string, port: number, json: string): Promise<number> {
  udp.setOptions({ host, port, protocol: isIPv6(host) ? "udp6" : "udp4" });
  return new Promise((resolve, reject) => {
    udp.send(json, (error, bytes) => (error ? reject(error) : resolve(bytes ?? 0)));
  });
}
