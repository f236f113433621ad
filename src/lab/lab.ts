import { createDemoApp } from '../backend/app.js';
import { createLogger } from '../core/logger.js';
import type { RunEnv } from './generators/index.js';
import { runScenario, type ScenarioRun } from './runner.js';
import { scaleScenario, type Scenario } from './scenario.js';
import { targetUnavailable } from './targets.js';

export interface LabPlan {
  scenarios: readonly Scenario[];
  targets: readonly string[];
  /** Seconds per scenario, replacing each scenario's own duration (proportions kept). */
  durationSec?: number;
  env?: RunEnv;
  progress?: (line: string) => void;
  signal?: AbortSignal;
}

/** The demo application, fresh for each run, as the sink's site (browsers see a real site). */
export function demoSinkHandler() {
  return createDemoApp({ logger: createLogger({ level: 'silent' }) }).handler;
}

/** Runs every scenario against every target, one after another (never two at once). */
export async function runLab(plan: LabPlan): Promise<{ runs: ScenarioRun[]; skipped: string[] }> {
  const runs: ScenarioRun[] = [];
  const skipped: string[] = [];
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
