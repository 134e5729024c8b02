/**
 * What `weaver dev` watches: the app's folder, but for its build output and dependencies, and the
 * generated files it writes itself. Changes are batched: a save that touches several files, or an
 * editor that writes a file in steps, gives one rebuild.
 *
 * It watches each folder by itself rather than with `fs.watch(dir, { recursive: true })`: on
 * Linux, Node 20's recursive watch watches files, and stops seeing a file once an editor (or
 * `sed -i`) replaces it by renaming a new one over it. A folder's watch sees every such rename.
 */
import { readdirSync, statSync, watch, type Dirent, type FSWatcher } from "node:fs";
import { basename, dirname, join } from "node:path";

/** How long to wait after a change for the next one before rebuilding. */
const SETTLE_MS = 40;

/** What a change to which means a rebuild. */
const SOURCE = /\.(m|c)?tsx?$|^weaver\.toml$|\.json$/;

/** What weaver dev writes itself. */
const GENERATED = /^weaver_(gen\.ts|manifest\.json)$/;

/** Watches the app's folders; close() stops. */
export interface AppWatcher {
  close(): void;
}

/** What to watch besides the app's folder, and what not to. */
export interface WatchOptions {
  /** Folders not to watch (the build's output). */
  readonly ignore: readonly string[];
  /** Files outside the folder to watch as well (a weaver.toml above the app). */
  readonly files: readonly string[];
}

/** Calls `onChange` with the changed files (absolute paths) under `dir` and of `files`, batched. */
export function watchApp(dir: string, { ignore, files }: WatchOptions, onChange: (files: string[]) => void): AppWatcher {
  const skipped = new Set(ignore);
  const watchers = new Map<string, FSWatcher>();
  let batch = new Set<string>();
  let timer: NodeJS.Timeout | undefined;

  const changed = (file: string): void => {
    batch.add(file);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const files = [...batch];
      batch = new Set();
      onChange(files);
    }, SETTLE_MS);
  };

  const forget = (folder: string): void => {
    watchers.get(folder)?.close();
    watchers.delete(folder);
  };

  /**
   * Watches `folder` and the folders in it; a folder that cannot be read (gone meanwhile) is left
   * out. `fresh` says the folder is new (made or moved in): its sources count as changed.
   */
  const add = (folder: string, fresh: boolean): void => {
    if (watchers.has(folder) || skipped.has(folder) || (folder !== dir && unwatched(basename(folder)))) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
      const watcher = watch(folder, (_event, name) => {
        if (name === null) return;
        const path = join(folder, name.toString());
        const kind = kindOf(path);
        if (kind === "folder") return add(path, true);
        // A folder removed (or moved away) is forgotten, so that one made again by its name is watched.
        if (kind === "gone" && watchers.has(path)) return forget(path);
        if (isSource(name.toString())) changed(path);
      });
      watcher.on("error", () => forget(folder));
      watchers.set(folder, watcher);
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) add(path, fresh);
      else if (fresh && isSource(entry.name)) changed(path);
    }
  };

  add(dir, false);
  for (const file of files) {
    const folder = dirname(file);
    if (watchers.has(folder)) continue;
    const watcher = watch(folder, (_event, name) => name !== null && join(folder, name.toString()) === file && changed(file));
    watchers.set(folder, watcher);
  }
  return {
    close() {
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

/** Dependencies and hidden folders (.git) are not the app's sources. */
function unwatched(name: string): boolean {
  return name === "node_modules" || name.startsWith(".");
}

function isSource(name: string): boolean {
  return SOURCE.test(name) && !GENERATED.test(name);
}

function kindOf(path: string): "folder" | "file" | "gone" {
  try {
    return statSync(path).isDirectory() ? "folder" : "file";
  } catch {
    return "gone";
  }
}
