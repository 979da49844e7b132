import { parseCron, previousFireTimes, type CronSchedule } from "../../constructs/elasticsearch/cron";

// Semantics from elastic/elasticsearch x-pack/plugin/core/src/main/java/org/elasticsearch/xpack/core/scheduler/Cron.java
// (Quartz's CronExpression fork, UTC): L, L-n, nW, LW, nL, n#k, wrapping ranges, a/step to the field's end.
const schedule = (e: string): CronSchedule => {
  const s = parseCron(e);
  if (typeof s === "string") throw new Error(s);
  return s;
};
const before = (e: string, at: string, n = 3) =>
  previousFireTimes(schedule(e), new Date(at), n).map((d) => d.toISOString());

describe("previous fire times (UTC)", () => {
  const now = "2026-12-01T11:00:00.000Z"; // a Tuesday
  test.each([
    ["0 30 1 * * ?", ["2026-12-01T01:30:00.000Z", "2026-11-30T01:30:00.000Z", "2026-11-29T01:30:00.000Z"]],
    ["0 0 3 ? * SUN", ["2026-11-29T03:00:00.000Z", "2026-11-22T03:00:00.000Z", "2026-11-15T03:00:00.000Z"]],
    ["0 0/15 * * * ?", ["2026-12-01T10:45:00.000Z", "2026-12-01T10:30:00.000Z", "2026-12-01T10:15:00.000Z"]],
    ["0 0 22-2 * * ?", ["2026-12-01T02:00:00.000Z", "2026-12-01T01:00:00.000Z", "2026-12-01T00:00:00.000Z"]],
    ["0 0 0 L * ?", ["2026-11-30T00:00:00.000Z", "2026-10-31T00:00:00.000Z", "2026-09-30T00:00:00.000Z"]],
    ["0 0 0 L-2 * ?", ["2026-11-28T00:00:00.000Z", "2026-10-29T00:00:00.000Z", "2026-09-28T00:00:00.000Z"]],
    // 31 Oct 2026 is a Saturday: the last weekday is Friday the 30th.
    ["0 0 0 LW * ?", ["2026-11-30T00:00:00.000Z", "2026-10-30T00:00:00.000Z", "2026-09-30T00:00:00.000Z"]],
    // 15 Nov 2026 is a Sunday: the nearest weekday is Monday the 16th.
    ["0 0 0 15W * ?", ["2026-11-16T00:00:00.000Z", "2026-10-15T00:00:00.000Z", "2026-09-15T00:00:00.000Z"]],
    // 1 Aug 2026 is a Saturday: 1W does not jump back into July, it fires Monday the 3rd.
    ["0 0 0 1W AUG ?", ["2026-08-03T00:00:00.000Z", "2025-08-01T00:00:00.000Z", "2024-08-01T00:00:00.000Z"]],
    ["0 0 0 ? * 6L", ["2026-11-27T00:00:00.000Z", "2026-10-30T00:00:00.000Z", "2026-09-25T00:00:00.000Z"]],
    ["0 0 0 ? * MON#1", ["2026-11-02T00:00:00.000Z", "2026-10-05T00:00:00.000Z", "2026-09-07T00:00:00.000Z"]],
    // Leap days only, and the look-back is five years.
    ["0 0 12 29 FEB ?", ["2024-02-29T12:00:00.000Z"]],
  ])("%s", (expr, want) => {
    expect(before(expr, now, 3)).toEqual(want);
  });

  test("a fire time exactly at `before` is not before it", () => {
    expect(before("0 30 1 * * ?", "2026-12-01T01:30:00.000Z", 1)).toEqual(["2026-11-30T01:30:00.000Z"]);
  });

  test("a schedule that stopped firing (year field) yields fewer times", () => {
    expect(before("0 0 0 1 1 ? 2025", "2026-12-01T00:00:00.000Z", 2)).toEqual(["2025-01-01T00:00:00.000Z"]);
    expect(before("0 0 0 1 1 ? 2030", "2026-12-01T00:00:00.000Z", 2)).toEqual([]);
  });
});
