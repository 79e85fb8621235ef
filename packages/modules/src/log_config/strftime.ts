/** A broken-down time as C's `struct tm`, plus the zone it was computed in. */
export interface BrokenDownTime {
  readonly year: number;
  /** 0-11 */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** 0 = Sunday */
  readonly weekday: number;
  /** 0-365 */
  readonly yearDay: number;
  /** Seconds east of UTC. */
  readonly gmtOffset: number;
  readonly zoneName: string;
  /** Seconds since the epoch. */
  readonly epochSeconds: number;
}

export const MONTHS_SHORT = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTHS_LONG = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];
export const DAYS_SHORT = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const DAYS_LONG = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * Breaks `epochMillis` down in a zone `gmtOffsetSeconds` east of UTC, as
 * `apr_time_exp_tz` does.
 */
export function explodeTime(epochMillis: number, gmtOffsetSeconds: number, zoneName: string): BrokenDownTime {
  const shifted = new Date(epochMillis + gmtOffsetSeconds * 1000);
  const startOfYear = Date.UTC(shifted.getUTCFullYear(), 0, 1);
  const dayStart = Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth(), shifted.getUTCDate());
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth(),
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
    weekday: shifted.getUTCDay(),
    yearDay: Math.round((dayStart - startOfYear) / 86_400_000),
    gmtOffset: gmtOffsetSeconds,
    zoneName,
    epochSeconds: Math.floor(epochMillis / 1000),
  };
}

const pad = (n: number, width: number, fill = '0'): string => String(n).padStart(width, fill);

function isoWeek(t: BrokenDownTime): { year: number; week: number } {
  // ISO 8601: the week with the year's first Thursday is week 1.
  const wday = (t.weekday + 6) % 7; // Monday = 0
  const thursdayYday = t.yearDay - wday + 3;
  const daysInYear = (y: number): number => ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 366 : 365);
  if (thursdayYday < 0) {
    const prev = t.year - 1;
    const yd = thursdayYday + daysInYear(prev);
    return { year: prev, week: Math.floor(yd / 7) + 1 };
  }
  if (thursdayYday >= daysInYear(t.year)) return { year: t.year + 1, week: 1 };
  return { year: t.year, week: Math.floor(thursdayYday / 7) + 1 };
}

function offset(t: BrokenDownTime): string {
  const abs = Math.abs(t.gmtOffset);
  return (t.gmtOffset < 0 ? '-' : '+') + pad(Math.floor(abs / 3600), 2) + pad(Math.floor((abs % 3600) / 60), 2);
}

/**
 * C-locale `strftime`, as `apr_strftime` gives it on glibc. Unknown
 * conversions are copied through, as glibc does.
 */
export function strftime(format: string, t: BrokenDownTime): string {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i];
    if (ch !== '%' || i + 1 >= format.length) {
      out += ch;
      continue;
    }
    let conv = format[++i];
    // E and O modifiers select alternative numerals; the C locale has none.
    if ((conv === 'E' || conv === 'O') && i + 1 < format.length) conv = format[++i];
    out += conversion(conv, t);
  }
  return out;
}

function conversion(conv: string, t: BrokenDownTime): string {
  const hour12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
  switch (conv) {
    case 'a': return DAYS_SHORT[t.weekday];
    case 'A': return DAYS_LONG[t.weekday];
    case 'b': case 'h': return MONTHS_SHORT[t.month];
    case 'B': return MONTHS_LONG[t.month];
    case 'c': return `${DAYS_SHORT[t.weekday]} ${MONTHS_SHORT[t.month]} ${pad(t.day, 2, ' ')} ${strftime('%H:%M:%S', t)} ${t.year}`;
    case 'C': return pad(Math.floor(t.year / 100), 2);
    case 'd': return pad(t.day, 2);
    case 'D': return strftime('%m/%d/%y', t);
    case 'e': return pad(t.day, 2, ' ');
    case 'F': return strftime('%Y-%m-%d', t);
    case 'g': return pad(isoWeek(t).year % 100, 2);
    case 'G': return String(isoWeek(t).year);
    case 'H': return pad(t.hour, 2);
    case 'I': return pad(hour12, 2);
    case 'j': return pad(t.yearDay + 1, 3);
    case 'k': return pad(t.hour, 2, ' ');
    case 'l': return pad(hour12, 2, ' ');
    case 'm': return pad(t.month + 1, 2);
    case 'M': return pad(t.minute, 2);
    case 'n': return '\n';
    case 'p': return t.hour < 12 ? 'AM' : 'PM';
    case 'P': return t.hour < 12 ? 'am' : 'pm';
    case 'r': return strftime('%I:%M:%S %p', t);
    case 'R': return strftime('%H:%M', t);
    case 's': return String(t.epochSeconds);
    case 'S': return pad(t.second, 2);
    case 't': return '\t';
    case 'T': return strftime('%H:%M:%S', t);
    case 'u': return String(t.weekday === 0 ? 7 : t.weekday);
    case 'U': return pad(Math.floor((t.yearDay + 7 - t.weekday) / 7), 2);
    case 'V': return pad(isoWeek(t).week, 2);
    case 'w': return String(t.weekday);
    case 'W': return pad(Math.floor((t.yearDay + 7 - ((t.weekday + 6) % 7)) / 7), 2);
    case 'x': return strftime('%m/%d/%y', t);
    case 'X': return strftime('%H:%M:%S', t);
    case 'y': return pad(t.year % 100, 2);
    case 'Y': return String(t.year);
    case 'z': return offset(t);
    case 'Z': return t.zoneName;
    case '%': return '%';
    default: return '%' + conv;
  }
}
