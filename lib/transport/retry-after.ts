const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TIME = String.raw`(\d{2}):(\d{2}):(\d{2})`;
const MONTH = `(${MONTHS.join('|')})`;

/** The three forms of an HTTP date (RFC 9110 §5.6.7), each read into its parts. */
const HTTP_DATES: readonly { pattern: RegExp; parts: (m: RegExpExecArray, now: number) => DateParts }[] = [
  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
  {
    pattern: new RegExp(`^(${DAYS.join('|')}), (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`),
    parts: (m) => ({ day: DAYS.indexOf(m[1]), date: m[2], month: m[3], year: Number(m[4]), time: [m[5], m[6], m[7]] }),
  },
  // obsolete rfc850-date: Sunday, 06-Nov-94 08:49:37 GMT
  {
    pattern: new RegExp(`^(${LONG_DAYS.join('|')}), (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`),
    parts: (m, now) => ({
      day: LONG_DAYS.indexOf(m[1]),
      date: m[2],
      month: m[3],
      year: twoDigitYear(Number(m[4]), now),
      time: [m[5], m[6], m[7]],
    }),
  },
  // obsolete asctime-date: Sun Nov  6 08:49:37 1994
  {
    pattern: new RegExp(`^(${DAYS.join('|')}) ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`),
    parts: (m) => ({ day: DAYS.indexOf(m[1]), date: m[3], month: m[2], year: Number(m[7]), time: [m[4], m[5], m[6]] }),
  },
];

interface DateParts {
  day: number;
  date: string;
  month: string;
  year: number;
  time: string[];
}

/** Longest delay a delta-seconds value may ask for (RFC 9111 §1.2.2 caps such values at 2^31 seconds). */
const MAX_DELTA_SECONDS = 2 ** 31;

/**
 * `Retry-After` as milliseconds from `now`: delta-seconds (digits only) or an HTTP date, past dates
 * as 0. Anything else (`"1e3"`, `"0x10"`, `"1.5"`, `"-1"`, `"5, 10"`, an impossible date) is
 * undefined, so the caller falls back to its own backoff.
 */
export function parseRetryAfter(header: string | undefined, now = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Math.min(Number(value), MAX_DELTA_SECONDS) * 1000;
  const date = httpDate(value, now);
  return date === undefined ? undefined : Math.max(0, date - now);
}

/** Epoch ms of an HTTP date in any of its three forms; undefined unless it names a real moment. */
function httpDate(value: string, now: number): number | undefined {
  for (const { pattern, parts } of HTTP_DATES) {
    const match = pattern.exec(value);
    if (match) return realDate(parts(match, now));
  }
  return undefined;
}

function realDate({ day, date, month, year, time }: DateParts): number | undefined {
  const [hours, minutes, seconds] = time.map(Number);
  const monthIndex = MONTHS.indexOf(month);
  const dayOfMonth = Number(date);
  // NOTE: a leap second (:60) is a real HTTP time; it is read as the next second.
  if (hours > 23 || minutes > 59 || seconds > 60) return undefined;
  const ms = Date.UTC(year, monthIndex, dayOfMonth, hours, minutes, seconds);
  const parsed = new Date(Date.UTC(year, monthIndex, dayOfMonth));
  // Date.UTC rolls 31 Feb over into March, and Date.UTC(94, …) means 1994: both are checked here.
  const exact =
    parsed.getUTCFullYear() === year && parsed.getUTCMonth() === monthIndex && parsed.getUTCDate() === dayOfMonth;
  return exact && parsed.getUTCDay() === day ? ms : undefined;
}

/** A two-digit rfc850 year: the one ending in those digits that is not more than 50 years ahead (RFC 9110). */
function twoDigitYear(yy: number, now: number): number {
  const thisYear = new Date(now).getUTCFullYear();
  const year = thisYear - (thisYear % 100) + yy;
  return year > thisYear + 50 ? year - 100 : year;
}
