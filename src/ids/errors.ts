/** Errors of the IDS API with a stable code and HTTP status; mapped to responses in server.ts. */
export const IDS_ERRORS = {
  BAD_JSON: { status: 400, message: 'request body is not valid JSON' },
  INVALID_REQUEST: { status: 400, message: 'request body does not match the schema' },
  INVALID_FEATURES: { status: 400, message: 'flow features are missing or malformed' },
  UNAUTHORIZED: { status: 401, message: 'missing or wrong X-API-Key' },
  NOT_FOUND: { status: 404, message: 'no such endpoint' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'method not allowed on this endpoint' },
  BODY_TOO_LARGE: { status: 413, message: 'request body too large' },
  BATCH_TOO_LARGE: { status: 413, message: 'too many flows in one batch' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'send application/json' },
  RATE_LIMITED: { status: 429, message: 'too many requests' },
} as const;

export type IdsErrorCode = keyof typeof IDS_ERRORS;

export class IdsHttpError extends Error {
  override name = 'IdsHttpError';
  readonly status: number;
  constructor(readonly code: IdsErrorCode, message?: string, readonly details?: unknown, readonly headers?: Record<string, string>) {
    super(message ?? IDS_ERRORS[code].message);
    this.status = IDS_ERRORS[code].status;
  }
}
