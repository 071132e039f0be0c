/**
 * The longest message text the platform sends, in characters (Unicode code points, as JSON Schema's
 * maxLength counts them): POST /messages refuses longer texts, campaign templates and keyword
 * replies may not be longer, and a text rendered from a template is checked against it before it
 * is sent (about 10 GSM-7 or 25 UCS-2 segments).
 */
export const MESSAGE_TEXT_MAX = 1600;

/** Length as MESSAGE_TEXT_MAX counts it: a character outside the BMP (an emoji) counts once. */
export function textLength(text: string): number {
  let n = 0;
  for (const _c of text) n++;
  return n;
}

export const isTooLong = (text: string): boolean => text.length > MESSAGE_TEXT_MAX && textLength(text) > MESSAGE_TEXT_MAX;

export const tooLongReason = (text: string): string =>
  `is ${textLength(text).toLocaleString('en-US')} characters; a message may have at most ${MESSAGE_TEXT_MAX.toLocaleString('en-US')}`;
