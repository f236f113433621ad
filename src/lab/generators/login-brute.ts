import { resolve, type GeneratorOptions, type GeneratorSummary } from './common.js';
import { runClientLoop } from './loop.js';

export interface LoginBruteOptions extends GeneratorOptions {
  /** Attacking addresses (default 2); `rate` is the total. */
  sources?: number;
  user?: string;
}

const COMMON = ['123456', 'password', 'qwerty', 'letmein', 'admin', 'welcome', 'iloveyou', 'monkey', 'dragon', 'sunshine'];

/** Password guessing against the login form. */
export function runLoginBrute(opts: LoginBruteOptions): Promise<GeneratorSummary> {
  const ctx = resolve(opts, 'login-brute', 24);
  const sources = opts.sources ?? 2;
  const user = opts.user ?? 'reader';
  return runClientLoop(opts, ctx, {
    generator: 'login-brute',
    clients: sources,
    perClientRate: opts.rate / sources,
    request: (n, seq) => ({
      method: 'POST',
      path: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'python-requests/2.31.0' },
      body: new URLSearchParams({ username: user, password: `${COMMON[seq % COMMON.length]}${n}${Math.floor(seq / COMMON.length)}` }).toString(),
    }),
    maxInFlight: 4,
    connections: 4,
  });
}
