import { createDemoApp } from '../backend/app.js';
import { createLogger } from '../core/logger.js';
import type { RunEnv } from './generators/index.js';
import { FIRST_ENTRY_GROUP, WARMUP_GROUP, runScenario, type ScenarioRun } from './runner.js';
import { scaleScenario, type Scenario } from './scenario.js';
import { isTargetKind, targetUnavailable } from './targets.js';

export interface LabPlan {
  scenarios: readonly Scenario[];
  targets: readonly string[];
  /** Seconds per scenario, replacing each scenario's own duration (proportions kept). */
  durationSec?: number;
  env?: RunEnv;
  progress?: (line: string) => void;
  signal?: AbortSignal;
  /** Address group of the first client entry (RunOptions.addressBase); default FIRST_ENTRY_GROUP. */
  addressBase?: number;
}

/** The demo application, fresh for each run, as the sink's site (browsers see a real site). */
export function demoSinkHandler() {
  return createDemoApp({ logger: createLogger({ level: 'silent' }) }).handler;
}

/**
 * Runs every scenario against every target, one after another (never two at once). A target
 * the lab starts is new for each run; a URL target is not, so each run against it gets the
 * address groups after the previous run's, and its clients are ones it has not seen.
 */
export async function runLab(plan: LabPlan): Promise<{ runs: ScenarioRun[]; skipped: string[] }> {
  const runs: ScenarioRun[] = [];
  const skipped: string[] = [];
  const first = plan.addressBase ?? FIRST_ENTRY_GROUP;
  const nextBase = new Map<string, number>();
  const baseFor = (target: string, entries: number): number => {
    if (isTargetKind(target)) return first;
    let base = nextBase.get(target) ?? first;
    if (base + entries > WARMUP_GROUP) base = first; // out of fresh groups: start again
    nextBase.set(target, base + entries);
    return base;
  };
  for (const raw of plan.scenarios) {
    const s = plan.durationSec ? scaleScenario(raw, plan.durationSec) : raw;
    for (const target of plan.targets) {
      if (plan.signal?.aborted) return { runs, skipped };
      const why = targetUnavailable(target);
      if (why) {
        skipped.push(`${s.name} @ ${target}: ${why}`);
        continue;
      }
      plan.progress?.(`starting ${s.name} against ${target} (${s.duration}s)`);
      try {
        runs.push(await runScenario(s, target, {
          app: 'demo',
          addressBase: baseFor(target, s.clients.length),
          ...(plan.env ? { env: plan.env } : {}),
          ...(plan.progress ? { progress: plan.progress } : {}),
          ...(plan.signal ? { signal: plan.signal } : {}),
        }));
      } catch (err) {
        skipped.push(`${s.name} @ ${target}: ${(err as Error).message}`);
      }
    }
  }
  return { runs, skipped };
}
