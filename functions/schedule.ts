/**
 * An NCRONTAB schedule (six fields, seconds first) that fires every `ms`. NCRONTAB can only step
 * through a field evenly, so the interval is rounded to the nearest whole second and must divide a
 * minute, an hour or a day; anything else is refused rather than silently run at another rate.
 */
export function ncrontabEvery(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (!Number.isFinite(seconds) || seconds < 1) throw new RangeError(`a timer cannot run every ${ms} ms (at least 1 s)`);
  if (seconds < 60 && 60 % seconds === 0) return `*/${seconds} * * * * *`;
  if (seconds % 60 === 0) {
    const minutes = seconds / 60;
    if (minutes < 60 && 60 % minutes === 0) return `0 */${minutes} * * * *`;
    if (minutes % 60 === 0) {
      const hours = minutes / 60;
      if (hours < 24 && 24 % hours === 0) return `0 0 */${hours} * * *`;
      if (hours === 24) return '0 0 0 * * *';
    }
  }
  throw new RangeError(
    `a timer cannot run every ${ms} ms: use a number of seconds, minutes or hours that divides a minute, an hour or a day`,
  );
}
