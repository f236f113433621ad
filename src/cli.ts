#!/usr/bin/env node
import { Command } from 'commander';

// One subcommand per file under src/cli/, each exporting `<name>Command(): Command`. Only the
// subcommand being run is imported (each pulls in its own component), so a start stays quick;
// `--help` without a subcommand loads them all to list them.
const COMMANDS: Record<string, () => Promise<Command>> = {
  gateway: async () => (await import('./cli/gateway.js')).gatewayCommand(),
  backend: async () => (await import('./cli/backend.js')).backendCommand(),
  demo: async () => (await import('./cli/demo.js')).demoCommand(),
  dashboard: async () => (await import('./cli/dashboard.js')).dashboardCommand(),
  ids: async () => (await import('./cli/ids.js')).idsCommand(),
  lab: async () => (await import('./cli/lab.js')).labCommand(),
  replay: async () => (await import('./cli/replay.js')).replayCommand(),
};

const program = new Command('ddos-shield')
  .description('Self-hosted, ML-based layer-7 DDoS protection gateway')
  .version('0.1.0');

const wanted = process.argv.slice(2).find((a) => !a.startsWith('-'));
const load = wanted !== undefined && wanted !== 'help' ? COMMANDS[wanted] : undefined;
for (const make of load ? [load] : Object.values(COMMANDS)) program.addCommand(await make());

await program.parseAsync(process.argv);
