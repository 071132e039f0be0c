export type IdPrefix =
  | 'msg'
  | 'acc'
  | 'sid'
  | 'vn'
  | 'evt'
  | 'sub'
  | 'tsk'
  | 'cmp'
  | 'ctc'
  | 'grp'
  | 'sim'
  | 'dlv'
  | 'kw'
  | 'key'
  | 'aud'
  | 'req';

/** Time-sortable ids with a readable prefix, e.g. `msg_01JD3...`. */
export interface IdGenerator {
  next(prefix: IdPrefix): string;
}
