// An org's appends take turns on its head row in PostgreSQL whatever we do. When a
// process sends many at once, the extra ones only queue on that row lock, and a queue
// of backends on one row costs the database far more CPU (tuple-lock and lock-manager
// traffic, a wake-up of every waiter at each commit) than the appends themselves. So
// each process sends an org's one-statement appends one at a time; other orgs, and
// other instances, still run in parallel.
const tails = new Map<string, Promise<void>>();

export function serialiseOrgAppends<T>(orgId: string, append: () => Promise<T>): Promise<T> {
  const previous = tails.get(orgId) ?? Promise.resolve();
  const result = previous.then(append);
  const tail = result.then(
    () => {},
    () => {},
  );
  tails.set(orgId, tail);
  void tail.then(() => {
    if (tails.get(orgId) === tail) tails.delete(orgId);
  });
  return result;
}
