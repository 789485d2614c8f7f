// Helpers shared by the benchmark scripts: run a command under /usr/bin/time -v, medians, formatting.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const HAS_GNU_TIME = existsSync('/usr/bin/time');

/**
 * Runs `command args` once and returns { wall, user, sys, rssMiB, stdout } (seconds, MiB).
 * Uses /usr/bin/time -v when present (peak RSS of the child); otherwise wall time only.
 */
export function timed(command, args, options = {}, expectedStatus = 0) {
  const started = process.hrtime.bigint();
  const result = HAS_GNU_TIME
    ? spawnSync('/usr/bin/time', ['-v', command, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, ...options })
    : spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  const wallOuter = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== expectedStatus) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  }
  const field = (name) => {
    const match = new RegExp(`${name}: ([0-9.:]+)`).exec(result.stderr ?? '');
    return match ? match[1] : undefined;
  };
  const elapsed = field('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)');
  const wall = elapsed
    ? elapsed.split(':').reduce((total, part) => total * 60 + Number(part), 0)
    : wallOuter;
  return {
    wall,
    user: Number(field('User time \\(seconds\\)') ?? NaN),
    sys: Number(field('System time \\(seconds\\)') ?? NaN),
    rssMiB: Number(field('Maximum resident set size \\(kbytes\\)') ?? NaN) / 1024,
    stdout: result.stdout,
  };
}

/**
 * Runs `command args` once, output to /dev/null, and returns { wall, cpu } in seconds, both to the microsecond: wall
 * from bash's $EPOCHREALTIME around the command, CPU (user + sys) from bash's `times` (the child's rusage), so bash's own
 * start is not counted. For start-up figures of some 50 ms, where /usr/bin/time's 10 ms steps are too coarse.
 */
export function timedPrecise(command, args, options = {}, expectedStatus = 0) {
  const script = 's=$EPOCHREALTIME; "$@" >/dev/null 2>&1; rc=$?; e=$EPOCHREALTIME; times; echo "$s $e $rc"';
  const result = spawnSync('bash', ['-c', script, 'bash', command, ...args], { encoding: 'utf8', ...options });
  const [, children = '', stamps = ''] = result.stdout.trim().split('\n');
  // $EPOCHREALTIME and `times` use the locale's decimal separator.
  const [start, end, status] = stamps.split(' ').map((part) => Number(part.replace(',', '.')));
  if (status !== expectedStatus) throw new Error(`${command} ${args.join(' ')} exited ${status}, not ${expectedStatus}`);
  const seconds = (text) => {
    const match = /^(\d+)m(\d+[.,]\d+)s$/.exec(text);
    if (match === null) throw new Error(`unexpected output of bash times: ${result.stdout}`);
    return Number(match[1]) * 60 + Number((match[2] ?? '').replace(',', '.'));
  };
  const [user = '', sys = ''] = children.split(' ');
  return { wall: end - start, cpu: seconds(user) + seconds(sys) };
}

/** Median of numbers. */
export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Median wall time of samples, with user/sys of the median run and the highest peak RSS. */
export function summarise(samples) {
  const walls = samples.map((s) => s.wall);
  const middle = [...samples].sort((a, b) => a.wall - b.wall)[samples.length >> 1];
  return { walls, wall: median(walls), user: middle.user, sys: middle.sys, rssMiB: Math.max(...samples.map((s) => s.rssMiB)) };
}

/** `1,234,567`. */
export const bytes = (n) => n.toLocaleString('en-US');
/** Two decimals. */
export const fixed = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
