/**
 * Number formatting as httpd's `apr_snprintf` does it. Its `%g` differs from
 * C's: no leading zero before the point (`.166667`) and a fixed-point form
 * up to 4 digits past the precision (`1234570`, not `1.23457e+06`).
 */

/** The first `ndigit` significant digits of |value| (rounded) and the position of the decimal point. */
function ecvt(value: number, ndigit: number): { digits: string; decpt: number } {
  const abs = Math.abs(value);
  if (abs === 0 || !Number.isFinite(abs)) return { digits: '0'.repeat(ndigit), decpt: 0 };
  const [mantissa, exponent] = abs.toExponential(ndigit - 1).split('e');
  return { digits: mantissa.replace('.', ''), decpt: Number(exponent) + 1 };
}

/** `%g` (`%.<precision>g`) as apr_snprintf formats it (via apr_gcvt). */
export function aprG(value: number, precision = 6): string {
  const digitsWanted = precision === 0 ? 1 : precision;
  const { digits, decpt: rawDecpt } = ecvt(value, digitsWanted);
  let ndigit = digitsWanted;
  let decpt = rawDecpt;
  let out = value < 0 ? '-' : '';
  for (let i = ndigit - 1; i > 0 && digits[i] === '0'; i--) ndigit--;
  if ((decpt >= 0 && decpt - ndigit > 4) || (decpt < 0 && decpt < -3)) {
    decpt--;
    out += digits[0] + '.' + digits.slice(1, ndigit) + 'e';
    if (decpt < 0) {
      decpt = -decpt;
      out += '-';
    } else {
      out += '+';
    }
    if (Math.floor(decpt / 100) > 0) out += String(Math.floor(decpt / 100));
    if (Math.floor(decpt / 10) > 0) out += String(Math.floor((decpt % 100) / 10));
    out += String(decpt % 10);
  } else {
    if (decpt <= 0) {
      if (digits[0] !== '0') out += '.';
      for (; decpt < 0; decpt++) out += '0';
    }
    for (let i = 1; i <= ndigit; i++) {
      out += digits[i - 1];
      if (i === decpt) out += '.';
    }
    if (ndigit < decpt) {
      for (; ndigit < decpt; ndigit++) out += '0';
      out += '.';
    }
  }
  return out.endsWith('.') ? out.slice(0, -1) : out;
}

/** `%.Nf` (C rounding of the binary value, which toFixed also does). */
export function fixed(value: number, decimals: number): string {
  return value.toFixed(decimals);
}

const KBYTE = 1024;
const MBYTE = 1048576;
const GBYTE = 1073741824;

/** mod_status's `format_byte_out`: `123 B`, `12.3 kB`, `1.5 MB`, `2.0 GB`. */
export function formatByteOut(bytes: number): string {
  if (bytes < 5 * KBYTE) return `${Math.trunc(bytes)} B`;
  if (bytes < MBYTE / 2) return `${fixed(Math.fround(bytes / KBYTE), 1)} kB`;
  if (bytes < GBYTE / 2) return `${fixed(Math.fround(bytes / MBYTE), 1)} MB`;
  return `${fixed(Math.fround(bytes / GBYTE), 1)} GB`;
}

/** mod_status's `format_kbyte_out`. */
export function formatKbyteOut(kbytes: number): string {
  if (kbytes < KBYTE) return `${Math.trunc(kbytes)} kB`;
  if (kbytes < MBYTE) return `${fixed(Math.fround(kbytes / KBYTE), 1)} MB`;
  return `${fixed(Math.fround(kbytes / MBYTE), 1)} GB`;
}

/**
 * mod_status's `show_time`: ` 1 day 2 hours 3 minutes 4 seconds`, each part
 * with a leading space, zero parts left out (so 0 gives '').
 */
export function showTime(seconds: number): string {
  let t = Math.max(0, Math.floor(seconds));
  const secs = t % 60;
  t = Math.floor(t / 60);
  const mins = t % 60;
  t = Math.floor(t / 60);
  const hrs = t % 24;
  const days = Math.floor(t / 24);
  const part = (n: number, unit: string): string => (n ? ` ${n} ${unit}${n === 1 ? '' : 's'}` : '');
  return part(days, 'day') + part(hrs, 'hour') + part(mins, 'minute') + part(secs, 'second');
}

/** `ap_escape_html`: &, <, >, " as entities. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
