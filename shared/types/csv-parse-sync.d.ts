// csv-parse declares its entry points only under package.json "exports", which this project's
// moduleResolution ("node") does not read; Node itself resolves them at run time. This is the part
// of csv-parse/sync the code and tests use, as csv-parse 7 declares it (dist/cjs/sync.d.cts).
declare module 'csv-parse/sync' {
  export interface Options {
    bom?: boolean;
    /** true: the first record names the columns, and records come back as objects. */
    columns?: boolean | string[];
    delimiter?: string | string[];
    relax_column_count?: boolean;
    skip_empty_lines?: boolean;
    trim?: boolean;
    /** Stop after this many records. */
    to?: number;
  }
  export class CsvError extends Error {
    readonly code: string;
    readonly lines?: number;
  }
  export function parse(input: string | Buffer, options: Options & { columns: true | string[] }): Record<string, string>[];
  export function parse(input: string | Buffer, options?: Options): string[][];
}
