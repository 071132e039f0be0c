/**
 * Characters no text field of the API stores: C0 control characters (NUL, ESC, ...) and unpaired
 * UTF-16 surrogates, which are not text at all (they cannot be encoded as UTF-8 or UCS-2). Texts
 * that may span lines (message texts, templates, replies, descriptions) keep TAB, LF and CR.
 */

const CONTROL = /[\u0000-\u001F]/;
const CONTROL_BUT_LINE_BREAKS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const hex = (c: string) => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `value` may not be stored, or null when it may. */
export function textCharProblem(value: string, lineBreaks: boolean): string | null {
  const control = (lineBreaks ? CONTROL_BUT_LINE_BREAKS : CONTROL).exec(value);
  if (control)
    return `must not contain the control character ${hex(control[0])} (at character ${control.index + 1})${lineBreaks ? '' : '; line breaks and tabs are not allowed here either'}`;
  const surrogate = UNPAIRED_SURROGATE.exec(value);
  if (surrogate)
    return `must not contain the unpaired surrogate ${hex(surrogate[0])} (at character ${surrogate.index + 1}): it is not a character`;
  return null;
}
