/**
 * Carrier compliance keywords. As carriers apply them (Twilio's rules), a keyword counts only when
 * it is the whole message: one word, any case, surrounding spaces ignored. "Please stop" is a
 * message, not an opt-out.
 */
export type KeywordAction = 'opt_out' | 'opt_in' | 'help';

const ACTIONS: Record<string, KeywordAction> = {
  STOP: 'opt_out',
  STOPALL: 'opt_out',
  UNSUBSCRIBE: 'opt_out',
  CANCEL: 'opt_out',
  END: 'opt_out',
  QUIT: 'opt_out',
  START: 'opt_in',
  YES: 'opt_in',
  UNSTOP: 'opt_in',
  HELP: 'help',
  INFO: 'help',
};

export function complianceKeyword(text: string): { action: KeywordAction; keyword: string } | null {
  const word = text.trim().toUpperCase();
  const action = ACTIONS[word];
  return action ? { action, keyword: word } : null;
}

/** A recipient who asked not to get messages from an account. */
export interface OptOut {
  accountId: string;
  /** E.164. */
  phone: string;
  /** `keyword`: the recipient texted STOP (or another opt-out word); `api`: added by the account. */
  source: 'keyword' | 'api';
  keyword: string | null;
  createdAt: string;
}
