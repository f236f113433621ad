import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { GENERATORS } from './generators/index.js';

const ClientSchema = z.object({
  generator: z.string().refine((g) => g in GENERATORS, { message: `unknown generator; known: ${Object.keys(GENERATORS).join(', ')}` }),
  label: z.enum(['benign', 'attack']),
  /** Requests per second (see each generator for per-client or total). */
  rate: z.number().positive().max(100_000),
  /** Seconds after the scenario start (default 0). */
  start: z.number().min(0).default(0),
  /** Seconds of activity (default: until the scenario ends). */
  duration: z.number().positive().optional(),
  params: z.record(z.string(), z.union([z.number(), z.string()])).default({}),
}).strict();

const ActionSchema = z.object({
  /** Seconds after the scenario start. */
  at: z.number().min(0),
  /** Block an address by hand through the gateway's admin API (gateway target only). */
  block: z.string(),
  minutes: z.number().int().min(1).default(10), // whole minutes, as the admin API takes them
}).strict();

export const ScenarioSchema = z.object({
  name: z.string().regex(/^[a-z0-9-]+$/),
  description: z.string(),
  /** Part of `lab bench`'s standard set. */
  standard: z.boolean().default(false),
  /** Seconds. */
  duration: z.number().positive().max(3600),
  /** Seconds after the start when the attack begins (for during-attack figures). */
  attackStart: z.number().min(0),
  clients: z.array(ClientSchema).min(1),
  actions: z.array(ActionSchema).default([]),
}).strict();

export type Scenario = z.infer<typeof ScenarioSchema>;
export type ScenarioClient = z.infer<typeof ClientSchema>;

/** The scenario folder shipped with the package (`lab/scenarios/`). */
export function defaultScenarioDir(): string {
  // src/lab/scenario.ts and dist/lab/scenario.js sit at the same depth below the package root.
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'lab', 'scenarios');
}

/** Validates a scenario; every problem is listed in the error. */
export function parseScenario(text: string, source: string): Scenario {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new Error(`invalid scenario ${source}: not YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const r = ScenarioSchema.safeParse(data);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new Error(`invalid scenario ${source}:\n${problems}`);
  }
  for (const c of r.data.clients) {
    const known = GENERATORS[c.generator]?.params ?? [];
    const unknown = Object.keys(c.params).filter((k) => !known.includes(k));
    if (unknown.length) throw new Error(`invalid scenario ${source}: ${c.generator} does not take ${unknown.join(', ')} (takes: ${known.join(', ') || 'nothing'})`);
  }
  return r.data;
}

export async function loadScenarios(dir = defaultScenarioDir()): Promise<Scenario[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
  const out: Scenario[] = [];
  for (const f of files) {
    const s = parseScenario(await readFile(join(dir, f), 'utf8'), f);
    if (`${s.name}.yaml` !== f && `${s.name}.yml` !== f) throw new Error(`scenario ${f} is named ${s.name}: file and name must match`);
    out.push(s);
  }
  return out;
}

/** Stretches or shrinks a scenario to a new duration, keeping every proportion. */
export function scaleScenario(s: Scenario, durationSec: number): Scenario {
  const k = durationSec / s.duration;
  return {
    ...s,
    duration: durationSec,
    attackStart: s.attackStart * k,
    clients: s.clients.map((c) => ({ ...c, start: c.start * k, ...(c.duration !== undefined ? { duration: c.duration * k } : {}) })),
    actions: s.actions.map((a) => ({ ...a, at: a.at * k })),
  };
}
