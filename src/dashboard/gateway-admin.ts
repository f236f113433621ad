import { request } from 'undici';
import type { GatewayResult } from './store/blocked.js';

export interface GatewayTarget { gateway_id: string; admin_url: string }

const TIMEOUT_MS = 5000;

/** Calls one admin endpoint on every gateway at once; never throws, reports each result. */
export async function callGateways(targets: GatewayTarget[], token: string, path: string, body: unknown): Promise<GatewayResult[]> {
  return Promise.all(targets.map(async (t): Promise<GatewayResult> => {
    try {
      const res = await request(new URL(path, t.admin_url.endsWith('/') ? t.admin_url : `${t.admin_url}/`), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
        headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS,
      });
      const text = await res.body.text();
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      return ok ? { gateway_id: t.gateway_id, ok, status: res.statusCode }
        : { gateway_id: t.gateway_id, ok, status: res.statusCode, error: text.slice(0, 200) };
    } catch (err) {
      return { gateway_id: t.gateway_id, ok: false, error: (err as Error).message };
    }
  }));
}
