/**
 * `weaver <deployer> logs [query]`: prints the stored log entries of every deployment of a
 * deployer, running or not, merged in time order, in the pretty form or as JSON; with --follow, keeps printing new
 * entries until Ctrl-C (which ends it with status 0: that is how following is meant to end).
 *
 * A query that does not compile is a usage mistake (status 2, like an unknown --format): nothing
 * has been read yet, and the message shows the position of the mistake and points to the help,
 * which lists the fields.
 */
import { once } from "node:events";
import { Option, type Command } from "commander";
import { PrettyPrinter, type LogEntry } from "../logs/log-entry.js";
import { WeaverError } from "../errors.js";
import { colorEnabled } from "../output/terminal.js";
import { logsDir } from "../deployments/deployment-files.js";
import type { LogFilter } from "../logs/log-query.js";
import { listLogFiles, readLogs } from "../logs/log-reader.js";
import { logEntryJson } from "../logs/log-json.js";
import { logFilter } from "../logs/log-filter.js";
import { newCommand } from "./command.js";
import type { ToolSpec } from "./spec.js";
import { UsageError, printError } from "./errors.js";

/** The options of `weaver <deployer> logs`, as commander parses them. */
interface LogsOptions {
  readonly follow?: boolean;
  readonly format: "pretty" | "json";
  readonly system?: boolean;
}

/** The query language, for the help: what a query is made of. */
const QUERY_HELP = `Query:
  A query is a boolean expression over the fields below (Service Weaver's subset
  of CEL). Without a query every entry is shown. Entries the deployer writes
  about itself (replica restarts, health checks) are hidden unless --system is
  given or the query names "weaver/system".

  Fields:
    app             the app's name
    version         the deployment id, first 8 characters (as the logs show it)
    full_version    the whole deployment id
    component       the component's short name (hello.Reverser), stdout, stderr
    full_component  the same (entries carry the short name)
    node            the replica id, first 8 characters
    full_node       the whole replica id
    level           debug, info, warn, error, fatal, stdout or stderr
    source          file:line of the logging call, or ""
    msg             the message
    time            when it was logged; compare with timestamp("<RFC 3339>")
    attrs["k"]      the attribute k (false when the entry has no attribute k)

  Operators: ! && || and parentheses; field == != < <= > >= a quoted string or
  a number; field.contains("text"); field.matches("regular expression");
  "k" in attrs. Regular expressions use RE2 syntax (no backreferences or
  lookaround) and run in linear time.`;

/** Creates the `weaver <deployer> logs` command. */
export function logsCommand(spec: ToolSpec): Command {
  const { deployer, kind } = spec;
  return newCommand({
    path: [deployer, "logs"],
    summary: "Cat or follow the logs of Weaver deployments",
    usage: "[options] [query]",
    description:
      `Prints the log entries of every ${kind} deployment of this user, running or stopped ` +
      `(until \`weaver ${deployer} purge\` deletes them), merged in time order. The query picks entries. ` +
      "--format json prints one JSON object per line, with the fields app, version, full_version, " +
      "component, full_component, node, full_node, time (RFC 3339, UTC, microseconds), level, " +
      "file, line, msg and attrs.",
    notes: QUERY_HELP,
    examples: [
      { comment: "Print every entry of every deployment.", command: `weaver ${deployer} logs` },
      {
        comment: "Follow the logs of one deployment (the first 8 characters of its id), like tail -f.",
        command: `weaver ${deployer} logs --follow 'version == "bd689290"'`,
      },
      {
        comment: "Print the errors of one deployment.",
        command: `weaver ${deployer} logs 'version == "bd689290" && level == "error"'`,
      },
      { comment: "Print the entries whose message contains a text.", command: `weaver ${deployer} logs 'msg.contains("listener")'` },
      {
        comment: "Print the entries whose message matches a regular expression.",
        command: `weaver ${deployer} logs 'msg.matches("error: file .* already closed")'`,
      },
      { comment: "Print the entries with the attribute user set to ada.", command: `weaver ${deployer} logs 'attrs["user"] == "ada"'` },
      {
        comment: "Print the entries logged since a moment.",
        command: `weaver ${deployer} logs 'time >= timestamp("2026-01-02T15:04:05Z")'`,
      },
      {
        comment: "Print the messages of one component, through jq.",
        command: `weaver ${deployer} logs --format json 'component == "hello.Reverser"' | jq -r .msg`,
      },
    ],
  })
    .argument("[query]", "which entries to print (see Query below); every entry when omitted")
    .option("--follow", "keep printing new entries as they are written, until Ctrl-C (like tail -f)")
    .addOption(new Option("--format <format>", "how to print entries").choices(["pretty", "json"]).default("pretty"))
    .option("--system", "also print the entries the deployer writes about itself")
    .action(async (query: string | undefined, options: LogsOptions) => {
      await printLogs(spec, compile(spec, query ?? "", options.system === true), options);
    });
}

/** Compiles the query, turning a mistake in it into a usage error. */
function compile({ deployer }: ToolSpec, query: string, system: boolean): LogFilter {
  try {
    return logFilter(query, { system });
  } catch (e) {
    if (e instanceof WeaverError && e.code === "WEAVER_ERR_LOG_QUERY") {
      throw new UsageError(`${e.message}\nSee "weaver ${deployer} logs --help" for the fields and examples.`);
    }
    throw e;
  }
}

/** Prints the matching entries; returns when they are printed, or when following is stopped. */
async function printLogs({ deployer }: ToolSpec, filter: LogFilter, options: LogsOptions): Promise<void> {
  const follow = options.follow === true;
  const dir = logsDir(deployer);
  if (!follow && listLogFiles(dir).length === 0) {
    process.stderr.write(`No logs yet: ${dir} has no log files. Deploy an app with \`weaver ${deployer} deploy weaver.toml\`.\n`);
    return;
  }
  const printer = new PrettyPrinter(colorEnabled(process.stdout));
  const format = options.format === "json" ? (e: LogEntry) => JSON.stringify(logEntryJson(e)) : (e: LogEntry) => printer.format(e);
  // Ctrl-C, SIGTERM, or a reader that went away (`| head`): stop reading, end normally.
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  // Left in place afterwards: an EPIPE reported after the last write must not crash weaver.
  process.stdout.on("error", stop);
  try {
    const batches = readLogs({ dir, filter, follow, signal: controller.signal, onWarning: (m) => printError(`warning: ${m}`) });
    for await (const batch of batches) {
      if (controller.signal.aborted) break;
      await write(batch.map(format).join("\n") + "\n", controller.signal);
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

/** Writes to stdout and waits until it has taken the text, so that memory stays bounded. */
async function write(text: string, signal: AbortSignal): Promise<void> {
  if (process.stdout.write(text) || signal.aborted) return;
  try {
    await once(process.stdout, "drain", { signal });
  } catch {
    // Aborted, or stdout failed: the caller stops at its next step.
  }
}
