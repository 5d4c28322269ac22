// Kubernetes timestamp formats. metav1.Time is RFC 3339 to the second; metav1.MicroTime (Lease
// acquireTime/renewTime, events.k8s.io eventTime) must carry exactly six fractional digits: the API server
// parses it with Go's fixed layout "2006-01-02T15:04:05.000000Z07:00" and rejects JavaScript's
// millisecond `toISOString()` output ("...05.123Z").

/** metav1.Time: "2024-05-01T10:00:00Z". */
export function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** metav1.MicroTime: "2024-05-01T10:00:00.123000Z" (JavaScript clocks stop at milliseconds). */
export function formatMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Milliseconds since the epoch for either format (or any RFC 3339 time); undefined if unparseable. */
export function parseKubeTime(text: string): number | undefined {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
