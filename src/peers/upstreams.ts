/** `http://127.0.0.1:9000` → `127.0.0.1:9000`; rejects anything but plain http host:port URLs. */
export function upstreamAddress(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`invalid upstream URL: ${url}`);
  }
  if (u.protocol !== 'http:' || u.port === '' || (u.pathname !== '/' && u.pathname !== '')) {
    throw new Error(`upstream must be http://host:port, got ${url}`);
  }
  return `${u.hostname}:${u.port}`;
}

export function upstreamAddresses(urls: readonly string[]): string[] {
  if (urls.length === 0) throw new Error('at least one upstream URL is required');
  return urls.map(upstreamAddress);
}
