/**
 * Merges entries from several sources into one stream in time order: a k-way merge over a binary
 * heap keyed by each source's next entry, so that memory stays at one chunk per source however
 * long the logs are. Each source is taken in its own order (a log file is in the order the
 * deployer wrote it, which is time order up to the batching of replicas); ties go to the source
 * listed first, so the output is deterministic.
 */
import type { LogEntry } from "./log-entry.js";

/** Gives a source's next chunk of entries; an empty chunk means the source is exhausted. */
export type EntrySource = () => readonly LogEntry[];

interface Cursor {
  readonly source: EntrySource;
  /** The position of the source in the list given to mergeByTime, to break ties. */
  readonly rank: number;
  chunk: readonly LogEntry[];
  /** The index in `chunk` of the source's next entry; always < chunk.length while in the heap. */
  next: number;
}

/** Yields the entries of every source, merged by time, in batches of up to `batchSize`. */
export function* mergeByTime(sources: readonly EntrySource[], batchSize = 1000): Generator<LogEntry[]> {
  const heap: Cursor[] = [];
  sources.forEach((source, rank) => {
    const chunk = source();
    if (chunk.length > 0) push(heap, { source, rank, chunk, next: 0 });
  });
  let batch: LogEntry[] = [];
  while (heap.length > 0) {
    const top = heap[0] as Cursor;
    batch.push(top.chunk[top.next] as LogEntry);
    top.next++;
    if (top.next === top.chunk.length) {
      top.chunk = top.source();
      top.next = 0;
    }
    if (top.chunk.length === 0) pop(heap);
    else siftDown(heap, 0);
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function before(a: Cursor, b: Cursor): boolean {
  const ta = (a.chunk[a.next] as LogEntry).time;
  const tb = (b.chunk[b.next] as LogEntry).time;
  return ta < tb || (ta === tb && a.rank < b.rank);
}

function push(heap: Cursor[], c: Cursor): void {
  heap.push(c);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i] as Cursor, heap[parent] as Cursor)) break;
    [heap[i], heap[parent]] = [heap[parent] as Cursor, heap[i] as Cursor];
    i = parent;
  }
}

function pop(heap: Cursor[]): void {
  const last = heap.pop() as Cursor;
  if (heap.length === 0) return;
  heap[0] = last;
  siftDown(heap, 0);
}

function siftDown(heap: Cursor[], i: number): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let min = i;
    if (l < heap.length && before(heap[l] as Cursor, heap[min] as Cursor)) min = l;
    if (r < heap.length && before(heap[r] as Cursor, heap[min] as Cursor)) min = r;
    if (min === i) return;
    [heap[i], heap[min]] = [heap[min] as Cursor, heap[i] as Cursor];
    i = min;
  }
}
