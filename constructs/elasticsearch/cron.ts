/**
 * Elasticsearch's cron (SLM and Watcher schedules), parsed and evaluated in UTC: a model of
 * x-pack/plugin/core/src/main/java/org/elasticsearch/xpack/core/scheduler/Cron.java in
 * elastic/elasticsearch (a fork of Quartz's CronExpression). Fields: seconds, minutes, hours,
 * day-of-month (1-31, `? L L-n nW LW`), month (1-12, JAN-DEC), day-of-week (1-7 = SUN-SAT,
 * `? L nL n#k`), optional year (1970-2199); `*`, lists, ranges (overflowing ones such as
 * 22-2 wrap), increments; exactly one of the two day fields is `?`.
 */

type DayOfMonth =
  | { readonly kind: "none" }
  | { readonly kind: "set"; readonly days: ReadonlySet<number> }
  | { readonly kind: "last"; readonly offset: number; readonly weekday: boolean }
  | { readonly kind: "nearestWeekday"; readonly day: number };

type DayOfWeek =
  | { readonly kind: "none" }
  | { readonly kind: "set"; readonly days: ReadonlySet<number> }
  | { readonly kind: "lastOfMonth"; readonly day: number }
  | { readonly kind: "nth"; readonly day: number; readonly n: number };

export interface CronSchedule {
  readonly expression: string;
  readonly seconds: readonly number[];
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly months: ReadonlySet<number>;
  readonly years: ReadonlySet<number>;
  readonly dayOfMonth: DayOfMonth;
  readonly dayOfWeek: DayOfWeek;
}

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Largest increment Cron.java accepts after `/`. */
  readonly maxStep: number;
  readonly names?: readonly string[];
}

const SECONDS: Field = { name: "seconds", min: 0, max: 59, maxStep: 59 };
const MINUTES: Field = { name: "minutes", min: 0, max: 59, maxStep: 59 };
const HOURS: Field = { name: "hours", min: 0, max: 23, maxStep: 23 };
const DOM: Field = { name: "day-of-month", min: 1, max: 31, maxStep: 31 };
const MONTH: Field = {
  name: "month",
  min: 1,
  max: 12,
  maxStep: 12,
  names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
};
const DOW: Field = {
  name: "day-of-week",
  min: 1,
  max: 7,
  maxStep: 7,
  names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
};
const YEAR: Field = { name: "year", min: 1970, max: 2199, maxStep: 229 };

class CronProblem extends Error {}

function value(f: Field, text: string, part: string): number {
  const named = f.names?.indexOf(text) ?? -1;
  const n = named >= 0 ? named + f.min : /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!(n >= f.min && n <= f.max))
    throw new CronProblem(`${f.name} field ${JSON.stringify(part)} is not valid (${f.min}..${f.max})`);
  return n;
}

/** `*`, `a`, `a-b` (wrapping when a > b), each optionally `/step`, comma-separated. */
function numbers(f: Field, field: string): Set<number> {
  const out = new Set<number>();
  for (const part of field.split(",")) {
    const m = /^(\*|[0-9A-Z]+)(?:-([0-9A-Z]+))?(?:\/([0-9]+))?$/.exec(part);
    if (!m)
      throw new CronProblem(`${f.name} field ${JSON.stringify(part)} is not valid (${f.min}..${f.max})`);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    if (step < 1 || step > f.maxStep)
      throw new CronProblem(`${f.name} field ${JSON.stringify(part)}: the increment must be 1..${f.maxStep}`);
    const start = m[1] === "*" ? f.min : value(f, m[1], part);
    // `a/step` runs to the end of the range, as Quartz does.
    const end =
      m[2] !== undefined ? value(f, m[2], part) : m[1] === "*" || m[3] !== undefined ? f.max : start;
    const span = f.max - f.min + 1;
    const length = end >= start ? end - start : end - start + span;
    for (let i = 0; i <= length; i += step) out.add(((start - f.min + i) % span) + f.min);
  }
  return out;
}

function dayOfMonth(field: string): DayOfMonth {
  if (field === "?") return { kind: "none" };
  if (field.includes("L") && field.includes(","))
    throw new CronProblem("day-of-month: L and LW cannot be combined with other days");
  const last = /^L(?:-([0-9]+))?(W)?$/.exec(field);
  if (last) {
    const offset = last[1] === undefined ? 0 : Number(last[1]);
    if (offset > 30) throw new CronProblem("day-of-month: the offset from the last day must be <= 30");
    return { kind: "last", offset, weekday: last[2] !== undefined };
  }
  const weekday = /^([0-9]+)W$/.exec(field);
  if (weekday) return { kind: "nearestWeekday", day: value(DOM, weekday[1], field) };
  return { kind: "set", days: numbers(DOM, field) };
}

function dayOfWeek(field: string): DayOfWeek {
  if (field === "?") return { kind: "none" };
  if (field.includes("L") && field.length > 1 && field.includes(","))
    throw new CronProblem("day-of-week: L cannot be combined with other days");
  if ((field.match(/#/g) ?? []).length > 1 || (field.includes("#") && field.includes(",")))
    throw new CronProblem('day-of-week: only one "nth" day (n#k) is supported');
  if (field === "L") return { kind: "set", days: new Set([7]) };
  const last = /^([0-9A-Z]+)L$/.exec(field);
  if (last) return { kind: "lastOfMonth", day: value(DOW, last[1], field) };
  const nth = /^([0-9A-Z]+)#([0-9]+)$/.exec(field);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) throw new CronProblem("day-of-week: a number 1..5 must follow #");
    return { kind: "nth", day: value(DOW, nth[1], field), n };
  }
  return { kind: "set", days: numbers(DOW, field) };
}

/** The parsed schedule, or the one-line reason the expression is not one. */
export function parseCron(expression: string): CronSchedule | string {
  const fields = expression.trim().toUpperCase().split(/\s+/);
  if (fields.length < 6 || fields.length > 7)
    return "must be an Elasticsearch cron expression with 6 or 7 fields, seconds first, e.g. 0 30 1 * * ?";
  if ((fields[3] === "?") === (fields[5] === "?"))
    return "exactly one of day-of-month and day-of-week must be ?, e.g. 0 30 1 * * ?";
  try {
    for (const [i, f] of fields.entries())
      if (f === "?" && i !== 3 && i !== 5) throw new CronProblem("? is only for day-of-month or day-of-week");
    const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
    return {
      expression,
      seconds: sorted(numbers(SECONDS, fields[0])),
      minutes: sorted(numbers(MINUTES, fields[1])),
      hours: sorted(numbers(HOURS, fields[2])),
      dayOfMonth: dayOfMonth(fields[3]),
      months: numbers(MONTH, fields[4]),
      dayOfWeek: dayOfWeek(fields[5]),
      years: fields[6] === undefined ? numbers(YEAR, "*") : numbers(YEAR, fields[6]),
    };
  } catch (e) {
    if (e instanceof CronProblem) return e.message;
    throw e;
  }
}

/** Why `expression` is not an Elasticsearch cron expression, or undefined when it is. */
export function cronProblem(expression: string): string | undefined {
  const parsed = parseCron(expression);
  return typeof parsed === "string" ? parsed : undefined;
}

const DAY_MS = 86_400_000;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Day-of-week of a UTC date in cron numbering: 1 = Sunday … 7 = Saturday. */
function cronWeekday(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

/** The weekday nearest to `day` within its month (Quartz's `W`: never crosses the month). */
function nearestWeekday(year: number, month: number, day: number): number {
  const last = daysInMonth(year, month);
  const d = Math.min(day, last);
  const wd = cronWeekday(year, month, d);
  if (wd === 7) return d === 1 ? 3 : d - 1; // Saturday: Friday, or Monday the 3rd
  if (wd === 1) return d === last ? d - 2 : d + 1; // Sunday: Monday, or Friday before the end
  return d;
}

function dayMatches(s: CronSchedule, year: number, month: number, day: number): boolean {
  if (!s.years.has(year) || !s.months.has(month)) return false;
  const last = daysInMonth(year, month);
  const dom = s.dayOfMonth;
  switch (dom.kind) {
    case "set":
      return dom.days.has(day);
    case "last": {
      const target = last - dom.offset;
      return dom.weekday ? day === nearestWeekday(year, month, Math.max(1, target)) : day === target;
    }
    case "nearestWeekday":
      return day === nearestWeekday(year, month, dom.day);
    case "none":
      break;
  }
  const dow = s.dayOfWeek;
  const wd = cronWeekday(year, month, day);
  switch (dow.kind) {
    case "set":
      return dow.days.has(wd);
    case "lastOfMonth":
      return wd === dow.day && day + 7 > last;
    case "nth":
      return wd === dow.day && Math.ceil(day / 7) === dow.n;
    case "none":
      return false;
  }
}

/**
 * The last `count` fire times strictly before `before`, newest first; fewer when the
 * schedule fired fewer times in the `lookbackYears` before it.
 */
export function previousFireTimes(s: CronSchedule, before: Date, count: number, lookbackYears = 5): Date[] {
  const out: Date[] = [];
  const startDay = Math.floor(before.getTime() / DAY_MS);
  const times: number[] = [];
  for (const h of s.hours)
    for (const m of s.minutes) for (const sec of s.seconds) times.push((h * 60 + m) * 60 + sec);
  times.sort((a, b) => b - a);
  for (let d = startDay; d > startDay - lookbackYears * 366 && out.length < count; d--) {
    const date = new Date(d * DAY_MS);
    if (!dayMatches(s, date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate())) continue;
    for (const t of times) {
      const at = d * DAY_MS + t * 1000;
      if (at < before.getTime()) out.push(new Date(at));
      if (out.length === count) break;
    }
  }
  return out;
}
