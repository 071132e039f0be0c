// Microbenchmark: analyseText (shared/domain/encoding) against sms-segments-calculator, same run.
// Usage: npm run build && node bench/segments.mjs [--ms=300]
// Checks first that both agree on every input it times.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const { analyseText } = require('../dist/shared/domain/encoding.js');
const { SegmentedMessage } = require('sms-segments-calculator');

const msArg = process.argv.find((a) => a.startsWith('--ms='));
const TARGET_MS = msArg ? Number(msArg.slice(5)) : 300;

const SENTENCE = 'Your code is 482913. Valid 10 min; reply STOP to opt out. Questions? Call +44 20 7946 0958 (9-5). ';
const cases = [
  { name: 'GSM-7, 20 chars', text: SENTENCE.slice(0, 20) },
  { name: 'GSM-7, 160 chars', text: SENTENCE.repeat(2).slice(0, 160) },
  { name: 'GSM-7 + ext, 160 chars', text: `${SENTENCE.repeat(2).slice(0, 150)}€[]{}^~|\\.` },
  { name: 'UCS-2, 70 chars', text: 'Ваш код 482913. Действителен 10 минут; ответьте STOP для отказа. 😀'.padEnd(70, '!').slice(0, 70) },
  { name: 'UCS-2 Hindi, 70 units', text: 'फोनन में आपका स्वागत है। आपका कोड 482913 है, दस मिनट तक मान्य।'.padEnd(70, '।').slice(0, 70) },
];

const refOf = (t) => {
  const m = new SegmentedMessage(t, 'auto', false);
  return { encoding: m.encodingName, segments: m.segmentsCount, characters: m.numberOfCharacters };
};
for (const { name, text } of cases) {
  const a = analyseText(text);
  const r = refOf(text);
  if (a.encoding !== r.encoding || a.segments !== r.segments || a.characters !== r.characters) {
    console.error(`DISAGREEMENT on ${name}: ${JSON.stringify(a)} vs ${JSON.stringify(r)}`);
    process.exit(1);
  }
}

let sink = 0; // consumed below so the calls cannot be optimised away

/** Mean microseconds per call of fn(text), best of 5 timed rounds of ~TARGET_MS/5 each. */
function measure(fn, text) {
  let iterations = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) sink += fn(text);
    const elapsed = performance.now() - t0;
    if (elapsed >= TARGET_MS / 10) break;
    iterations *= 2;
  }
  const rounds = [];
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) sink += fn(text);
    rounds.push(((performance.now() - t0) * 1000) / iterations);
  }
  return Math.min(...rounds);
}

const ours = (t) => analyseText(t).segments;
const theirs = (t) => new SegmentedMessage(t, 'auto', false).segmentsCount;

const fmt = (us) => (us < 10 ? us.toFixed(3) : us.toFixed(1)).padStart(10);
console.log(`node ${process.version}; best of 5 rounds; microseconds per call`);
console.log(
  `${'input'.padEnd(24)} ${'length'.padStart(6)} ${'analyseText'.padStart(12)} ${'sms-seg-calc'.padStart(12)} ${'speed-up'.padStart(9)}  result`,
);
for (const { name, text } of cases) {
  const a = measure(ours, text);
  const r = measure(theirs, text);
  const res = analyseText(text);
  console.log(
    `${name.padEnd(24)} ${String(text.length).padStart(6)} ${fmt(a)}   ${fmt(r)}   ${(r / a).toFixed(0).padStart(8)}x  ${res.encoding} ${res.segments} seg ${res.characters} ch`,
  );
}
if (sink === -1) console.log(sink);
