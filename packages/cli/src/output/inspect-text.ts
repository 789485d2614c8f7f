import { buildFileTree } from '@model-archiver/core/check';
import type { FileTreeNode, InspectReport, OnnxValueInfo } from '@model-archiver/core';

import { formatBytes } from './format.js';

const shapeOf = (value: OnnxValueInfo): string =>
  value.shape === null ? '' : ` [${value.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;

const methodLabel: Record<string, string> = { store: 'stored', deflate: 'deflated', tar: 'tar', file: 'file' };

function treeLines(report: InspectReport): string[] {
  const byPath = new Map(report.entries.map((e) => [e.path, e]));
  const lines: string[] = [];
  const walk = (node: FileTreeNode, prefix: string): void => {
    const children = node.children ?? [];
    children.forEach((child, index) => {
      const last = index === children.length - 1;
      const branch = `${prefix}${last ? '└── ' : '├── '}`;
      if (child.children !== undefined) {
        lines.push(`${branch}${child.name}/  (${formatBytes(child.size)})`);
        walk(child, `${prefix}${last ? '    ' : '│   '}`);
        return;
      }
      const entry = byPath.get(child.path);
      const parts = [formatBytes(child.size)];
      if (entry !== undefined) {
        if (entry.method === 'deflate' || entry.method === 'store') {
          const ratio = entry.size > 0 ? ` ${((entry.compressedSize / entry.size) * 100).toFixed(0)}%` : '';
          parts.push(`${methodLabel[entry.method]}${entry.method === 'deflate' ? ` to${ratio}` : ''}`);
        }
        if (entry.type !== 'file') parts.push(entry.linkTarget === undefined ? entry.type : `${entry.type} -> ${entry.linkTarget}`);
        if (entry.crc32 !== undefined) parts.push(`crc32 ${entry.crc32}`);
        if (entry.sha256 !== undefined) parts.push(`sha256 ${entry.sha256.slice(0, 16)}…`);
      }
      lines.push(`${branch}${child.name}  ${parts.join(', ')}`);
    });
  };
  walk(buildFileTree(report.entries), '');
  return lines;
}

function onnxLines(report: InspectReport): string[] {
  const lines: string[] = [];
  for (const model of report.onnx) {
    if (model.info === undefined) {
      lines.push(`  ${model.path}: ${model.error !== undefined ? `error ${model.error.code}: ${model.error.message}` : `not read (${model.skipped ?? ''})`}`);
      continue;
    }
    const { info } = model;
    const opsets = info.opsets.map((o) => `${o.domain === '' ? 'ai.onnx' : o.domain} ${o.version}`).join(', ');
    lines.push(`  ${model.path}: IR ${info.irVersion}, opset ${opsets || '(none)'}, ${info.nodeCount} nodes, producer ${info.producerName || '?'} ${info.producerVersion}`.trimEnd());
    for (const input of info.inputs) lines.push(`    input  ${input.name}: ${input.type}${shapeOf(input)}`);
    for (const output of info.outputs) lines.push(`    output ${output.name}: ${output.type}${shapeOf(output)}`);
  }
  return lines;
}

/** Renders an {@link InspectReport} for people: summary, manifest, file tree, integrity, ONNX models. */
export function renderInspectText(report: InspectReport, displayPath: string): string {
  const lines: string[] = [];
  const container = report.format === 'tgz' && report.root !== undefined ? `tgz (root folder ${report.root}/)` : report.format;
  lines.push(`${displayPath}`);
  lines.push(`  container: ${container}, ${formatBytes(report.archiveSize)} on disk, ${report.entryCount} entries, ${formatBytes(report.totalSize)} uncompressed`);
  if (report.manifestError !== undefined) {
    lines.push(`  manifest:  ${report.manifestError.code}: ${report.manifestError.message}`);
  } else {
    lines.push(`  flavour:   ${report.flavour ?? '?'} (${report.manifestPath ?? ''})`);
  }
  const integrity = report.integrity.error !== undefined
    ? `${report.integrity.error.code}: ${report.integrity.error.message}`
    : report.integrity.present
      ? `record present${report.integrity.signed ? `, signed by key ${report.integrity.keyId ?? '?'}` : ', not signed'} (run verify to check it)`
      : 'no integrity record (archives of the reference tools have none)';
  lines.push(`  integrity: ${integrity}`);
  if (report.manifest !== undefined) {
    lines.push('', 'Manifest:');
    lines.push(...JSON.stringify(report.manifest, null, 2).split('\n').map((l) => `  ${l}`));
  }
  lines.push('', 'Files:');
  lines.push(...treeLines(report).map((l) => `  ${l}`));
  if (report.onnx.length > 0) lines.push('', 'ONNX models:', ...onnxLines(report));
  return `${lines.join('\n')}\n`;
}
