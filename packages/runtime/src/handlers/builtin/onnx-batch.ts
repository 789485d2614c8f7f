/**
 * Batching for the built-in `onnx` handler: requests whose inputs have the same names, types and shapes except the
 * first (batch) dimension are concatenated along dimension 0 and run as ONE ONNX Runtime call, and each output is
 * split back into per-request rows. Used only when the model declares a dynamic first dimension on every input and
 * every requested output; anything else (shapes that differ, fixed batch dimensions, an output whose first dimension
 * is not the total batch) runs request by request.
 */
import type { OnnxSession, OnnxTensor, OnnxTensorData, OnnxValueInfo } from '../../onnx/onnx.js';

/** One validated request: its feeds (already typed) and the outputs it asks for. */
export interface PreparedRequest {
  feeds: Record<string, OnnxTensor>;
  /** Output names to compute; `undefined` = every output. */
  outputNames: string[] | undefined;
}

const isDynamic = (dim: number | string | undefined): boolean => typeof dim === 'string' || (typeof dim === 'number' && dim < 0);

/** True when every input and output of the model has a dynamic first dimension (so rows can be stacked). */
export function modelBatches(session: OnnxSession): boolean {
  const ok = (info: OnnxValueInfo): boolean => info.type !== 'unknown' && info.shape.length > 0 && isDynamic(info.shape[0]);
  return session.inputs.length > 0 && session.inputs.every(ok) && session.outputs.every(ok);
}

/** The rows a request contributes (its common first dimension), or `undefined` when its inputs disagree or are scalars. */
const rowsOf = (request: PreparedRequest): number | undefined => {
  let rows: number | undefined;
  for (const tensor of Object.values(request.feeds)) {
    const first = tensor.dims[0];
    if (first === undefined || first === 0 || (rows !== undefined && rows !== first)) return undefined;
    rows = first;
  }
  return rows;
};

/** The grouping key: input names, types and trailing dimensions, and the requested outputs. */
const groupKey = (request: PreparedRequest): string => {
  const inputs = Object.entries(request.feeds)
    .map(([name, t]) => `${name}\0${t.type}\0${t.dims.slice(1).join(',')}`)
    .sort();
  return `${inputs.join('\n')}\n>${request.outputNames?.join('\0') ?? '*'}`;
};

/**
 * Splits the request indexes into groups that may run as one call (each group's indexes in order); requests that
 * cannot be stacked form groups of one.
 */
export function groupRequests(requests: readonly PreparedRequest[], batching: boolean): number[][] {
  // A lone request (every batch of a server that is not saturated) is its own group: no key to build.
  if (requests.length === 1) return [[0]];
  const groups: number[][] = [];
  const byKey = new Map<string, number[]>();
  for (const [index, request] of requests.entries()) {
    if (!batching || rowsOf(request) === undefined) {
      groups.push([index]);
      continue;
    }
    const key = groupKey(request);
    const group = byKey.get(key);
    if (group === undefined) {
      const fresh = [index];
      byKey.set(key, fresh);
      groups.push(fresh);
    } else {
      group.push(index);
    }
  }
  return groups;
}

/**
 * Concatenates same-typed element storages. The result is allocated without zero-filling (every element is written
 * right after), which spares a pass over the whole batch.
 */
const concat = (parts: readonly OnnxTensorData[]): OnnxTensorData => {
  const first = parts[0] as OnnxTensorData;
  if (Array.isArray(first)) return ([] as string[]).concat(...(parts as string[][]));
  const total = parts.reduce((sum, p) => sum + p.length, 0);
  const Ctor = first.constructor as new (buffer: ArrayBuffer, byteOffset: number, length: number) => Exclude<OnnxTensorData, string[]>;
  const out = new Ctor(Buffer.allocUnsafeSlow(total * first.BYTES_PER_ELEMENT).buffer, 0, total);
  let offset = 0;
  for (const part of parts as Exclude<OnnxTensorData, string[]>[]) {
    (out as { set(a: ArrayLike<unknown>, o: number): void }).set(part, offset);
    offset += part.length;
  }
  return out;
};

/** Rows `[start, start + rows)` of a tensor whose first dimension is `total`. */
const sliceRows = (tensor: OnnxTensor, total: number, start: number, rows: number): OnnxTensor => {
  const data = tensor.data as ArrayLike<unknown> & { slice(a: number, b: number): ArrayLike<unknown> };
  const width = data.length / total;
  return { type: tensor.type, data: data.slice(start * width, (start + rows) * width), dims: [rows, ...tensor.dims.slice(1)] };
};

/**
 * Runs a group of stackable requests as one call and splits the outputs; `undefined` when an output cannot be split
 * (its first dimension is not the total of the rows), in which case the caller runs the requests one by one.
 */
export async function runStacked(session: OnnxSession, group: readonly PreparedRequest[]): Promise<Record<string, OnnxTensor>[] | undefined> {
  const first = group[0] as PreparedRequest;
  const rows = group.map((request) => rowsOf(request) as number);
  const total = rows.reduce((a, b) => a + b, 0);
  const feeds: Record<string, OnnxTensor> = {};
  for (const [name, tensor] of Object.entries(first.feeds)) {
    feeds[name] = {
      type: tensor.type,
      data: concat(group.map((request) => request.feeds[name]!.data as OnnxTensorData)),
      dims: [total, ...tensor.dims.slice(1)],
    };
  }
  const outputs = await session.run(feeds, first.outputNames);
  const names = first.outputNames ?? session.outputs.map((o) => o.name);
  const splittable = names.every((name) => {
    const tensor = outputs[name];
    return tensor !== undefined && tensor.dims[0] === total && (tensor.data as ArrayLike<unknown>).length % total === 0;
  });
  if (!splittable) return undefined;
  let start = 0;
  return rows.map((count) => {
    const part: Record<string, OnnxTensor> = {};
    for (const name of names) part[name] = sliceRows(outputs[name] as OnnxTensor, total, start, count);
    start += count;
    return part;
  });
}
