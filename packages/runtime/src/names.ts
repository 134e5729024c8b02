/** Component naming: full names `<package>/<Interface>` and short names `<last segment>.<Interface>`. */

/** The full name of the main component. */
export const MAIN_COMPONENT = "weaver/Main";

/** Returns the short name of a component: `reverser/Reverser` gives `reverser.Reverser`. */
export function shortName(fullName: string): string {
  const slash = fullName.lastIndexOf("/");
  if (slash < 0) return fullName;
  const pkg = fullName.slice(0, slash);
  const iface = fullName.slice(slash + 1);
  const last = pkg.slice(pkg.lastIndexOf("/") + 1);
  return `${last}.${iface}`;
}

/** Orders components as status tables show them: Main first, then by full name. */
export function compareComponents(a: string, b: string): number {
  if (a === b) return 0;
  if (a === MAIN_COMPONENT) return -1;
  if (b === MAIN_COMPONENT) return 1;
  return a < b ? -1 : 1;
}
