import type { ValueTransformer } from 'typeorm';

/**
 * Reads a `bigint` column as a JS number (PostgreSQL returns bigint as a string). Sequence
 * numbers stay far below `Number.MAX_SAFE_INTEGER`.
 *
 * @example
 * @Column({ type: 'bigint', transformer: bigintNumber }) seq!: number;
 */
export const bigintNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/**
 * Stores an object as JSON text. Unlike TypeORM's `simple-json`, text that is not valid JSON
 * (which only a hand edit of the table can produce) is read as `{ $unparsable: text }` instead of
 * throwing, so `verify()` can report the edited row rather than crash on it.
 *
 * @example
 * @Column({ type: 'text', transformer: jsonText }) details!: Record<string, unknown>;
 */
export const jsonText: ValueTransformer = {
  to: (value: unknown) => (value === undefined ? undefined : JSON.stringify(value)),
  from: (text: string | null) => {
    if (text === null) return null;
    try {
      return JSON.parse(text);
    } catch {
      return { $unparsable: text };
    }
  },
};
