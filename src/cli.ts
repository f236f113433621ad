#!/usr/bin/env node
import { Command } from 'commander';
import { backendCommand } from './cli/backend.js';
import { gatewayCommand } from './cli/gateway.js';
import { labCommand } from './cli/lab.js';
import { idsCommand } from './cli/ids.js';
import { demoCommand } from './cli/demo.js';
import { dashboardCommand } from './cli/dashboard.js';
import { replayCommand } from './cli/replay.js';

// One subcommand per file under src/cli/, each exporting `<name>Command(): Command`.

const program = new Command('ddos-shield')
  .description('Self-hosted, ML-based layer-7 DDoS protection gateway')
  .version('0.1.0');

program.addCommand(backendCommand());
program.addCommand(gatewayCommand());
program.addCommand(labCommand());
program.addCommand(idsCommand());
program.addCommand(demoCommand());
program.addCommand(dashboardCommand());
program.addCommand(replayCommand());

await program.parseAsync(process.argv);
