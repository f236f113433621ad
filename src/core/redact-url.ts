/** The URL with its password replaced by `***`, for logs and status pages; `invalid` when it does not parse. */
export function redactUrl(url: string, invalid = '(invalid URL)'): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return invalid;
  }
}
