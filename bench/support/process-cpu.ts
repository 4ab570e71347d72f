import { readFile } from 'node:fs/promises';

/** Linux reports process times in clock ticks of 1/100 s (USER_HZ) on every common platform. */
const ticksPerSecond = 100;

/**
 * User plus system CPU time process `pid` used so far, in microseconds, from `/proc/<pid>/stat`
 * (Linux): how the bench measures processes it cannot ask, such as HAProxy.
 */
export async function processCpuMicros(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime] = [Number(fields[11]), Number(fields[12])];
  return ((utime + stime) * 1_000_000) / ticksPerSecond;
}
