/** Records lifecycle events, so tests can check the order of init() and shutdown(). */
export const lifecycle: string[] = [];
