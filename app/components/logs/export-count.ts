// Counting the rows of a CSV or NDJSON export as its bytes arrive (the Logs page's export
// progress). Pure, chunk by chunk: a CSV message may hold line breaks inside quotes, so the quote
// state carries over from one chunk to the next. The CSV header line is not a row.

export interface RowCounter {
  format: "csv" | "ndjson";
  rows: number;
  /** Inside a quoted CSV field. */
  quoted: boolean;
  /** The CSV header line has not ended yet. */
  header: boolean;
}

export function rowCounter(format: "csv" | "ndjson"): RowCounter {
  return { format, rows: 0, quoted: false, header: format === "csv" };
}

/** Counts the rows completed by `text` (the next decoded chunk); mutates and returns `counter`. */
export function countRows(counter: RowCounter, text: string): RowCounter {
  if (counter.format === "ndjson") {
    // JSON strings escape their line breaks: every "\n" ends a row.
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) counter.rows++;
    return counter;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) counter.quoted = !counter.quoted; // "" inside a field toggles twice
    else if (c === 10 /* \n */ && !counter.quoted) {
      if (counter.header) counter.header = false;
      else counter.rows++;
    }
  }
  return counter;
}

/** "1.2 MB" style, for the progress line. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}
