/**
 * What the process waits on outside interleave (timers, sockets, files, child processes), as
 * `process.getActiveResourcesInfo()` lists it. Counted at an execution's start; at a stall of real
 * code, a resource the process has now and did not have then is something the scenario's code
 * started and awaits, which no step will ever settle: nondeterminism, not a stuck program.
 */
export class OutsideWorld {
  private readonly baseline = counts();

  /** The resources started since the baseline and still pending, described, or null when none. */
  pending(): string | null {
    const now = counts();
    const added: string[] = [];
    for (const [type, n] of now) {
      const more = n - (this.baseline.get(type) ?? 0);
      if (more > 0) added.push(`${more} ${describe(type)}`);
    }
    return added.length === 0 ? null : `the process waits on ${added.join(', ')} it did not have when the execution started`;
  }
}

function counts(): Map<string, number> {
  const m = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) m.set(type, (m.get(type) ?? 0) + 1);
  return m;
}

/** A resource type as a reader knows it. */
function describe(type: string): string {
  switch (type) {
    case 'Timeout':
      return 'real timer (Timeout: setTimeout/setInterval outside virtual timers)';
    case 'Immediate':
      return 'real setImmediate';
    case 'TCPSocketWrap':
    case 'TCPWRAP':
    case 'TCPServerWrap':
      return `real socket (${type})`;
    case 'FSReqCallback':
    case 'FSReqPromise':
    case 'FileHandle':
      return `real file operation (${type})`;
    default:
      return `${type}`;
  }
}
