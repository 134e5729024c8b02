/**
 * Regular expressions that users supply (`msg.matches(...)` in log queries, the metric name
 * filters of `weaver <deployer> metrics` and the dashboard) run on RE2, through the pure-JS port
 * re2js: matching takes time linear in the text, whatever the pattern, so that no query can stall
 * the deployer process that answers it (JavaScript's backtracking RegExp takes hours on
 * `(a+)+$` against a long line of a's).
 *
 * The syntax is RE2's (https://github.com/google/re2/wiki/Syntax): the usual Perl/JS classes,
 * repeats, alternation, anchors, (?i) flags and named groups, but no backreferences (`\1`) and no
 * lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`), which cannot run in linear time. A pattern is also
 * refused when its compiled program exceeds MAX_REGEX_PROGRAM instructions (`x{1000}` of a large
 * x), since matching time grows with the program's size as well as the text's.
 */
import { RE2JS, RE2JSException, RE2JSSyntaxException } from "re2js";

/** The largest RE2 program (in instructions) a user's pattern may compile to. */
export const MAX_REGEX_PROGRAM = 1_000;

/** A compiled pattern that tests text in linear time. */
export interface LinearRegex {
  /** Whether the pattern matches anywhere in `text`. */
  test(text: string): boolean;
}

/** Why a pattern was refused, and where in it. */
export class RegexSyntaxError extends Error {
  /** The offset in the pattern (from 0) of the part RE2 refused. */
  readonly at: number;

  constructor(message: string, at: number) {
    super(message);
    this.name = "RegexSyntaxError";
    this.at = at;
  }
}

/** Compiles a user's pattern with RE2 semantics; throws RegexSyntaxError saying what and where. */
export function compileLinearRegex(pattern: string, options: { readonly ignoreCase?: boolean } = {}): LinearRegex {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, options.ignoreCase === true ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (e) {
    throw refusal(pattern, e);
  }
  const size = re.programSize();
  if (size > MAX_REGEX_PROGRAM) {
    throw new RegexSyntaxError(
      `the pattern is too large for a query (an RE2 program of ${size} instructions, at most ${MAX_REGEX_PROGRAM}); use smaller repeat counts`,
      0,
    );
  }
  return { test: (text) => re.test(text) };
}

/** A RegexSyntaxError for what re2js threw. */
function refusal(pattern: string, e: unknown): RegexSyntaxError {
  if (!(e instanceof RE2JSException)) return new RegexSyntaxError(`not a regular expression: ${String(e)}`, 0);
  if (!(e instanceof RE2JSSyntaxException)) return new RegexSyntaxError(`not a regular expression: ${e.message}`, 0);
  const fragment = e.input ?? "";
  const found = fragment === "" ? -1 : pattern.indexOf(fragment);
  const at = Math.max(found, 0);
  const rest = pattern.slice(at);
  // What RE2 lacks, for the constructs users most often bring from JavaScript or Perl.
  const look = /^\(\?<?[=!]/.exec(rest);
  if (look !== null)
    return new RegexSyntaxError(`\`${look[0]}\` is lookaround, which RE2 does not support (it cannot run in linear time)`, at);
  const backref = /^\\([1-9]|k<)/.exec(rest);
  if (backref !== null)
    return new RegexSyntaxError(`\`${backref[0]}\` is a backreference, which RE2 does not support (it cannot run in linear time)`, at);
  const repeat = /^\{\d/.test(rest) ? " (RE2 repeats at most 1000 times)" : "";
  return new RegexSyntaxError(`${e.error} \`${fragment}\`${repeat}`, at);
}
