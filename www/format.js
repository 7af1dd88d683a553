// Times for display, in the engine's formats: UTC text, durations in words, the countdown to expiry.

/** `2026-11-23 22:07:48 UTC` for unix seconds (the engine's format). */
export function utc(seconds) {
  const d = new Date(seconds * 1000);
  if (!Number.isFinite(d.getTime())) return String(seconds);
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A duration in words, like the engine's: "3 d 4 h", "2 h 5 min", "45 s". */
export function duration(seconds) {
  const s = Math.abs(Math.trunc(seconds));
  const d = Math.floor(s / 86400), hr = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  if (d >= 365) return `${Math.floor(d / 365)} years`;
  if (d > 0) return `${d} d ${hr} h`;
  if (hr > 0) return `${hr} h ${m} min`;
  if (m > 0) return `${m} min ${sec} s`;
  return `${sec} s`;
}

/**
 * The countdown line for `exp` (unix seconds) at `nowMs`: text and state (`valid`, `soon`, `expired`, `none`).
 */
export function countdown(exp, nowMs) {
  if (!Number.isFinite(exp)) return { state: 'none', text: '' };
  const left = Math.floor(exp - nowMs / 1000);
  if (left <= 0) return { state: 'expired', text: `Expired ${duration(-left)} ago (${utc(exp)}).` };
  return { state: left < 300 ? 'soon' : 'valid', text: `Expires in ${duration(left)} (${utc(exp)}).` };
}
