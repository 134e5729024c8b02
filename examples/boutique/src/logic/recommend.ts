/** The recommendation service: products not in the list, a random sample of up to 5. */

/** Up to `max` ids of `all` that are not in `exclude`, in random order. */
export function recommend(all: readonly string[], exclude: readonly string[], max = 5, random: () => number = Math.random): string[] {
  const skip = new Set(exclude);
  const pool = all.filter((id) => !skip.has(id));
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j] as string, pool[i] as string];
  }
  return pool.slice(0, max);
}
