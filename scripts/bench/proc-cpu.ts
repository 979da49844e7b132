import { readFileSync } from "node:fs";

/**
 * CPU seconds in /proc/<pid>/stat (Linux, USER_HZ 100): a process's own (utime + stime), or
 * those of the children it has reaped (cutime + cstime). proc(5).
 */
export function cpuSeconds(pid: number | "self", reaped = false): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8")
    .replace(/^.*\) /, "")
    .split(" ");
  const [user, system] = reaped ? [13, 14] : [11, 12];
  return (Number(fields[user]) + Number(fields[system])) / 100;
}

/** The pid of the one provider process behind a TF_REATTACH_PROVIDERS value. */
export function providerPid(reattach: string): number {
  return (Object.values(JSON.parse(reattach)) as { Pid: number }[])[0].Pid;
}
