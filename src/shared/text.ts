/** The text on one line, white space folded, cut with an ellipsis past `limit` characters. */
export function oneLine(text: string, limit = Infinity): string {
  return clip(text.replace(/\s+/g, ' ').trim(), limit)
}

/** A duration as people read it: 4.2s, 3m 5s. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`
  const minutes = Math.floor(ms / 60_000)
  return `${minutes}m ${Math.round((ms % 60_000) / 1000)}s`
}

/** The text cut with an ellipsis past `limit` characters. */
export function clip(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text
}

/** Lines as people cite them: `12`, or `10-12` for a range. */
export function lineRange(line: number, start?: number | null): string {
  return start ? `${start}-${line}` : String(line)
}
