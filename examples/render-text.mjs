#!/usr/bin/env node
/**
 * Renders a line of text to a PNG (black on white, DejaVu Sans from /usr/share/fonts via sharp's SVG support),
 * optionally rotated 180°: the inputs of the OCR examples, made at run time instead of committed.
 *
 *   node examples/render-text.mjs "Model Archiver 2026" out.png [--rotate]
 *
 * Export: renderTextPng(text, { width, height, fontSize, rotate }) -> Promise<Buffer>.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import sharp from 'sharp';

const escapeXml = (text) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A PNG of `text`; the width defaults to fit the text at `fontSize` (about 0.62 em per character). */
export async function renderTextPng(text, { height = 48, fontSize = 32, width, rotate = false } = {}) {
  const w = width ?? Math.max(32, Math.ceil(text.length * fontSize * 0.62) + 16);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${height}">
    <rect width="100%" height="100%" fill="#ffffff"/>
    <text x="8" y="${Math.round(height / 2 + fontSize * 0.36)}" font-family="DejaVu Sans" font-size="${fontSize}" fill="#000000">${escapeXml(text)}</text>
  </svg>`;
  let image = sharp(Buffer.from(svg)).flatten({ background: '#ffffff' });
  if (rotate) image = image.rotate(180);
  return image.png().toBuffer();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [text, out, ...flags] = process.argv.slice(2);
  if (text === undefined || out === undefined) {
    process.stderr.write('usage: node examples/render-text.mjs <text> <out.png> [--rotate]\n');
    process.exitCode = 2;
  } else {
    await writeFile(out, await renderTextPng(text, { rotate: flags.includes('--rotate') }));
    process.stdout.write(`${out}\n`);
  }
}
