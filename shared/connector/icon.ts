import { deflateSync } from 'node:zlib';

/**
 * The connector icon, drawn rather than stored so that it always has the brand colour of
 * apiProperties.json as its background (Microsoft asks for that): a white speech bubble with
 * three dots on a 230 × 230 square. Deterministic, so `connector:check` can compare it.
 */
export const ICON_SIZE = 230;

export function renderIcon(brandColor: string): Buffer {
  const bg = parseHex(brandColor);
  const white: Rgb = [255, 255, 255];
  const rgb = Buffer.alloc(ICON_SIZE * ICON_SIZE * 3);
  const SS = 4; // supersampling per axis, for smooth edges
  for (let y = 0; y < ICON_SIZE; y++) {
    for (let x = 0; x < ICON_SIZE; x++) {
      let r = 0,
        g = 0,
        b = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const c = colourAt(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS, bg, white);
          r += c[0];
          g += c[1];
          b += c[2];
        }
      }
      const o = (y * ICON_SIZE + x) * 3;
      rgb[o] = Math.round(r / (SS * SS));
      rgb[o + 1] = Math.round(g / (SS * SS));
      rgb[o + 2] = Math.round(b / (SS * SS));
    }
  }
  return encodePng(rgb, ICON_SIZE, ICON_SIZE);
}

type Rgb = [number, number, number];

function colourAt(x: number, y: number, bg: Rgb, white: Rgb): Rgb {
  const inBubble = inRoundedRect(x, y, 45, 55, 185, 150, 28) || inTriangle(x, y, [70, 145], [110, 145], [62, 185]);
  if (!inBubble) return bg;
  for (const cx of [80, 115, 150]) if ((x - cx) ** 2 + (y - 102) ** 2 <= 12 ** 2) return bg;
  return white;
}

function inRoundedRect(x: number, y: number, x0: number, y0: number, x1: number, y1: number, r: number): boolean {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function inTriangle(x: number, y: number, a: [number, number], b: [number, number], c: [number, number]): boolean {
  const side = (p: [number, number], q: [number, number]) => (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0]);
  const d1 = side(a, b),
    d2 = side(b, c),
    d3 = side(c, a);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
}

function parseHex(hex: string): Rgb {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

// ---- a minimal PNG writer (8-bit RGB, no interlace): the format is small and fixed, zlib does the work.

function encodePng(rgb: Buffer, width: number, height: number): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0; // filter: none
    rgb.copy(raw, y * (width * 3 + 1) + 1, y * width * 3, (y + 1) * width * 3);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type RGB, deflate, adaptive filtering, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
