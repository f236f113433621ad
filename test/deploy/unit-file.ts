// Reads systemd unit files and environment files (EnvironmentFile=) as systemd does, for the
// tests of deploy/systemd: enough of the syntax for those files, with an error for anything else.

/** Section name → key → every value given for it, in order. */
export type Unit = Record<string, Record<string, string[]>>;

export function parseUnit(text: string): Unit {
  const unit: Unit = {};
  let section: Record<string, string[]> | null = null;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.endsWith('\\')) throw new Error(`line ${i + 1}: continued lines are not supported here`);
    const head = /^\[([A-Za-z]+)\]$/.exec(line);
    if (head) {
      section = unit[head[1]!] ??= {};
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!kv || !section) throw new Error(`line ${i + 1}: "${line}" is not Key=value inside a section`);
    (section[kv[1]!] ??= []).push(kv[2]!.trim());
  }
  return unit;
}

/** KEY=value lines; # and ; start comments; a value may be in single or double quotes. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const kv = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!kv) throw new Error(`line ${i + 1}: "${line}" is not NAME=value`);
    const v = kv[2]!;
    out[kv[1]!] = /^(["']).*\1$/.test(v) ? v.slice(1, -1) : v;
  }
  return out;
}

/** A unit's ExecStart split into node, node's own flags, the script and the script's arguments. */
export function commandOf(u: Unit): { node: string; nodeArgs: string[]; script: string; args: string[] } {
  const exec = u.Service?.ExecStart?.[0];
  if (!exec) throw new Error('the unit has no ExecStart');
  if (/["'$%\\]/.test(exec)) throw new Error(`ExecStart "${exec}": quoting, variables and specifiers are not supported here`);
  const [node, ...rest] = exec.split(/\s+/);
  const at = rest.findIndex((a) => !a.startsWith('-'));
  if (!node || at < 0) throw new Error(`ExecStart "${exec}" names no script`);
  return { node, nodeArgs: rest.slice(0, at), script: rest[at]!, args: rest.slice(at + 1) };
}
