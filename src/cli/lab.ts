import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { runLab } from '../lab/lab.js';
import { formatTable } from '../lab/report/format.js';
import { renderHtml } from '../lab/report/html.js';
import { benchmarkSection, machineDescription, updateBenchmarksMd, writeReports, type ReportMeta } from '../lab/report/write.js';
import { FIRST_ENTRY_GROUP, isAddressBase, WARMUP_GROUP, type ScenarioRun } from '../lab/runner.js';
import { loadScenarios, type Scenario } from '../lab/scenario.js';
import { TARGET_KINDS } from '../lab/targets.js';

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function addressGroup(value: string): number {
  const n = Number(value);
  if (!isAddressBase(n)) {
    throw new InvalidArgumentError(`must be a whole number from ${FIRST_ENTRY_GROUP} to ${WARMUP_GROUP - 1}`);
  }
  return n;
}

function targetList(value: string, prev: string[] = []): string[] {
  return [...prev, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

/** Progress on stderr: one rewritten line on a terminal, plain lines (every 5th) otherwise. */
function progressPrinter(): (line: string) => void {
  let n = 0;
  return (line) => {
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}`);
    else if (line.startsWith('starting') || n++ % 5 === 0) process.stderr.write(`${line}\n`);
    if (process.stderr.isTTY && line.startsWith('starting')) process.stderr.write('\n');
  };
}

function abortOnSignal(): AbortController {
  const ac = new AbortController();
  const stop = () => {
    if (ac.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping (Ctrl-C again to quit at once)\n');
    ac.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return ac;
}

/** The git commit of the code being run, `-dirty` when the lab or the product has local changes. */
function revision(): string | undefined {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  if (head.status !== 0) return undefined;
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src', 'lab'], { encoding: 'utf8' }).stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? '-dirty' : ''}`;
}

interface CommonOpts { duration?: number; out: string; accessLog?: string; replayCompression?: number; scenarioDir?: string; addressBase?: number }

async function runAndReport(scenarios: Scenario[], targets: string[], o: CommonOpts, command: string) {
  const ac = abortOnSignal();
  const { runs, skipped } = await runLab({
    scenarios, targets,
    ...(o.duration ? { durationSec: o.duration } : {}),
    env: { ...(o.accessLog ? { accessLog: o.accessLog } : {}), ...(o.replayCompression ? { replayCompression: o.replayCompression } : {}) },
    progress: progressPrinter(),
    signal: ac.signal,
    ...(o.addressBase !== undefined ? { addressBase: o.addressBase } : {}),
  });
  process.stderr.write('\n');
  const rev = revision();
  const meta = { command, generatedAt: new Date().toISOString(), machine: machineDescription(), ...(rev ? { revision: rev } : {}) };
  const files = await writeReports(o.out, runs, meta);
  console.log(formatTable(runs));
  for (const s of skipped) console.log(`skipped: ${s}`);
  console.log(`\nJSON: ${files.json}\nHTML: ${files.html}`);
  return { runs, meta, skipped };
}

function common(cmd: Command): Command {
  return cmd
    .addOption(new Option('-d, --duration <s>', 'seconds per scenario (scales the scenario, keeping its proportions)').argParser(positive))
    .option('-o, --out <dir>', 'where results.json and report.html go', 'lab-results')
    .option('--access-log <path>', 'access log for replay clients (NASA TSV, combined, WorldCup98 CSV or .tar.bz2); replay is skipped without it')
    .addOption(new Option('--replay-compression <n>', 'log seconds per replayed second').argParser(positive).default(60))
    .option('--scenario-dir <dir>', 'folder of scenario YAML files (default: the shipped lab/scenarios)')
    .addOption(new Option('--address-base <g>', `address group of the first client entry: entry i binds 127.(g+i).x.y (${FIRST_ENTRY_GROUP}–${WARMUP_GROUP - 1}, default ${FIRST_ENTRY_GROUP}); for a URL target that saw an earlier run's clients`).argParser(addressGroup));
}

/** `ddos-shield lab`: benign and attack traffic against the gateway and its peers, measured from both sides. */
export function labCommand(): Command {
  const lab = new Command('lab').description('Traffic lab: benign and attack scenarios against the gateway, nginx, HAProxy or no protection');

  lab.command('list').description('List the scenarios')
    .option('--scenario-dir <dir>', 'folder of scenario YAML files')
    .action(async (o: { scenarioDir?: string }) => {
      for (const s of await loadScenarios(o.scenarioDir)) {
        const clients = s.clients.map((c) => `${c.label}:${c.generator}`).join(', ');
        console.log(`${s.name.padEnd(18)} ${s.standard ? 'standard' : '        '} ${String(s.duration).padStart(3)}s  ${s.description}\n${' '.repeat(33)}${clients}`);
      }
    });

  common(lab.command('run').description('Run scenarios against one or more targets')
    .argument('<scenario...>', 'scenario names (see `lab list`)')
    .option('-t, --target <t>', `${TARGET_KINDS.join('|')}|http://127.x.y.z:port (repeat or comma-separate)`, targetList))
    .action(async (names: string[], o: CommonOpts & { target?: string[] }) => {
      const all = await loadScenarios(o.scenarioDir);
      const unknown = names.filter((n) => !all.some((s) => s.name === n));
      if (unknown.length) {
        console.error(`unknown scenario: ${unknown.join(', ')} (known: ${all.map((s) => s.name).join(', ')})`);
        process.exitCode = 2;
        return;
      }
      const targets = o.target?.length ? o.target : ['gateway'];
      await runAndReport(names.map((n) => all.find((s) => s.name === n) as Scenario), targets, o, `ddos-shield ${process.argv.slice(2).join(' ')}`);
    });

  common(lab.command('bench').description('Run the standard scenarios against all four targets and write docs/BENCHMARKS.md\'s detection section')
    .option('-t, --target <t>', 'targets (default: gateway,nginx,haproxy,none)', targetList)
    .option('--docs <file>', 'the benchmarks document to update', 'docs/BENCHMARKS.md')
    .option('--no-docs', 'do not touch the benchmarks document'))
    .action(async (o: CommonOpts & { target?: string[]; docs: string | false }) => {
      const standard = (await loadScenarios(o.scenarioDir)).filter((s) => s.standard);
      const targets = o.target?.length ? o.target : [...TARGET_KINDS];
      const extra = process.argv.slice(process.argv.indexOf('bench') + 1).join(' ');
      const { runs, meta } = await runAndReport(standard, targets, o, `npm run bench:detect${extra ? ` -- ${extra}` : ''}`);
      if (o.docs && runs.length) {
        await updateBenchmarksMd(o.docs, benchmarkSection(runs, meta));
        console.log(`updated ${o.docs}`);
      }
    });
  lab.command('report').description('Render the table, HTML report and (optionally) the benchmarks section again from a results.json')
    .argument('<results>', 'a results.json written by `lab run` or `lab bench`')
    .option('-o, --out <dir>', 'where report.html goes (default: beside the JSON)')
    .option('--docs <file>', 'also write the detection section of this benchmarks document')
    .action(async (file: string, o: { out?: string; docs?: string }) => {
      const data = JSON.parse(await readFile(file, 'utf8')) as ReportMeta & { runs: ScenarioRun[] };
      if (!Array.isArray(data.runs)) throw new Error(`${file} holds no runs`);
      const { runs, ...meta } = data;
      const out = o.out ?? dirname(file);
      await mkdir(out, { recursive: true });
      await writeFile(join(out, 'report.html'), renderHtml(runs, meta));
      console.log(formatTable(runs));
      console.log(`\nHTML: ${join(out, 'report.html')}`);
      if (o.docs) {
        await updateBenchmarksMd(o.docs, benchmarkSection(runs, meta));
        console.log(`updated ${o.docs}`);
      }
    });
  return lab;
}
