/**
 * For node:test's `skip` option: a reason to skip when a tool is missing, or false to run.
 * With env CI set a missing tool never skips, so the test runs and fails loudly.
 */
export function skipUnlessTool(path: string | null, tool: string, install: string): string | false {
  if (path !== null) return false;
  if (process.env.CI) return false;
  return `${tool} is not installed (${install}); set CI=1 to make this a failure`;
}
