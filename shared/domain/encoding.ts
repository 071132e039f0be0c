/**
 * SMS encoding and segment counting (hot path).
 *
 * `analyseText` is a fast re-implementation of sms-segments-calculator's `SegmentedMessage`
 * (encoding 'auto', smart encoding off) and must agree with it on `encodingName`,
 * `segmentsCount` and `numberOfCharacters` for every input; tests/unit/encoding.test.ts
 * checks that against the library itself. The rules it reproduces:
 *
 * - The text is split into grapheme clusters the way grapheme-splitter@1.0.4 does it (that is
 *   what the library uses: UAX #29 for Unicode 10 with that implementation's quirks), except
 *   that a CR LF cluster counts as two clusters.
 * - GSM-7 is chosen when every cluster is a single UTF-16 unit from the GSM 03.38 default
 *   alphabet or its extension table; otherwise UCS-2.
 * - GSM-7: basic characters take 1 septet, extension characters (FF ^ { } \ [ ~ ] | €) take 2.
 *   `characters` is the septet count.
 * - UCS-2: a cluster takes as many 16-bit units as it has UTF-16 code units (so an emoji is 2,
 *   a flag 4, a ZWJ family more). `characters` is the cluster count.
 * - One segment holds 1120 bits. Once a second segment is needed every segment, the first
 *   included, loses 48 bits to the user data header: 160 -> 153 septets, 70 -> 67 units.
 *   A cluster (an extension character's two septets, an emoji's surrogate pair) is never split
 *   across segments: it moves whole to the next one.
 * - The empty text is one GSM-7 segment of 0 characters.
 *
 * Pure: no I/O; the only import is the generated grapheme break table.
 */
import { GRAPHEME_BREAK_RUNS } from './graphemeTable.generated';

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface TextAnalysis {
  encoding: SmsEncoding;
  /** Number of SMS segments the text is sent as (at least 1, also for the empty text). */
  segments: number;
  /** GSM-7: septets (extension characters count 2). UCS-2: grapheme clusters. */
  characters: number;
  /** True when the text holds anything outside the GSM-7 basic and extension sets (so it needed UCS-2). */
  nonEnglishChars: boolean;
}

// ---------------------------------------------------------------------------------------------
// GSM-7 alphabet (3GPP TS 23.038 default alphabet and its extension table), by UTF-16 code unit.
// Same set as sms-segments-calculator's UnicodeToGSM map: note there is no ESC, no NBSP and no
// backtick, and U+00C7 (Ç) stands for 0x09 as in that map.

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' + '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';

/** Septets per code unit: 0 = not GSM-7, 1 = basic, 2 = extension. Indexed below GSM_LIMIT. */
const GSM_LIMIT = 0x20ad; // one past '€' (U+20AC), the highest GSM-7 code unit
const GSM_SEPTETS = new Uint8Array(GSM_LIMIT);
for (let i = 0; i < GSM_BASIC.length; i++) GSM_SEPTETS[GSM_BASIC.charCodeAt(i)] = 1;
for (let i = 0; i < GSM_EXTENSION.length; i++) GSM_SEPTETS[GSM_EXTENSION.charCodeAt(i)] = 2;

// ---------------------------------------------------------------------------------------------
// Segment sizes, in bits, as sms-segments-calculator computes them.

const SEGMENT_BITS = 1120; // 140 octets
const UDH_BITS = 48; // 6 octets of user data header once the message is concatenated
const GSM_SINGLE_SEPTETS = 160; // 1120 / 7
const GSM_MULTI_SEPTETS = 153; // floor((1120 - 48) / 7)
const UCS2_UNIT_BITS = 16;

// ---------------------------------------------------------------------------------------------
// Grapheme cluster break properties, numbered as in grapheme-splitter (GRAPHEME_BREAK_RUNS holds
// them per code point: see graphemeTable.generated.ts).

const CR = 0;
const LF = 1;
const CONTROL = 2;
const EXTEND = 3;
const REGIONAL_INDICATOR = 4;
const SPACING_MARK = 5;
const L = 6;
const V = 7;
const T = 8;
const LV = 9;
const LVT = 10;
const PREPEND = 12;
const E_BASE = 13;
const E_MODIFIER = 14;
const ZWJ = 15;
const GLUE_AFTER_ZWJ = 16;
const E_BASE_GAZ = 17;
/** Table marker for the Hangul syllables block: LV when (cp - 0xAC00) % 28 === 0, else LVT. */
const HANGUL_SYLLABLES = 255;

/** Property of every BMP code point, expanded once at load (64 KiB). */
const BMP_PROPERTY = new Uint8Array(0x10000);
/** Runs from the first one that covers U+10000 on, for a binary search. */
const ASTRAL_STARTS: number[] = [];
const ASTRAL_PROPERTIES: number[] = [];
for (let r = 0; r < GRAPHEME_BREAK_RUNS.length; r += 2) {
  const start = GRAPHEME_BREAK_RUNS[r];
  const property = GRAPHEME_BREAK_RUNS[r + 1];
  const end = r + 2 < GRAPHEME_BREAK_RUNS.length ? GRAPHEME_BREAK_RUNS[r + 2] : 0x110000;
  if (start < 0x10000) {
    const stop = Math.min(end, 0x10000);
    if (property === HANGUL_SYLLABLES) {
      for (let cp = start; cp < stop; cp++) BMP_PROPERTY[cp] = (cp - 0xac00) % 28 === 0 ? LV : LVT;
    } else {
      BMP_PROPERTY.fill(property, start, stop);
    }
  }
  if (end > 0x10000) {
    ASTRAL_STARTS.push(Math.max(start, 0x10000));
    ASTRAL_PROPERTIES.push(property);
  }
}

function astralProperty(cp: number): number {
  let lo = 0;
  let hi = ASTRAL_STARTS.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ASTRAL_STARTS[mid] <= cp) lo = mid;
    else hi = mid - 1;
  }
  return ASTRAL_PROPERTIES[lo];
}

// ---------------------------------------------------------------------------------------------

/** Scratch for the sizes of the clusters in the first segment (at most 70 fit in 1120 bits). */
const firstSegmentSizes = new Int32Array(SEGMENT_BITS / UCS2_UNIT_BITS);

/**
 * Encoding, segment count and character count of an SMS body, exactly as
 * sms-segments-calculator's SegmentedMessage(text) reports them. A few hundred nanoseconds
 * for a 160-character text.
 */
export function analyseText(text: string): TextAnalysis {
  const n = text.length;
  let septets = 0;
  let extensionChars = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const width = c < GSM_LIMIT ? GSM_SEPTETS[c] : 0;
    if (width === 0) return analyseUcs2(text);
    septets += width;
    if (width === 2) extensionChars++;
  }
  // Only CR LF can make a multi-unit cluster out of GSM-7 characters, and it counts as two
  // clusters, so every code unit here is a cluster of its own.
  let segments: number;
  if (septets <= GSM_SINGLE_SEPTETS) {
    segments = 1;
  } else if (extensionChars === 0) {
    segments = Math.ceil(septets / GSM_MULTI_SEPTETS);
  } else {
    // Greedy filling: an extension character that does not fit moves whole to the next segment.
    segments = 1;
    let used = 0;
    for (let i = 0; i < n; i++) {
      const width = GSM_SEPTETS[text.charCodeAt(i)];
      if (used + width > GSM_MULTI_SEPTETS) {
        segments++;
        used = 0;
      }
      used += width;
    }
  }
  return { encoding: 'GSM-7', segments, characters: septets, nonEnglishChars: false };
}

/**
 * The UCS-2 path: walks the grapheme clusters (grapheme-splitter's nextBreak with its history
 * kept as a few flags instead of an array) and places each cluster in segments the way
 * SegmentedMessage._buildSegments does, down to its handling of clusters too big for a segment.
 */
function analyseUcs2(text: string): TextAnalysis {
  const n = text.length;
  let clusters = 0;

  // Segment state. `used` is in bits and includes the header of headed segments.
  let segments = 1;
  let used = 0;
  let firstCount = 0;

  let i = 0;
  while (i < n) {
    // Find the end `j` of the cluster that starts at `i`.
    let j = n;
    if (i < n - 1) {
      let c = text.charCodeAt(i);
      let k = i + 1;
      let cp = c;
      if (c >= 0xd800 && c <= 0xdbff) {
        const low = text.charCodeAt(k);
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = (c - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
          k++;
        }
      }
      const start = cp < 0x10000 ? BMP_PROPERTY[cp] : astralProperty(cp);
      // grapheme-splitter keeps [start, ...mid] and rescans it at every step; these flags are
      // all its rules ever look at.
      let previous = start; // last property so far
      let beforePrevious = -1; // the one before it, -1 when there is none
      let midEmpty = true;
      let midAllExtend = true;
      let anyExtend = start === EXTEND;
      let midHasRI = false;
      // Regional indicators in mid: 0 none yet / mid empty, 1 mid is RI RI .. RI so far,
      // 2 a run of RIs at the head of mid followed by non-RIs only, 3 anything else.
      let riShape = 0;

      while (k < n) {
        c = text.charCodeAt(k);
        let next = k + 1;
        cp = c;
        if (c >= 0xd800 && c <= 0xdbff && next < n) {
          const low = text.charCodeAt(next);
          if (low >= 0xdc00 && low <= 0xdfff) {
            cp = (c - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
            next++;
          }
        }
        const end = cp < 0x10000 ? BMP_PROPERTY[cp] : astralProperty(cp);
        if (shouldBreak(start, previous, beforePrevious, end, midEmpty, midAllExtend, anyExtend, midHasRI, riShape)) {
          j = k;
          break;
        }
        if (midEmpty) riShape = end === REGIONAL_INDICATOR ? 1 : 3;
        else if (riShape === 1) riShape = end === REGIONAL_INDICATOR ? 1 : 2;
        else if (riShape === 2 && end === REGIONAL_INDICATOR) riShape = 3;
        beforePrevious = previous;
        previous = end;
        midEmpty = false;
        if (end === EXTEND) anyExtend = true;
        else midAllExtend = false;
        if (end === REGIONAL_INDICATOR) midHasRI = true;
        k = next;
      }
    }

    // SegmentedMessage splits a CR LF cluster back into two one-unit clusters.
    let count = 1;
    let bits = (j - i) * UCS2_UNIT_BITS;
    if (j - i === 2 && text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10) {
      count = 2;
      bits = UCS2_UNIT_BITS;
    }
    clusters += count;
    for (let m = 0; m < count; m++) {
      if (SEGMENT_BITS - used < bits) {
        segments++;
        if (segments === 2) {
          // The first segment gets its header now; clusters that no longer fit move over.
          let firstUsed = used + UDH_BITS;
          let moved = 0;
          while (firstUsed > SEGMENT_BITS) {
            const size = firstSegmentSizes[--firstCount];
            firstUsed -= size;
            moved += size;
          }
          used = UDH_BITS + moved;
        } else {
          used = UDH_BITS;
        }
      }
      used += bits;
      if (segments === 1) firstSegmentSizes[firstCount++] = bits;
    }
    i = j;
  }

  return { encoding: 'UCS-2', segments, characters: clusters, nonEnglishChars: true };
}

/** grapheme-splitter's shouldBreak, reduced to the state it actually depends on. */
function shouldBreak(
  start: number,
  previous: number,
  beforePrevious: number,
  end: number,
  midEmpty: boolean,
  midAllExtend: boolean,
  anyExtend: boolean,
  midHasRI: boolean,
  riShape: number,
): boolean {
  // Its look-ahead terminator for GB10: an E_Modifier after Extends that follow something that
  // is not an emoji base. (The rules below would break there too; kept to mirror the original.)
  if (end === E_MODIFIER && !midEmpty && midAllExtend && start !== EXTEND && start !== E_BASE && start !== E_BASE_GAZ) {
    return true;
  }
  // Its look-ahead terminator for GB12/13.
  if (end === REGIONAL_INDICATOR) {
    if (midEmpty && start !== PREPEND && start !== REGIONAL_INDICATOR) return true;
  } else if (riShape === 2 && previous !== PREPEND) {
    return true;
  }
  if (previous === CR && end === LF) return false; // GB3
  if (previous === CONTROL || previous === CR || previous === LF) return true; // GB4
  if (end === CONTROL || end === CR || end === LF) return true; // GB5
  if (previous === L && (end === L || end === V || end === LV || end === LVT)) return false; // GB6
  if ((previous === LV || previous === V) && (end === V || end === T)) return false; // GB7
  if ((previous === LVT || previous === T) && end === T) return false; // GB8
  if (end === EXTEND || end === ZWJ) return false; // GB9
  if (end === SPACING_MARK) return false; // GB9a
  if (previous === PREPEND) return false; // GB9b
  // GB10 as grapheme-splitter has it: at most one Extend between the base and the modifier.
  if (end === E_MODIFIER) {
    const base = anyExtend ? (previous === EXTEND ? beforePrevious : -1) : previous;
    if (base === E_BASE || base === E_BASE_GAZ) return false;
  }
  if (previous === ZWJ && (end === GLUE_AFTER_ZWJ || end === E_BASE_GAZ)) return false; // GB11
  if (midHasRI) return true; // GB12/13
  if (previous === REGIONAL_INDICATOR && end === REGIONAL_INDICATOR) return false;
  return true; // GB999
}
