/**
 * Bounds of a message's uniqueArgs (the caller's key/value pairs, stored with the message and
 * echoed in every callback event): they ride along in every webhook payload, so they stay small.
 */
export const UNIQUE_ARGS_LIMITS = { keys: 20, keyLength: 64, valueLength: 256, totalLength: 4096 } as const;

/** What is wrong with `args`, one message per problem (empty when they are within the bounds). */
export function uniqueArgsProblems(args: Readonly<Record<string, string>>): { path: string; message: string }[] {
  const L = UNIQUE_ARGS_LIMITS;
  const out: { path: string; message: string }[] = [];
  const entries = Object.entries(args);
  if (entries.length > L.keys) out.push({ path: '/uniqueArgs', message: `has ${entries.length} keys; at most ${L.keys}` });
  let total = 0;
  for (const [k, v] of entries) {
    total += k.length + v.length;
    if (k.length === 0 || k.length > L.keyLength)
      out.push({ path: '/uniqueArgs', message: `has a key of ${k.length} characters; keys are 1 to ${L.keyLength}` });
    if (v.length > L.valueLength)
      out.push({
        path: `/uniqueArgs/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        message: `must be at most ${L.valueLength} characters`,
      });
  }
  if (total > L.totalLength)
    out.push({ path: '/uniqueArgs', message: `holds ${total} characters of keys and values; at most ${L.totalLength}` });
  return out;
}
