/** OpenAPI 3.1 description of the IDS API, served at GET /openapi.json. */
export function buildOpenApi(opts: { version: string; maxBatch: number; features: readonly string[]; threshold: number }): Record<string, unknown> {
  const error = { $ref: '#/components/schemas/Error' };
  const errors = (...codes: number[]) =>
    Object.fromEntries(codes.map((c) => [String(c), { description: 'refused', content: { 'application/json': { schema: error } } }]));
  const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
  const secured = [{ apiKey: [] }];
  return {
    openapi: '3.1.0',
    info: {
      title: 'ddos-shield flow IDS', version: opts.version,
      description: 'Scores CICFlowMeter flows with a RandomForest + XGBoost ensemble. Feature names may use the ' +
        'CSE-CIC-IDS2018 spelling (`Tot Fwd Pkts`), the CIC-IDS2017 spelling (` Total Fwd Packets`), the later long ' +
        'spellings (`Fwd Packets Length Total`) or the canonical ids; unknown keys are ignored. null, NaN, Infinity ' +
        '(numbers or strings) are replaced by -1, as in training. A flow is an attack when attack_probability (mean of the ' +
        `two models) reaches the decision threshold ${opts.threshold}, tuned at training time (GET /model/info, ensemble).`,
    },
    components: {
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
      schemas: {
        Flow: {
          type: 'object', description: `One flow; required features (any spelling): ${opts.features.join(', ')}`,
          additionalProperties: { oneOf: [{ type: 'number' }, { type: 'string' }, { type: 'null' }] },
        },
        Error: { type: 'object', required: ['error', 'message'], properties: { error: { type: 'string' }, message: { type: 'string' }, details: {} } },
        Prediction: {
          type: 'object',
          properties: {
            prediction: { type: 'integer', enum: [0, 1] }, prediction_label: { type: 'string', enum: ['Benign', 'Attack'] },
            confidence: { type: 'number' },
            attack_probability: { type: 'number', description: `attack when ≥ ${opts.threshold}` },
            model_probabilities: { type: 'object', properties: { random_forest: { type: 'number' }, xgboost: { type: 'number' } } },
            attack_family: { type: ['string', 'null'] }, family_probability: { type: ['number', 'null'] },
            non_finite_values: { type: 'integer' }, inference_time_ms: { type: 'number' }, timestamp: { type: 'number' },
          },
        },
      },
    },
    paths: {
      '/': { get: { summary: 'API information', responses: { 200: { description: 'ok' } } } },
      '/health': { get: { summary: 'Models loaded, feature count, decision threshold, version', responses: { 200: { description: 'ok' } } } },
      '/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'ok' } } } },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'text exposition format' } } } },
      '/model/info': { get: { summary: 'Model card', security: secured, responses: { 200: { description: 'model card' }, ...errors(401, 429) } } },
      '/predict': {
        post: {
          summary: 'Score one flow', security: secured,
          requestBody: { required: true, ...json({ type: 'object', required: ['features'], properties: { features: { $ref: '#/components/schemas/Flow' } } }) },
          responses: { 200: { description: 'prediction', ...json({ $ref: '#/components/schemas/Prediction' }) }, ...errors(400, 401, 413, 415, 429) },
        },
      },
      '/predict/batch': {
        post: {
          summary: `Score up to ${opts.maxBatch} flows`, security: secured,
          requestBody: {
            required: true,
            ...json({ type: 'object', required: ['flows'], properties: { flows: { type: 'array', minItems: 1, maxItems: opts.maxBatch, items: { $ref: '#/components/schemas/Flow' } } } }),
          },
          responses: {
            200: {
              description: 'predictions in request order',
              ...json({
                type: 'object',
                properties: {
                  predictions: { type: 'array', items: { type: 'integer' } }, probabilities: { type: 'array', items: { type: 'number' } },
                  families: { type: 'array', items: { type: ['string', 'null'] } }, count: { type: 'integer' },
                  attack_count: { type: 'integer' }, benign_count: { type: 'integer' }, inference_time_ms: { type: 'number' },
                  avg_time_per_flow_ms: { type: 'number' },
                },
              }),
            },
            ...errors(400, 401, 413, 415, 429),
          },
        },
      },
    },
  };
}
