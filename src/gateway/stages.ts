import type { RequestContext } from './context.js';

/**
 * A stage returns true when it has answered the request (the pipeline stops there) and false
 * to pass it on. Stages are compiled once at start; an absent stage costs nothing.
 */
export type Stage = (ctx: RequestContext) => boolean;

export function runStages(stages: readonly Stage[], ctx: RequestContext): boolean {
  for (let i = 0; i < stages.length; i++) if ((stages[i] as Stage)(ctx)) return true;
  return false;
}
