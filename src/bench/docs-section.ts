/**
 * Replaces the text between two marker lines (markers kept); appends the marked section (under
 * `heading` when given) if the markers are not there yet.
 */
export function replaceMarkedSection(doc: string, start: string, end: string, content: string, heading?: string): string {
  const body = `${start}\n${content.trim()}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i >= 0 && j > i) return doc.slice(0, i) + body + doc.slice(j + end.length);
  if (i >= 0 || j >= 0) throw new Error(`only one of ${start} / ${end} found; fix the document by hand`);
  const sep = doc.endsWith('\n\n') || doc === '' ? '' : doc.endsWith('\n') ? '\n' : '\n\n';
  return `${doc}${sep}${heading ? `${heading}\n\n` : ''}${body}\n`;
}
