import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ListenerKind, RoutingTable } from '../../features/routing/traffic-router.js';

/** The key of one listener: `service/environment/listener`. */
export function tableKey(service: string, environment: string, listener?: ListenerKind): string {
  return `${service}/${environment}/${listener ?? 'main'}`;
}

/** One key's newest change: a table, or its removal (a tombstone, so an older table stays out). */
export interface TableEntry {
  readonly generation: number;
  readonly table: RoutingTable | null;
}

const persistedSchema = z.object({
  version: z.literal(1),
  entries: z.array(
    z.object({
      key: z.string(),
      generation: z.number().int().nonnegative(),
      table: z
        .custom<RoutingTable>((value) => value === null || typeof value === 'object')
        .nullable(),
    }),
  ),
});

/**
 * The router's tables by listener, each with the generation of the change that set it. A change
 * with a generation at or below the one a key holds is ignored, removals included, so a late or
 * replayed message from an older control plane never undoes a newer one.
 */
export class TableBook {
  private readonly entries = new Map<string, TableEntry>();

  /** The entry a change would be compared with. */
  get(key: string): TableEntry | undefined {
    return this.entries.get(key);
  }

  /** Whether a change of `key` at `generation` is newer than what the book holds. */
  accepts(key: string, generation: number): boolean {
    const current = this.entries.get(key);
    return current === undefined || generation > current.generation;
  }

  /** Records a change the caller checked with {@link accepts}. */
  set(key: string, entry: TableEntry): void {
    this.entries.set(key, entry);
  }

  /** The newest generation held, tombstones included; 0 when empty. */
  get generation(): number {
    let newest = 0;
    for (const entry of this.entries.values()) newest = Math.max(newest, entry.generation);
    return newest;
  }

  /** The tables served now. */
  tables(): RoutingTable[] {
    const tables: RoutingTable[] = [];
    for (const entry of this.entries.values()) if (entry.table !== null) tables.push(entry.table);
    return tables;
  }

  /** The text of `tables.json`. */
  serialize(): string {
    const entries = [...this.entries].map(([key, entry]) => ({ key, ...entry }));
    return `${JSON.stringify({ version: 1, entries })}\n`;
  }

  /**
   * The book `tables.json` held; empty when the file is missing. A corrupt file is an error
   * (the caller logs it and starts empty: the control plane sends every table again).
   */
  static load(path: string): TableBook {
    const book = new TableBook();
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return book;
      throw error;
    }
    const parsed = persistedSchema.parse(JSON.parse(text));
    for (const { key, generation, table } of parsed.entries) book.set(key, { generation, table });
    return book;
  }
}
