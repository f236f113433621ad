/**
 * The per-client behaviour features, in model order (the order of the vector given to stage 1
 * and stage 2; the trained model files list the same names and are checked against this list
 * at load). Every feature is computed from the client's bounded state (see state/client-table.ts)
 * in O(1); src/detect/README.md documents each and maps them to the seeds' 19.
 */
export const FEATURE_NAMES = [
  'rate_1s', //            req/s, exponentially decayed count with a 1 s time constant
  'rate_10s', //           req/s, decayed count with a 10 s time constant
  'rate_60s', //           req/s, decayed count with a 60 s time constant
  'burst_ratio', //        rate_1s / max(rate_60s, 1/60): how bursty the client is right now
  'peak_10s', //           requests in the client's busiest 10 s (decayed peak of the 10 s count)
  'iat_mean_s', //         mean inter-arrival time in seconds (gaps capped at 60 s)
  'iat_cv', //             coefficient of variation of inter-arrival times (low = machine-regular)
  'ua_entropy', //         normalised Shannon entropy of User-Agent values over the last 16 requests
  'path_entropy', //       normalised entropy of paths over the last 16 requests
  'query_unique_ratio', // share of the last 16 requests whose URL differs only by its query (cache busting)
  'non_get_ratio', //      share of requests that are not GET/HEAD (method mix)
  'content_length_std_log', // log10(1 + std of request Content-Length)
  'referer_ratio', //      share of requests with a Referer
  'header_count', //       mean number of request headers
  'browser_headers', //    mean share of the headers browsers send (accept, accept-encoding, accept-language, sec-fetch-*, user-agent)
  'accept_language_ratio', // share of requests with Accept-Language
  'cookie_ratio', //       share of requests with a Cookie
  'session_persistence', // share of cookie-bearing requests whose Cookie equals the client's previous one
  'session_entropy', //    normalised entropy of Cookie values over the last 16 requests (many sessions behind one address)
  'http10_ratio', //       share of HTTP/1.0 requests
  'error_ratio', //        share of completed responses with status >= 400
  'not_found_ratio', //    share of completed responses with status 404
  'client_age_log', //     log10(1 + seconds since the client was first seen)
  'request_count_log', //  log10(1 + requests seen from the client)
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];
export const FEATURE_COUNT = FEATURE_NAMES.length;

export const F = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, i])) as { readonly [K in FeatureName]: number };
